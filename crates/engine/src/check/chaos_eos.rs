//! The exactly-once workload of `kafkalab chaos --workload eos`: a producer writes an input
//! topic; two processors (a read_committed consumer and a transactional producer each, linked
//! as one application) copy each input record to an output topic with its input offset, in
//! transactions that also commit the input offsets; a read_committed verifier reads the output.
//! With `--eos false` the processors are at-least-once (plain sends, commitSync after
//! processing). The report counts input records missing from the committed output, input
//! records committed more than once, and aborted records the verifier returned.

use crate::cluster::processor::output_record;
use crate::cluster::{Action, ActionError, ActionOutcome, World};
use crate::consumer::{CommitMode, ConsumerApp};
use crate::producer::stream::KeyPattern;
use crate::protocol::TopicPartition;
use crate::view::processor::committed_view;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, BTreeSet};

pub const INPUT: &str = "input";
pub const OUTPUT: &str = "output";
const PARTITIONS: i32 = 3;
const PROCESSORS: u32 = 2;
const RECORDS_PER_SEC: u32 = 50;
const PROCESSOR_GROUP: &str = "eos-processors";
const VERIFIER_GROUP: &str = "eos-verifier";

/// The three counts the eos workload adds to the chaos report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EosCounts {
    pub missing: u64,
    pub duplicates: u64,
    pub aborted_read: u64,
}

/// Topics, the input producer, the processors and the verifier.
pub(super) fn setup(
    world: &mut World,
    replication_factor: i32,
    topic_configs: &[(String, String)],
    acks: &str,
    eos: bool,
) -> Result<(), ActionError> {
    for topic in [INPUT, OUTPUT] {
        world.apply(Action::CreateTopic {
            name: topic.into(),
            partitions: PARTITIONS,
            replication_factor,
            configs: topic_configs.to_vec(),
        })?;
    }
    world.run_until(300);
    let pairs = |list: &[(&str, &str)]| list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    if let ActionOutcome::ProducerAdded { producer } =
        world.apply(Action::AddProducer { name: "input-producer".into(), configs: pairs(&[("acks", acks)]) })?
    {
        world.apply(Action::StartStream {
            producer,
            topic: INPUT.into(),
            records_per_sec: RECORDS_PER_SEC,
            keys: KeyPattern::Cycle { prefix: "k".into(), count: 30 },
        })?;
    }
    for i in 0..PROCESSORS {
        let name = format!("processor-{i}");
        let consumer_configs = [
            ("group.id", PROCESSOR_GROUP),
            ("auto.offset.reset", "earliest"),
            ("enable.auto.commit", "false"),
            ("isolation.level", "read_committed"),
            ("session.timeout.ms", "10000"),
            ("heartbeat.interval.ms", "1000"),
            // A batch takes well under a second to process. The JoinGroup request's timeout is
            // this plus 5 s (`AbstractCoordinator.joinGroupTimeoutMs`): with Kafka's 5 minutes, a
            // JoinGroup lost on a cut link would outlast the run's settling time.
            ("max.poll.interval.ms", "60000"),
        ];
        let commit = if eos { CommitMode::Transactional } else { CommitMode::SyncAfterProcessing };
        let app = ConsumerApp { processing_ms_per_record: 1, commit, ..ConsumerApp::default() };
        let ActionOutcome::ConsumerAdded { consumer } = world.apply(Action::AddConsumer {
            name: name.clone(),
            topics: vec![INPUT.into()],
            configs: pairs(&consumer_configs),
            app,
        })?
        else {
            continue;
        };
        let id = format!("{name}-txn");
        let mut producer_configs = vec![("acks", acks)];
        if eos {
            producer_configs.extend([("transactional.id", id.as_str()), ("transaction.timeout.ms", "20000")]);
        }
        let ActionOutcome::ProducerAdded { producer } =
            world.apply(Action::AddProducer { name: format!("{name}-producer"), configs: pairs(&producer_configs) })?
        else {
            continue;
        };
        world.apply(Action::LinkProcessor { consumer, producer, output_topic: Some(OUTPUT.into()) })?;
    }
    let verifier =
        [("group.id", VERIFIER_GROUP), ("auto.offset.reset", "earliest"), ("isolation.level", "read_committed")];
    if let ActionOutcome::ConsumerAdded { consumer } = world.apply(Action::AddConsumer {
        name: "verifier".into(),
        topics: vec![OUTPUT.into()],
        configs: pairs(&verifier),
        app: ConsumerApp { processing_ms_per_record: 1, commit: CommitMode::Auto, ..ConsumerApp::default() },
    })? {
        world.capture_processed(consumer);
    }
    Ok(())
}

/// A processor crash (both of its clients, one application process) or its restart.
pub(super) fn processor_fault(world: &mut World, rng: &mut ChaCha8Rng) -> bool {
    let processors: Vec<(u32, u32)> = world.processors().map(|p| (p.consumer, p.producer)).collect();
    let Some(&(consumer, producer)) = processors.get(rng.random_range(0..processors.len().max(1))) else {
        return false;
    };
    if world.consumer_running(consumer) {
        let crashed = world.apply(Action::CrashConsumer { consumer }).is_ok();
        crashed && world.apply(Action::CrashProducer { producer }).is_ok()
    } else {
        let restarted = world.apply(Action::RestartProducer { producer }).is_ok();
        restarted && world.apply(Action::RestartConsumer { consumer }).is_ok()
    }
}

/// Every input record must be in the committed output exactly once; the verifier must never
/// have returned a record of an aborted transaction.
pub(super) fn count(world: &World) -> EosCounts {
    let mut copies: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
    let mut aborted: BTreeMap<TopicPartition, BTreeSet<i64>> = BTreeMap::new();
    for p in 0..PARTITIONS {
        let tp = TopicPartition::new(OUTPUT, p);
        let (records, aborted_offsets) = committed_view(world, &tp);
        for value in records.into_values() {
            *copies.entry(value).or_default() += 1;
        }
        aborted.insert(tp, aborted_offsets);
    }
    let mut counts = EosCounts::default();
    for p in 0..PARTITIONS {
        let tp = TopicPartition::new(INPUT, p);
        let (records, _) = committed_view(world, &tp);
        for offset in records.keys() {
            let expected = output_record(OUTPUT, &tp, *offset).value.unwrap_or_default();
            match copies.get(&expected).copied().unwrap_or(0) {
                0 => counts.missing += 1,
                n => counts.duplicates += n - 1,
            }
        }
    }
    // The verifier keeps every offset it returned: exact, unlike the processed ranges.
    for verifier in world.consumers().filter(|c| c.config.group_id == VERIFIER_GROUP) {
        for (tp, offset) in verifier.processed_records_kept() {
            counts.aborted_read += u64::from(aborted.get(tp).is_some_and(|a| a.contains(offset)));
        }
    }
    counts
}
