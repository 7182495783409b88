//! The application's declared listener (a Spring `@KafkaListener` method, without a scripting
//! language): per record, the first rule that matches decides how long processing takes,
//! whether the listener throws, and which derived records it sends with its producer (Spring's
//! `KafkaTemplate`). A thrown exception goes to the container's error handler, modelled on
//! Spring for Apache Kafka:
//! - [`ErrorHandler::Default`]: `DefaultErrorHandler` with a `FixedBackOff` or an
//!   `ExponentialBackOff`: blocking retries. The consumer thread sleeps the back-off (no `poll()`
//!   meanwhile, so `max.poll.interval.ms` keeps running), then `SeekUtils.seekOrRecover` seeks
//!   the partition back so the same record is delivered again; once the back-off is exhausted
//!   the recoverer runs: `DeadLetterPublishingRecoverer` (to `<topic>.DLT`, the same partition,
//!   with the `kafka_dlt-*` headers) or, by default, a recoverer that only logs.
//! - [`ErrorHandler::RetryableTopic`]: `@RetryableTopic`: non-blocking retries. The failed record
//!   is published at once to the next retry topic (`-retry`, `-retry-0`/`-retry-1000`, …), with
//!   `retry_topic-attempts` and `retry_topic-backoff-timestamp`; the listener of a retry topic
//!   pauses that partition until the due time (`KafkaBackoffException`); the last attempt goes to
//!   `<topic>-dlt`. The main partition keeps flowing.

use crate::log::{Header, Record};
use crate::producer::ProducerRecord;
use crate::protocol::TopicPartition;
use crate::sim::Millis;
use serde::{Deserialize, Serialize};

/// `org.springframework.kafka.listener.ListenerExecutionFailedException`: the container wraps
/// what the listener threw in it; the DLT's `kafka_dlt-exception-fqcn` names it and
/// `kafka_dlt-exception-cause-fqcn` the listener's own exception.
pub const LISTENER_EXECUTION_FAILED: &str = "org.springframework.kafka.listener.ListenerExecutionFailedException";
/// The exception a failing rule throws when it names none.
pub const DEFAULT_EXCEPTION: &str = "java.lang.IllegalStateException";
/// `DeadLetterPublishingRecoverer`'s default destination: the original topic plus `.DLT`.
pub const DLT_SUFFIX: &str = ".DLT";
/// `RetryTopicConstants.DEFAULT_RETRY_SUFFIX` and `DEFAULT_DLT_SUFFIX`.
pub const RETRY_TOPIC_SUFFIX: &str = "-retry";
pub const RETRY_DLT_SUFFIX: &str = "-dlt";
/// `RetryTopicHeaders`: the delivery attempt of a record in a retry topic (4-byte int), when it
/// may be processed again (epoch millis, `BigInteger` bytes), and the first record's timestamp.
pub const HEADER_ATTEMPTS: &str = "retry_topic-attempts";
pub const HEADER_BACKOFF_TIMESTAMP: &str = "retry_topic-backoff-timestamp";
pub const HEADER_ORIGINAL_TIMESTAMP: &str = "retry_topic-original-timestamp";

/// The declared listener: rules in order, and the container's error handler.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Program {
    pub rules: Vec<Rule>,
    pub error_handler: ErrorHandler,
}

/// Which records a rule applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case", tag = "by", content = "text")]
pub enum Match {
    #[default]
    All,
    Key(String),
    Value(String),
    ValueContains(String),
}

/// What the listener does with a matching record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Outcome {
    #[default]
    Succeed,
    /// Throws on every delivery (a poison record).
    FailAlways { exception: String, message: String },
    /// Throws on the first `attempts` deliveries of the record, then succeeds (a transient
    /// failure: a database briefly down).
    FailFirst { attempts: u32, exception: String, message: String },
}

/// A derived record the listener sends after processing a record successfully. The key, value
/// and header values are templates: `{key}`, `{value}`, `{topic}`, `{partition}` and `{offset}`
/// stand for the input record's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Output {
    pub topic: String,
    pub key: String,
    pub value: String,
    pub headers: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Rule {
    pub matcher: Match,
    /// Overrides the app's `processing_ms_per_record` for matching records.
    pub processing_ms: Option<Millis>,
    pub outcome: Outcome,
    pub outputs: Vec<Output>,
}

