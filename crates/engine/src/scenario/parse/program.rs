//! A consumer's declared listener: `[[consumer.rule]]` tables (with `[[consumer.rule.output]]`)
//! and a `[consumer.error_handler]` table, validated into a [`Program`].

use super::{unknown_topic, Known, Source};
use crate::consumer::program::{
    BackOff, ErrorHandler, Match, Outcome, Output, Program, Recoverer, Rule, TopicSuffixing,
};
use crate::consumer::CommitMode;
use crate::scenario::ScenarioError;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::{Spanned, Value};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRule {
    key: Option<Spanned<String>>,
    value: Option<Spanned<String>>,
    value_contains: Option<Spanned<String>>,
    processing_ms: Option<u64>,
    /// `"always"`, or how many first attempts fail.
    fail: Option<Spanned<Value>>,
    exception: Option<Spanned<String>>,
    message: Option<Spanned<String>>,
    #[serde(default)]
    output: Vec<Spanned<RawOutput>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOutput {
    topic: Spanned<String>,
    key: Option<String>,
    value: Option<String>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawErrorHandler {
    /// `default` (`DefaultErrorHandler`) or `retryable_topic` (`@RetryableTopic`).
    kind: Spanned<String>,
    back_off: Option<Spanned<RawBackOff>>,
    /// `log` (Spring's default) or `dead_letter` (`DeadLetterPublishingRecoverer`).
    recoverer: Option<Spanned<String>>,
    dead_letter_topic: Option<Spanned<String>>,
    attempts: Option<Spanned<i64>>,
    /// `delay_value` (the annotation's default) or `index_value`.
    topic_suffixing: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBackOff {
    /// `fixed` (`FixedBackOff`) or `exponential` (`ExponentialBackOffWithMaxRetries`).
    kind: Spanned<String>,
    interval_ms: Option<u64>,
    /// A count, or `"unlimited"` (`FixedBackOff.UNLIMITED_ATTEMPTS`).
    max_attempts: Option<Spanned<Value>>,
    initial_interval_ms: Option<u64>,
    multiplier: Option<Spanned<f64>>,
    max_interval_ms: Option<u64>,
    /// A count, or `"unlimited"`.
    max_retries: Option<Spanned<Value>>,
}

/// What the program's checks need to know about its consumer.
pub(super) struct Context<'a> {
    pub topics: &'a [String],
    pub commit: CommitMode,
    pub has_producer: bool,
    pub share: bool,
}

const RULE: &str = "consumer.rule";
const HANDLER: &str = "consumer.error_handler";

/// A count (`>= 0`) or `"unlimited"` (None).
fn count(src: &Source, v: &Spanned<Value>, field: &str) -> Result<Option<u32>, ScenarioError> {
    match v.get_ref() {
        Value::String(s) if s == "unlimited" => Ok(None),
        Value::Integer(n) if (0..=1_000_000).contains(n) => Ok(Some(*n as u32)),
        _ => Err(src.err(v.span(), field, "expected a count from 0 to 1000000, or \"unlimited\"")),
    }
}

fn back_off(src: &Source, raw: &Spanned<RawBackOff>) -> Result<BackOff, ScenarioError> {
    let b = raw.get_ref();
    let field = "consumer.error_handler.back_off";
    let unused = |present: bool, name: &str, kind: &str| -> Result<(), ScenarioError> {
        if present {
            Err(src.err(raw.span(), field, format!("`{name}` does not apply to a {kind} back-off")))
        } else {
            Ok(())
        }
    };
    match b.kind.get_ref().as_str() {
        "fixed" => {
            unused(b.initial_interval_ms.is_some(), "initial_interval_ms", "fixed")?;
            unused(b.multiplier.is_some(), "multiplier", "fixed")?;
            unused(b.max_interval_ms.is_some(), "max_interval_ms", "fixed")?;
            unused(b.max_retries.is_some(), "max_retries", "fixed")?;
            let max_attempts = match &b.max_attempts {
                Some(v) => count(src, v, "consumer.error_handler.back_off.max_attempts")?,
                None => Some(9),
            };
            Ok(BackOff::Fixed { interval_ms: b.interval_ms.unwrap_or(0), max_attempts })
        }
        "exponential" => {
            unused(b.interval_ms.is_some(), "interval_ms", "exponential")?;
            unused(b.max_attempts.is_some(), "max_attempts (use max_retries)", "exponential")?;
            // Spring's `ExponentialBackOff` defaults: 2000 ms, x1.5, at most 30000 ms.
            let initial = b.initial_interval_ms.unwrap_or(2000);
            let max = b.max_interval_ms.unwrap_or(30_000);
            let multiplier = b.multiplier.as_ref().map_or(1.5, |m| *m.get_ref());
            if let Some(m) = &b.multiplier {
                if !(1.0..=100.0).contains(m.get_ref()) {
                    return Err(src.err(
                        m.span(),
                        "consumer.error_handler.back_off.multiplier",
                        "expected a multiplier from 1.0 to 100.0",
                    ));
                }
            }
            if initial == 0 || max < initial {
                return Err(src.err(
                    raw.span(),
                    field,
                    "an exponential back-off needs 0 < initial_interval_ms <= max_interval_ms",
                ));
            }
            let max_retries = match &b.max_retries {
                Some(v) => count(src, v, "consumer.error_handler.back_off.max_retries")?,
                None => None,
            };
            Ok(BackOff::Exponential {
                initial_interval_ms: initial,
                multiplier_permille: (multiplier * 1000.0).round() as u32,
                max_interval_ms: max,
                max_retries,
            })
        }
        other => Err(src.err(
            b.kind.span(),
            "consumer.error_handler.back_off.kind",
            format!("`{other}` is not a back-off; allowed: fixed (FixedBackOff), exponential (ExponentialBackOff)"),
        )),
    }
}

fn rule(src: &Source, raw: &Spanned<RawRule>, known: &Known, ctx: &Context) -> Result<Rule, ScenarioError> {
    let r = raw.get_ref();
    let matchers = [r.key.is_some(), r.value.is_some(), r.value_contains.is_some()];
    if matchers.iter().filter(|m| **m).count() > 1 {
        return Err(src.err(
            raw.span(),
            RULE,
            "a rule matches by one of `key`, `value` or `value_contains` (none: every record)",
        ));
    }
    let matcher = match (&r.key, &r.value, &r.value_contains) {
        (Some(k), _, _) => Match::Key(k.get_ref().clone()),
        (_, Some(v), _) => Match::Value(v.get_ref().clone()),
        (_, _, Some(v)) => Match::ValueContains(v.get_ref().clone()),
        _ => Match::All,
    };
    let exception = r.exception.as_ref().map(|e| e.get_ref().clone()).unwrap_or_default();
    let message = r.message.as_ref().map(|m| m.get_ref().clone()).unwrap_or_else(|| "listener failed".into());
    let outcome = match &r.fail {
        None => {
            if let Some(e) = r.exception.as_ref().map(|e| e.span()).or(r.message.as_ref().map(|m| m.span())) {
                return Err(src.err(e, RULE, "`exception` and `message` belong to a failing rule: add `fail`"));
            }
            Outcome::Succeed
        }
        Some(f) => {
            if ctx.commit == CommitMode::Transactional {
                return Err(src.err(
                    f.span(),
                    "consumer.rule.fail",
                    "a failing listener with commit = \"transactional\" is handled by Spring's AfterRollbackProcessor, which is not modelled: use sync_after_processing",
                ));
            }
            match f.get_ref() {
                Value::String(s) if s == "always" => Outcome::FailAlways { exception, message },
                Value::Integer(n) if (1..=1000).contains(n) => {
                    Outcome::FailFirst { attempts: *n as u32, exception, message }
                }
                _ => {
                    return Err(src.err(
                        f.span(),
                        "consumer.rule.fail",
                        "expected \"always\" or how many first attempts fail (1 to 1000)",
                    ))
                }
            }
        }
    };
    if !r.output.is_empty() && matches!(outcome, Outcome::FailAlways { .. }) {
        return Err(src.err(raw.span(), RULE, "a rule that always fails sends no outputs"));
    }
    let mut outputs = Vec::new();
    for o in &r.output {
        let out = o.get_ref();
        let topic = out.topic.get_ref();
        check_topic(src, &out.topic, "consumer.rule.output.topic", known)?;
        if !ctx.has_producer {
            return Err(src.err(
                o.span(),
                "consumer.rule.output",
                "a listener sends its outputs with the application's producer (Spring's KafkaTemplate): add `processor = { producer = … }`",
            ));
        }
        outputs.push(Output {
            topic: topic.clone(),
            key: out.key.clone().unwrap_or_else(|| "{key}".into()),
            value: out.value.clone().unwrap_or_else(|| "{value}".into()),
            headers: out.headers.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        });
    }
    Ok(Rule { matcher, processing_ms: r.processing_ms, outcome, outputs })
}

/// A topic the program writes to: declared, and there from t=0.
fn check_topic(src: &Source, topic: &Spanned<String>, field: &str, known: &Known) -> Result<(), ScenarioError> {
    match known.topics.get(topic.get_ref()) {
        None => Err(src.err(topic.span(), field, unknown_topic(topic.get_ref(), known))),
        Some(t) if !t.create_at_start => Err(src.err(
            topic.span(),
            field,
            format!("topic `{}` is created by a step; a listener's topics must exist at t=0", topic.get_ref()),
        )),
        Some(_) => Ok(()),
    }
}

fn partitions(known: &Known, topic: &str) -> i32 {
    known.topics.get(topic).map_or(0, |t| t.assignment.as_ref().map_or(t.partitions, |a| a.len() as i32))
}

fn error_handler(
    src: &Source,
    raw: &Spanned<RawErrorHandler>,
    known: &Known,
    ctx: &Context,
) -> Result<(ErrorHandler, Vec<String>), ScenarioError> {
    let h = raw.get_ref();
    let needs_producer = |what: &str| -> Result<(), ScenarioError> {
        if ctx.has_producer {
            Ok(())
        } else {
            Err(src.err(
                raw.span(),
                HANDLER,
                format!("{what} publishes with the application's producer (Spring's KafkaTemplate): add `processor = {{ producer = … }}`"),
            ))
        }
    };
    // A destination of records read from `source`: declared, with the source's partitions.
    let destination = |topic: &str, source: &str| -> Result<(), ScenarioError> {
        let Some(t) = known.topics.get(topic) else {
            return Err(src.err(
                raw.span(),
                HANDLER,
                format!(
                    "{}; declare it as a [[topic]] (Spring creates it, here the scenario does)",
                    unknown_topic(topic, known)
                ),
            ));
        };
        if !t.create_at_start {
            return Err(src.err(raw.span(), HANDLER, format!("topic `{topic}` must exist at t=0")));
        }
        if partitions(known, topic) < partitions(known, source) {
            return Err(src.err(
                raw.span(),
                HANDLER,
                format!("topic `{topic}` needs at least the {} partitions of `{source}`: a record goes to the same partition", partitions(known, source)),
            ));
        }
        Ok(())
    };
    match h.kind.get_ref().as_str() {
        "default" => {
            if let Some(a) = &h.attempts {
                return Err(src.err(a.span(), "consumer.error_handler.attempts", "`attempts` is @RetryableTopic's; DefaultErrorHandler counts retries in its back_off"));
            }
            if let Some(s) = &h.topic_suffixing {
                return Err(src.err(s.span(), "consumer.error_handler.topic_suffixing", "`topic_suffixing` is @RetryableTopic's"));
            }
            let back_off = match &h.back_off {
                Some(b) => back_off(src, b)?,
                None => BackOff::SPRING_DEFAULT,
            };
            let recoverer = match h.recoverer.as_ref().map(|r| r.get_ref().as_str()) {
                None | Some("log") => {
                    if let Some(t) = &h.dead_letter_topic {
                        return Err(src.err(t.span(), "consumer.error_handler.dead_letter_topic", "a dead_letter_topic needs recoverer = \"dead_letter\""));
                    }
                    Recoverer::Log
                }
                Some("dead_letter") => Recoverer::DeadLetter(h.dead_letter_topic.as_ref().map(|t| t.get_ref().clone())),
                Some(other) => {
                    let at = h.recoverer.as_ref().map_or(raw.span(), |r| r.span());
                    return Err(src.err(
                        at,
                        "consumer.error_handler.recoverer",
                        format!("`{other}` is not a recoverer; allowed: log (Spring's default), dead_letter (DeadLetterPublishingRecoverer)"),
                    ));
                }
            };
            if let Recoverer::DeadLetter(_) = recoverer {
                needs_producer("DeadLetterPublishingRecoverer")?;
                for topic in ctx.topics {
                    if let Some(dlt) = recoverer.dead_letter_topic(topic) {
                        destination(&dlt, topic)?;
                    }
                }
            }
            Ok((ErrorHandler::Default { back_off, recoverer }, Vec::new()))
        }
        "retryable_topic" => {
            if let Some(r) = &h.recoverer {
                return Err(src.err(r.span(), "consumer.error_handler.recoverer", "@RetryableTopic always ends in its DLT; `recoverer` is DefaultErrorHandler's"));
            }
            if let Some(t) = &h.dead_letter_topic {
                return Err(src.err(t.span(), "consumer.error_handler.dead_letter_topic", "@RetryableTopic's DLT is `<topic>-dlt`"));
            }
            let attempts = match &h.attempts {
                None => 3,
                Some(a) if (2..=20).contains(a.get_ref()) => *a.get_ref() as u32,
                Some(a) => {
                    return Err(src.err(a.span(), "consumer.error_handler.attempts", "expected 2 to 20 attempts (the first delivery included)"))
                }
            };
            // `@Backoff`'s default: 1000 ms fixed; the attempts bound the retries, not the back-off.
            let back_off = match &h.back_off {
                None => BackOff::Fixed { interval_ms: 1000, max_attempts: None },
                Some(b) => match back_off(src, b)? {
                    BackOff::Fixed { interval_ms, .. } => BackOff::Fixed { interval_ms, max_attempts: None },
                    BackOff::Exponential { initial_interval_ms, multiplier_permille, max_interval_ms, .. } => {
                        BackOff::Exponential { initial_interval_ms, multiplier_permille, max_interval_ms, max_retries: None }
                    }
                },
            };
            let suffixing = match h.topic_suffixing.as_ref().map(|s| s.get_ref().as_str()) {
                None | Some("delay_value") => TopicSuffixing::DelayValue,
                Some("index_value") => TopicSuffixing::IndexValue,
                Some(other) => {
                    let at = h.topic_suffixing.as_ref().map_or(raw.span(), |s| s.span());
                    return Err(src.err(
                        at,
                        "consumer.error_handler.topic_suffixing",
                        format!("`{other}` is not a TopicSuffixingStrategy; allowed: delay_value, index_value"),
                    ));
                }
            };
            needs_producer("@RetryableTopic")?;
            let handler = ErrorHandler::RetryableTopic { attempts, back_off, suffixing };
            let mut retry_topics = Vec::new();
            // A running consumer already subscribes to its retry topics: they are not main topics.
            let mains = ctx.topics.iter().filter(|t| !ctx.topics.iter().any(|m| m != *t && handler.topics_for(m).contains(t)));
            for topic in mains {
                for destination_topic in handler.topics_for(topic) {
                    destination(&destination_topic, topic)?;
                    if !destination_topic.ends_with(crate::consumer::program::RETRY_DLT_SUFFIX) {
                        retry_topics.push(destination_topic);
                    }
                }
            }
            Ok((handler, retry_topics))
        }
        other => Err(src.err(
            h.kind.span(),
            "consumer.error_handler.kind",
            format!("`{other}` is not an error handler; allowed: default (DefaultErrorHandler), retryable_topic (@RetryableTopic)"),
        )),
    }
}

/// The consumer's program, if it declares rules or an error handler, and the retry topics its
/// listener also subscribes to (`@RetryableTopic` starts a container per retry topic).
pub(super) fn program(
    src: &Source,
    rules: &[Spanned<RawRule>],
    handler: Option<&Spanned<RawErrorHandler>>,
    at: std::ops::Range<usize>,
    known: &Known,
    ctx: &Context,
) -> Result<Option<(Program, Vec<String>)>, ScenarioError> {
    if rules.is_empty() && handler.is_none() {
        return Ok(None);
    }
    if ctx.share {
        return Err(src.err(
            at,
            RULE,
            "a share consumer acknowledges records itself: use `app.fail_on_key`, not rules",
        ));
    }
    let rules = rules.iter().map(|r| rule(src, r, known, ctx)).collect::<Result<Vec<_>, _>>()?;
    let (error_handler, retry_topics) = match handler {
        Some(h) => error_handler(src, h, known, ctx)?,
        None => (ErrorHandler::default(), Vec::new()),
    };
    Ok(Some((Program { rules, error_handler }, retry_topics)))
}
