//! The declared listener at work (see [`super::program`]): record by record, as Spring's
//! listener container invokes a record listener, with its error handler around each call.

use super::program::{ErrorHandler, Outcome, Received, DEFAULT_EXCEPTION};
use super::{Consumer, Timer};
use crate::log::RecordBatch;
use crate::narration::Fact;
use crate::node::Outbox;
use crate::protocol::TopicPartition;
use crate::sim::Millis;
use std::collections::VecDeque;
use std::sync::Arc;

/// What the listener did with one delivery.
enum Handled {
    /// Processed, recovered, or forwarded to a retry topic: the partition moves on.
    Done,
    /// The error handler sleeps this long, then the record is delivered again.
    BackOff(Millis),
}

impl Consumer {
    /// Keeps the fetched records' contents for the listener's rules.
    pub(super) fn keep_received(
        &mut self,
        tp: &TopicPartition,
        batches: &[Arc<RecordBatch>],
        offsets: &VecDeque<super::FetchedRecord>,
    ) {
        // Only what `poll()` will return: not the aborted records fetches pass over.
        let wanted: std::collections::BTreeSet<i64> = offsets.iter().map(|(offset, _)| *offset).collect();
        for batch in batches {
            for r in &batch.records {
                let offset = batch.offset_of(r);
                if wanted.contains(&offset) {
                    self.received.insert((tp.clone(), offset), r.record.clone());
                }
            }
        }
    }

    /// Retry-topic partitions whose paused record is due are fetched again (the container
    /// resumes them in its poll loop).
    pub(super) fn resume_due_partitions(&mut self, now: Millis) {
        self.paused_until.retain(|_, until| *until > now);
    }

    fn received(&self, tp: &TopicPartition, offset: i64) -> Received {
        let record =
            self.received.get(&(tp.clone(), offset)).cloned().unwrap_or_else(|| crate::log::Record::new(0, None, None));
        Received { topic_partition: tp.clone(), offset, record }
    }

    /// Starts the next record of the poll, or ends the batch. A retry topic's record not due
    /// yet pauses its partition first (`KafkaBackoffAwareMessageListenerAdapter` throws
    /// `KafkaBackoffException`): its records are dropped from the batch and fetched again later.
    pub(super) fn listen_next(&mut self, now: Millis, out: &mut Outbox<Timer>) {
        let Some(program) = self.app.program.clone() else { return };
        loop {
            let Some(processing) = self.processing.as_ref() else { return };
            let Some((tp, offset)) = processing.records.get(processing.done).cloned() else {
                let Some(processing) = self.processing.take() else { return };
                return self.batch_processed(processing, now, out);
            };
            let received = self.received(&tp, offset);
            if let Some(due) = received.due_at().filter(|due| *due > now as i64) {
                let until = due as Millis;
                out.fact(Fact::RetryTopicPartitionPaused {
                    consumer: self.id,
                    topic_partition: tp.clone(),
                    offset,
                    until_ms: until,
                });
                self.paused_until.insert(tp.clone(), until);
                self.seek_back(&tp, offset);
                continue;
            }
            let ms = program.rule_for(&received.record).and_then(|r| r.processing_ms);
            let token = processing.token;
            out.timer(now + ms.unwrap_or(self.app.processing_ms_per_record), Timer::ProcessingDone { token });
            return;
        }
    }

    /// Drops the batch's records of `tp` from `offset` on and moves the position back there
    /// (Spring's `SeekUtils` seeks; the next poll fetches them again).
    fn seek_back(&mut self, tp: &TopicPartition, offset: i64) {
        if let Some(processing) = self.processing.as_mut() {
            let done = processing.done;
            let mut i = done;
            while i < processing.records.len() {
                if processing.records[i].0 == *tp {
                    processing.records.remove(i);
                } else {
                    i += 1;
                }
            }
        }
        if self.assignment.contains(tp) {
            self.positions.insert(tp.clone(), offset);
            self.buffer.remove(tp);
        }
    }

    /// The listener finished (or threw on) the current record.
    pub(super) fn listener_done(&mut self, now: Millis, out: &mut Outbox<Timer>) {
        let Some(program) = self.app.program.clone() else { return };
        let Some(processing) = self.processing.as_ref() else { return };
        let Some((tp, offset)) = processing.records.get(processing.done).cloned() else { return };
        let received = self.received(&tp, offset);
        let rule = program.rule_for(&received.record);
        let origin = received.origin();
        let failure = match rule.map(|r| &r.outcome) {
            Some(Outcome::FailAlways { exception, message }) => Some((exception.clone(), message.clone())),
            Some(Outcome::FailFirst { attempts, exception, message }) => {
                let n = self.deliveries.entry(origin.clone()).or_default();
                *n += 1;
                (*n <= *attempts).then(|| (exception.clone(), message.clone()))
            }
            Some(Outcome::Succeed) | None => None,
        };
        let handled = match failure {
            None => {
                self.deliveries.remove(&origin);
                self.failed_records.remove(&tp);
                if self.capture_processed {
                    let outputs = rule.map(|r| r.outputs.as_slice()).unwrap_or_default();
                    self.program_output.extend(outputs.iter().map(|o| received.derive(o)));
                }
                Handled::Done
            }
            Some((exception, message)) => {
                self.listener_threw(&program.error_handler, &received, &exception, &message, now, out)
            }
        };
        match handled {
            Handled::Done => {
                self.received.remove(&(tp.clone(), offset));
                let Some(processing) = self.processing.as_mut() else { return };
                if self.capture_processed {
                    self.processed_output.push((tp, offset));
                }
                processing.done += 1;
                self.listen_next(now, out);
            }
            Handled::BackOff(ms) => {
                self.backing_off_until = Some(now + ms);
                let Some(processing) = self.processing.as_ref() else { return };
                out.timer(now + ms, Timer::BackOffDone { token: processing.token });
            }
        }
    }