/// Spring's `BackOff`: how long to wait before each retry, and how many retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum BackOff {
    /// `FixedBackOff(interval, maxAttempts)`: `max_attempts` retries (None:
    /// `FixedBackOff.UNLIMITED_ATTEMPTS`).
    Fixed { interval_ms: Millis, max_attempts: Option<u32> },
    /// `ExponentialBackOffWithMaxRetries`: `initial_interval_ms`, multiplied by
    /// `multiplier_permille / 1000` each retry, capped at `max_interval_ms`; None: no limit.
    Exponential {
        initial_interval_ms: Millis,
        multiplier_permille: u32,
        max_interval_ms: Millis,
        max_retries: Option<u32>,
    },
}

impl BackOff {
    /// `SeekUtils.DEFAULT_BACK_OFF`: `FixedBackOff(0, 9)`, ten deliveries in all.
    pub const SPRING_DEFAULT: BackOff = BackOff::Fixed { interval_ms: 0, max_attempts: Some(9) };

    /// The wait before retry number `retry` (1-based), or None once the retries are exhausted.
    pub fn delay(&self, retry: u32) -> Option<Millis> {
        match *self {
            BackOff::Fixed { interval_ms, max_attempts } => {
                max_attempts.is_none_or(|max| retry <= max).then_some(interval_ms)
            }
            BackOff::Exponential { initial_interval_ms, multiplier_permille, max_interval_ms, max_retries } => {
                if max_retries.is_some_and(|max| retry > max) {
                    return None;
                }
                let mut delay = initial_interval_ms;
                for _ in 1..retry {
                    delay = (delay.saturating_mul(u64::from(multiplier_permille)) / 1000).min(max_interval_ms);
                    if delay == max_interval_ms {
                        break;
                    }
                }
                Some(delay.min(max_interval_ms))
            }
        }
    }

    /// Whether the retries never end (`FixedBackOff.UNLIMITED_ATTEMPTS`).
    pub fn unlimited(&self) -> bool {
        match self {
            BackOff::Fixed { max_attempts, .. } => max_attempts.is_none(),
            BackOff::Exponential { max_retries, .. } => max_retries.is_none(),
        }
    }
}

/// What `DefaultErrorHandler` does with a record whose retries are exhausted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "topic")]
pub enum Recoverer {
    /// Spring's default: logs the record at ERROR and skips it.
    Log,
    /// `DeadLetterPublishingRecoverer` to this topic (None: the record's topic plus `.DLT`), the
    /// same partition as the record.
    DeadLetter(Option<String>),
}

impl Recoverer {
    /// The dead-letter topic of records read from `topic`, if this recoverer publishes.
    pub fn dead_letter_topic(&self, topic: &str) -> Option<String> {
        match self {
            Recoverer::Log => None,
            Recoverer::DeadLetter(Some(t)) => Some(t.clone()),
            Recoverer::DeadLetter(None) => Some(format!("{topic}{DLT_SUFFIX}")),
        }
    }
}

/// How `@RetryableTopic` names its retry topics (`TopicSuffixingStrategy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TopicSuffixing {
    /// `SUFFIX_WITH_DELAY_VALUE` (the annotation's default): `orders-retry-1000`.
    DelayValue,
    /// `SUFFIX_WITH_INDEX_VALUE`: `orders-retry-0`, `orders-retry-1`.
    IndexValue,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ErrorHandler {
    /// `DefaultErrorHandler(recoverer, backOff)`: blocking retries in the consumer.
    Default { back_off: BackOff, recoverer: Recoverer },
    /// `@RetryableTopic(attempts, backoff)`: retry topics and a DLT.
    RetryableTopic { attempts: u32, back_off: BackOff, suffixing: TopicSuffixing },
}

impl Default for ErrorHandler {
    /// What a Spring container uses when none is configured.
    fn default() -> Self {
        ErrorHandler::Default { back_off: BackOff::SPRING_DEFAULT, recoverer: Recoverer::Log }
    }
}

/// One hop of `@RetryableTopic`'s chain (`DestinationTopic`): a retry topic and the delay its
/// records wait, or the DLT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    pub topic: String,
    pub delay_ms: Millis,
    pub dlt: bool,
}

impl ErrorHandler {
    /// `@RetryableTopic`'s destinations for `main`, in order: one retry topic per retry (a
    /// single one for equal delays, `SameIntervalTopicReuseStrategy.SINGLE_TOPIC`), then the DLT.
    /// Empty for `DefaultErrorHandler`.
    pub fn retry_destinations(&self, main: &str) -> Vec<Destination> {
        let ErrorHandler::RetryableTopic { attempts, back_off, suffixing } = self else { return Vec::new() };
        let delays: Vec<Millis> = (1..*attempts).filter_map(|retry| back_off.delay(retry)).collect();
        let single = delays.windows(2).all(|w| w[0] == w[1]);
        let mut out: Vec<Destination> = Vec::new();
        for (index, delay) in delays.iter().enumerate() {
            let topic = if single {
                format!("{main}{RETRY_TOPIC_SUFFIX}")
            } else {
                match suffixing {
                    TopicSuffixing::DelayValue => format!("{main}{RETRY_TOPIC_SUFFIX}-{delay}"),
                    TopicSuffixing::IndexValue => format!("{main}{RETRY_TOPIC_SUFFIX}-{index}"),
                }
            };
            out.push(Destination { topic, delay_ms: *delay, dlt: false });
        }
        out.push(Destination { topic: format!("{main}{RETRY_DLT_SUFFIX}"), delay_ms: 0, dlt: true });
        out
    }

    /// The topics this handler writes to for records of `main` (to declare in the scenario).
    pub fn topics_for(&self, main: &str) -> Vec<String> {
        match self {
            ErrorHandler::Default { recoverer, .. } => recoverer.dead_letter_topic(main).into_iter().collect(),
            ErrorHandler::RetryableTopic { .. } => {
                let mut topics: Vec<String> = self.retry_destinations(main).into_iter().map(|d| d.topic).collect();
                topics.dedup();
                topics
            }
        }
    }
}

impl Match {
    fn matches(&self, record: &Record) -> bool {
        let text = |b: &Option<Vec<u8>>| b.as_deref().map(String::from_utf8_lossy).unwrap_or_default().into_owned();
        match self {
            Match::All => true,
            Match::Key(k) => record.key.is_some() && text(&record.key) == *k,
            Match::Value(v) => record.value.is_some() && text(&record.value) == *v,
            Match::ValueContains(v) => text(&record.value).contains(v.as_str()),
        }
    }
}

impl Program {
    /// The first rule matching `record`, if any (a record no rule matches succeeds).
    pub fn rule_for(&self, record: &Record) -> Option<&Rule> {
        self.rules.iter().find(|r| r.matcher.matches(record))
    }
}

/// What a declared listener did so far, for the picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ListenerStats {
    /// Deliveries the listener threw on.
    pub failures: u64,
    /// `DefaultErrorHandler` back-off sleeps.
    pub back_offs: u64,
    /// Records the recoverer handled after the retries (to a DLT or the log).
    pub recovered: u64,
    /// Records published to a dead-letter topic (either error handler).
    pub dead_lettered: u64,
    /// Records published to a retry topic.
    pub forwarded: u64,
}