    /// The container hands the exception to its error handler.
    fn listener_threw(
        &mut self,
        handler: &ErrorHandler,
        received: &Received,
        exception: &str,
        message: &str,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) -> Handled {
        let exception = if exception.is_empty() { DEFAULT_EXCEPTION } else { exception };
        self.listener_stats.failures += 1;
        let tp = &received.topic_partition;
        let group = self.config.group_id.clone();
        match handler {
            ErrorHandler::Default { back_off, recoverer } => {
                // `FailedRecordTracker`: attempts count per partition while the same offset fails.
                let entry = self.failed_records.entry(tp.clone()).or_insert((received.offset, 0));
                if entry.0 != received.offset {
                    *entry = (received.offset, 0);
                }
                entry.1 += 1;
                let attempt = entry.1;
                out.fact(Fact::ListenerFailed {
                    consumer: self.id,
                    topic_partition: tp.clone(),
                    offset: received.offset,
                    attempt,
                    exception: exception.to_string(),
                });
                if let Some(ms) = back_off.delay(attempt) {
                    out.fact(Fact::ErrorHandlerBackOff {
                        consumer: self.id,
                        topic_partition: tp.clone(),
                        offset: received.offset,
                        retry: attempt,
                        back_off_ms: ms,
                        exponential: matches!(back_off, super::program::BackOff::Exponential { .. }),
                        unlimited: back_off.unlimited(),
                    });
                    self.listener_stats.back_offs += 1;
                    return Handled::BackOff(ms);
                }
                self.failed_records.remove(tp);
                self.deliveries.remove(&received.origin());
                let dead_letter_topic = recoverer.dead_letter_topic(&tp.topic);
                self.listener_stats.recovered += 1;
                self.listener_stats.dead_lettered += u64::from(dead_letter_topic.is_some());
                if let (Some(topic), true) = (&dead_letter_topic, self.capture_processed) {
                    let record =
                        received.dead_letter(topic, Some(tp.partition), "kafka_dlt-", exception, message, &group);
                    self.program_output.push(record);
                }
                out.fact(Fact::RecordRecovered {
                    consumer: self.id,
                    topic_partition: tp.clone(),
                    offset: received.offset,
                    attempts: attempt,
                    dead_letter_topic,
                });
                Handled::Done
            }
            ErrorHandler::RetryableTopic { .. } => {
                let attempt = received.attempts();
                out.fact(Fact::ListenerFailed {
                    consumer: self.id,
                    topic_partition: tp.clone(),
                    offset: received.offset,
                    attempt,
                    exception: exception.to_string(),
                });
                let (main, _) = received.origin();
                let chain = handler.retry_destinations(&main.topic);
                // `DefaultDestinationTopicResolver`: attempt n (1 = the main topic) goes to
                // hop n-1, the last retry topic is reused for equal delays, then the DLT.
                let index = (attempt as usize).saturating_sub(1).min(chain.len().saturating_sub(1));
                let Some(destination) = chain.get(index) else { return Handled::Done };
                if self.capture_processed {
                    let record = if destination.dlt {
                        received.dead_letter(
                            &destination.topic,
                            Some(tp.partition),
                            "kafka_",
                            exception,
                            message,
                            &group,
                        )
                    } else {
                        received.forward(destination, now, exception, message, &group)
                    };
                    self.program_output.push(record);
                }
                if destination.dlt {
                    self.deliveries.remove(&received.origin());
                    self.listener_stats.dead_lettered += 1;
                } else {
                    self.listener_stats.forwarded += 1;
                }
                out.fact(Fact::RecordForwarded {
                    consumer: self.id,
                    topic_partition: tp.clone(),
                    offset: received.offset,
                    attempt,
                    destination: destination.topic.clone(),
                    delay_ms: destination.delay_ms,
                    dlt: destination.dlt,
                });
                Handled::Done
            }
        }
    }

    /// `DefaultErrorHandler`'s back-off is over: `SeekUtils.seekOrRecover` seeks the failed
    /// record's partition (and the rest of the poll's) back; the records done before it count as
    /// processed and are committed as the commit mode says, then the next poll redelivers.
    pub(super) fn back_off_done(&mut self, now: Millis, out: &mut Outbox<Timer>) {
        self.backing_off_until = None;
        let Some(mut processing) = self.processing.take() else { return };
        let remaining = processing.records.split_off(processing.done);
        self.rewind_to(&remaining);
        self.batch_processed(processing, now, out);
    }
}