impl Program {
    /// The program as the app's editor shows it: the `[[rule]]` / `[error_handler]` form that
    /// `Action::SetListenerProgram` parses back to the same program.
    pub fn to_toml(&self) -> String {
        // A JSON string is a TOML basic string (the same escapes).
        let q = |s: &str| serde_json::to_string(s).unwrap_or_default();
        let mut out = String::new();
        for rule in &self.rules {
            out.push_str("[[rule]]\n");
            match &rule.matcher {
                Match::All => {}
                Match::Key(k) => out.push_str(&format!("key = {}\n", q(k))),
                Match::Value(v) => out.push_str(&format!("value = {}\n", q(v))),
                Match::ValueContains(v) => out.push_str(&format!("value_contains = {}\n", q(v))),
            }
            if let Some(ms) = rule.processing_ms {
                out.push_str(&format!("processing_ms = {ms}\n"));
            }
            let (fail, exception, message) = match &rule.outcome {
                Outcome::Succeed => (None, "", ""),
                Outcome::FailAlways { exception, message } => (Some(q("always")), exception.as_str(), message.as_str()),
                Outcome::FailFirst { attempts, exception, message } => {
                    (Some(attempts.to_string()), exception.as_str(), message.as_str())
                }
            };
            if let Some(fail) = fail {
                out.push_str(&format!("fail = {fail}\n"));
                if !exception.is_empty() {
                    out.push_str(&format!("exception = {}\n", q(exception)));
                }
                out.push_str(&format!("message = {}\n", q(message)));
            }
            for o in &rule.outputs {
                out.push_str(&format!(
                    "\n[[rule.output]]\ntopic = {}\nkey = {}\nvalue = {}\n",
                    q(&o.topic),
                    q(&o.key),
                    q(&o.value)
                ));
                if !o.headers.is_empty() {
                    let headers: Vec<String> = o.headers.iter().map(|(k, v)| format!("{} = {}", q(k), q(v))).collect();
                    out.push_str(&format!("headers = {{ {} }}\n", headers.join(", ")));
                }
            }
            out.push('\n');
        }
        let back_off = |b: &BackOff| {
            match b {
            BackOff::Fixed { interval_ms, max_attempts } => format!(
                "{{ kind = \"fixed\", interval_ms = {interval_ms}, max_attempts = {} }}",
                max_attempts.map_or(q("unlimited"), |n| n.to_string())
            ),
            BackOff::Exponential { initial_interval_ms, multiplier_permille, max_interval_ms, max_retries } => format!(
                "{{ kind = \"exponential\", initial_interval_ms = {initial_interval_ms}, multiplier = {:.3}, max_interval_ms = {max_interval_ms}, max_retries = {} }}",
                f64::from(*multiplier_permille) / 1000.0,
                max_retries.map_or(q("unlimited"), |n| n.to_string())
            ),
        }
        };
        out.push_str("[error_handler]\n");
        match &self.error_handler {
            ErrorHandler::Default { back_off: b, recoverer } => {
                out.push_str(&format!("kind = \"default\"\nback_off = {}\n", back_off(b)));
                match recoverer {
                    Recoverer::Log => out.push_str("recoverer = \"log\"\n"),
                    Recoverer::DeadLetter(topic) => {
                        out.push_str("recoverer = \"dead_letter\"\n");
                        if let Some(t) = topic {
                            out.push_str(&format!("dead_letter_topic = {}\n", q(t)));
                        }
                    }
                }
            }
            ErrorHandler::RetryableTopic { attempts, back_off: b, suffixing } => {
                let b = match *b {
                    BackOff::Exponential { max_retries: None, initial_interval_ms, multiplier_permille, max_interval_ms } => format!(
                        "{{ kind = \"exponential\", initial_interval_ms = {initial_interval_ms}, multiplier = {:.3}, max_interval_ms = {max_interval_ms} }}",
                        f64::from(multiplier_permille) / 1000.0
                    ),
                    BackOff::Fixed { interval_ms, .. } => format!("{{ kind = \"fixed\", interval_ms = {interval_ms} }}"),
                    other => back_off(&other),
                };
                let suffixing = match suffixing {
                    TopicSuffixing::DelayValue => "delay_value",
                    TopicSuffixing::IndexValue => "index_value",
                };
                out.push_str(&format!(
                    "kind = \"retryable_topic\"\nattempts = {attempts}\nback_off = {b}\ntopic_suffixing = \"{suffixing}\"\n"
                ));
            }
        }
        out
    }
}

/// A record the listener received: where it was read and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub topic_partition: TopicPartition,
    pub offset: i64,
    pub record: Record,
}

impl Received {
    fn text(bytes: &Option<Vec<u8>>) -> String {
        bytes.as_deref().map(String::from_utf8_lossy).unwrap_or_default().into_owned()
    }

    /// Fills `{key}`, `{value}`, `{topic}`, `{partition}` and `{offset}` in a template.
    pub fn render(&self, template: &str) -> String {
        template
            .replace("{key}", &Self::text(&self.record.key))
            .replace("{value}", &Self::text(&self.record.value))
            .replace("{topic}", &self.topic_partition.topic)
            .replace("{partition}", &self.topic_partition.partition.to_string())
            .replace("{offset}", &self.offset.to_string())
    }

    /// The derived record `output` makes of this one.
    pub fn derive(&self, output: &Output) -> ProducerRecord {
        ProducerRecord {
            topic: output.topic.clone(),
            partition: None,
            key: Some(self.render(&output.key).into_bytes()),
            value: Some(self.render(&output.value).into_bytes()),
            headers: output
                .headers
                .iter()
                .map(|(k, v)| Header { key: k.clone(), value: Some(self.render(v).into_bytes()) })
                .collect(),
        }
    }

    pub fn header(&self, key: &str) -> Option<&[u8]> {
        self.record.headers.iter().rev().find(|h| h.key == key).and_then(|h| h.value.as_deref())
    }

    /// `retry_topic-attempts`: this delivery's attempt number (1 outside retry topics).
    pub fn attempts(&self) -> u32 {
        match self.header(HEADER_ATTEMPTS) {
            Some([b]) => u32::from(*b),
            Some(bytes) if bytes.len() == 4 => u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]),
            _ => 1,
        }
    }

    /// `retry_topic-backoff-timestamp`: when a retry topic's record may be processed.
    pub fn due_at(&self) -> Option<i64> {
        self.header(HEADER_BACKOFF_TIMESTAMP).map(big_integer)
    }

    /// The record's identity across retry topics: `kafka_original-topic/-partition/-offset` if a
    /// retry topic forwarded it, else where it was read.
    pub fn origin(&self) -> (TopicPartition, i64) {
        let topic = self.header("kafka_original-topic").map(|t| String::from_utf8_lossy(t).into_owned());
        let partition = self.header("kafka_original-partition").and_then(|p| p.try_into().ok()).map(i32::from_be_bytes);
        let offset = self.header("kafka_original-offset").and_then(|o| o.try_into().ok()).map(i64::from_be_bytes);
        match (topic, partition, offset) {
            (Some(topic), Some(partition), Some(offset)) => (TopicPartition::new(topic, partition), offset),
            _ => (self.topic_partition.clone(), self.offset),
        }
    }

    /// `DeadLetterPublishingRecoverer`'s record: the same key, value and headers, to
    /// `topic`-`partition`, plus the exception and original-record headers (`prefix`
    /// `kafka_dlt-` for a plain DLPR, `kafka_` for `@RetryableTopic`'s).
    pub fn dead_letter(
        &self,
        topic: &str,
        partition: Option<i32>,
        prefix: &str,
        exception: &str,
        message: &str,
        group: &str,
    ) -> ProducerRecord {
        let mut headers: Vec<Header> = self
            .record
            .headers
            .iter()
            .filter(|h| !h.key.starts_with(prefix) && !h.key.starts_with("retry_topic-"))
            .cloned()
            .collect();
        let (origin, origin_offset) = self.origin();
        let h = |name: &str| format!("{prefix}{name}");
        let added: [(String, Vec<u8>); 9] = [
            (h("original-topic"), origin.topic.as_bytes().to_vec()),
            (h("original-partition"), origin.partition.to_be_bytes().to_vec()),
            (h("original-offset"), origin_offset.to_be_bytes().to_vec()),
            (h("original-timestamp"), self.record.timestamp.to_be_bytes().to_vec()),
            (h("original-timestamp-type"), b"CreateTime".to_vec()),
            (h("original-consumer-group"), group.as_bytes().to_vec()),
            (h("exception-fqcn"), LISTENER_EXECUTION_FAILED.as_bytes().to_vec()),
            (h("exception-cause-fqcn"), exception.as_bytes().to_vec()),
            (h("exception-message"), format!("Listener failed; {exception}: {message}").into_bytes()),
        ];
        headers.extend(added.into_iter().map(|(key, value)| Header { key, value: Some(value) }));
        ProducerRecord {
            topic: topic.to_string(),
            partition,
            key: self.record.key.clone(),
            value: self.record.value.clone(),
            headers,
        }
    }

    /// `@RetryableTopic`'s forward to `destination` at `now`: the DLPR record with `kafka_`
    /// headers and the retry headers (`retry_topic-attempts` counts this delivery's successor).
    pub fn forward(
        &self,
        destination: &Destination,
        now: Millis,
        exception: &str,
        message: &str,
        group: &str,
    ) -> ProducerRecord {
        let mut record = self.dead_letter(
            &destination.topic,
            Some(self.topic_partition.partition),
            "kafka_",
            exception,
            message,
            group,
        );
        let original_timestamp = self.header(HEADER_ORIGINAL_TIMESTAMP).map_or(self.record.timestamp, big_integer);
        let due = now as i64 + destination.delay_ms as i64;
        for (key, value) in [
            (HEADER_ORIGINAL_TIMESTAMP, big_integer_bytes(original_timestamp)),
            (HEADER_ATTEMPTS, (self.attempts() + 1).to_be_bytes().to_vec()),
            (HEADER_BACKOFF_TIMESTAMP, big_integer_bytes(due)),
        ] {
            record.headers.push(Header { key: key.into(), value: Some(value) });
        }
        record
    }
}

/// Java's `BigInteger.toByteArray()`: the shortest two's-complement big-endian bytes.
pub fn big_integer_bytes(v: i64) -> Vec<u8> {
    let bytes = v.to_be_bytes();
    let mut start = 0;
    while start < 7 {
        let (b, next) = (bytes[start], bytes[start + 1]);
        let redundant = (b == 0 && next & 0x80 == 0) || (b == 0xff && next & 0x80 != 0);
        if !redundant {
            break;
        }
        start += 1;
    }
    bytes[start..].to_vec()
}

/// `new BigInteger(bytes).longValue()`.
pub fn big_integer(bytes: &[u8]) -> i64 {
    let negative = bytes.first().is_some_and(|b| b & 0x80 != 0);
    let mut v: i64 = if negative { -1 } else { 0 };
    for b in bytes.iter().rev().take(8).rev() {
        v = (v << 8) | i64::from(*b);
    }
    v
}

/// A header value as the log inspector shows it: Spring's binary headers as numbers.
pub fn header_text(header: &Header) -> String {
    let Some(value) = &header.value else { return String::new() };
    let key = header.key.as_str();
    let ends = |s: &str| key.ends_with(s);
    if ends("original-partition") || key == HEADER_ATTEMPTS {
        if let Ok(b) = <[u8; 4]>::try_from(value.as_slice()) {
            return i32::from_be_bytes(b).to_string();
        }
    }
    if (ends("original-offset") || ends("original-timestamp") && !key.starts_with("retry_topic-")) && value.len() == 8 {
        if let Ok(b) = <[u8; 8]>::try_from(value.as_slice()) {
            return i64::from_be_bytes(b).to_string();
        }
    }
    if key == HEADER_BACKOFF_TIMESTAMP || key == HEADER_ORIGINAL_TIMESTAMP {
        return big_integer(value).to_string();
    }
    String::from_utf8_lossy(value).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_back_off_counts_retries_and_unlimited_never_ends() {
        let b = BackOff::Fixed { interval_ms: 1000, max_attempts: Some(2) };
        assert_eq!((b.delay(1), b.delay(2), b.delay(3)), (Some(1000), Some(1000), None));
        assert_eq!(BackOff::SPRING_DEFAULT.delay(9), Some(0));
        assert_eq!(BackOff::SPRING_DEFAULT.delay(10), None, "ten deliveries: the first and nine retries");
        let forever = BackOff::Fixed { interval_ms: 500, max_attempts: None };
        assert_eq!(forever.delay(1_000), Some(500));
        assert!(forever.unlimited());
    }

    #[test]
    fn exponential_back_off_multiplies_up_to_the_cap() {
        let b = BackOff::Exponential {
            initial_interval_ms: 1000,
            multiplier_permille: 2000,
            max_interval_ms: 5000,
            max_retries: Some(4),
        };
        let delays: Vec<Option<Millis>> = (1..=5).map(|r| b.delay(r)).collect();
        assert_eq!(delays, vec![Some(1000), Some(2000), Some(4000), Some(5000), None]);
    }

    #[test]
    fn retryable_topic_names_follow_springs_suffixing() {
        let exp = BackOff::Exponential {
            initial_interval_ms: 1000,
            multiplier_permille: 2000,
            max_interval_ms: 60_000,
            max_retries: None,
        };
        let by_delay =
            ErrorHandler::RetryableTopic { attempts: 3, back_off: exp, suffixing: TopicSuffixing::DelayValue };
        assert_eq!(by_delay.topics_for("orders"), vec!["orders-retry-1000", "orders-retry-2000", "orders-dlt"]);
        let by_index =
            ErrorHandler::RetryableTopic { attempts: 3, back_off: exp, suffixing: TopicSuffixing::IndexValue };
        assert_eq!(by_index.topics_for("orders"), vec!["orders-retry-0", "orders-retry-1", "orders-dlt"]);
        let fixed = ErrorHandler::RetryableTopic {
            attempts: 4,
            back_off: BackOff::Fixed { interval_ms: 1000, max_attempts: None },
            suffixing: TopicSuffixing::DelayValue,
        };
        assert_eq!(fixed.topics_for("orders"), vec!["orders-retry", "orders-dlt"], "SINGLE_TOPIC for equal delays");
    }

    #[test]
    fn big_integer_bytes_round_trip_like_java() {
        assert_eq!(big_integer_bytes(0), vec![0]);
        assert_eq!(big_integer_bytes(128), vec![0, 128]);
        assert_eq!(big_integer_bytes(-1), vec![0xff]);
        for v in [0, 1, 127, 128, 255, 256, 1_700_000_000_000, -5] {
            assert_eq!(big_integer(&big_integer_bytes(v)), v);
        }
    }

    #[test]
    fn dead_letter_record_carries_springs_headers() {
        let received = Received {
            topic_partition: TopicPartition { topic: "orders".into(), partition: 2 },
            offset: 7,
            record: Record::new(5, Some(b"order-13"), Some(b"13 EUR")),
        };
        let dlt = received.dead_letter(
            "orders.DLT",
            Some(2),
            "kafka_dlt-",
            "com.shop.PaymentDeclined",
            "declined",
            "billing",
        );
        assert_eq!(
            (dlt.topic.as_str(), dlt.partition, dlt.key.as_deref()),
            ("orders.DLT", Some(2), Some(&b"order-13"[..]))
        );
        let text = |k: &str| header_text(dlt.headers.iter().find(|h| h.key == k).unwrap());
        assert_eq!(text("kafka_dlt-exception-fqcn"), LISTENER_EXECUTION_FAILED);
        assert_eq!(text("kafka_dlt-exception-cause-fqcn"), "com.shop.PaymentDeclined");
        assert_eq!(text("kafka_dlt-original-topic"), "orders");
        assert_eq!(text("kafka_dlt-original-partition"), "2");
        assert_eq!(text("kafka_dlt-original-offset"), "7");
        assert_eq!(text("kafka_dlt-original-consumer-group"), "billing");
    }

    #[test]
    fn forwarded_record_counts_attempts_and_keeps_its_origin() {
        let received = Received {
            topic_partition: TopicPartition { topic: "orders".into(), partition: 0 },
            offset: 3,
            record: Record::new(100, Some(b"k"), Some(b"v")),
        };
        let hop = Destination { topic: "orders-retry-0".into(), delay_ms: 1000, dlt: false };
        let first = received.forward(&hop, 2000, "E", "m", "g");
        let as_received = |r: &ProducerRecord, tp: TopicPartition, offset: i64| Received {
            topic_partition: tp,
            offset,
            record: Record { timestamp: 2000, key: r.key.clone(), value: r.value.clone(), headers: r.headers.clone() },
        };
        let retried = as_received(&first, TopicPartition { topic: "orders-retry-0".into(), partition: 0 }, 0);
        assert_eq!((retried.attempts(), retried.due_at()), (2, Some(3000)));
        assert_eq!(retried.origin(), (TopicPartition { topic: "orders".into(), partition: 0 }, 3));
        let second = retried.forward(&hop, 3500, "E", "m", "g");
        let again = as_received(&second, TopicPartition { topic: "orders-retry-0".into(), partition: 0 }, 1);
        assert_eq!(again.attempts(), 3);
        assert_eq!(again.origin().1, 3, "the origin survives every hop");
        assert_eq!(again.header(HEADER_ORIGINAL_TIMESTAMP).map(big_integer), Some(100));
    }
}
