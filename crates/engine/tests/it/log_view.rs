//! The partition-centred views and Kafka's metrics, read as engine facts on the built-in
//! scenarios: lost acknowledged records, duplicates, committed offsets and lag, and the
//! under-replicated partition count around a failover.

use kafkalab_engine::narration::Fact;
use kafkalab_engine::protocol::TopicPartition;
use kafkalab_engine::scenario::{self, ScenarioRun};
use kafkalab_engine::sim::NodeId;
use kafkalab_engine::view::log::{OffsetState, PartitionLogView};

fn run(name: &str) -> ScenarioRun {
    let builtin = scenario::builtin().into_iter().find(|b| b.name == name).expect("built-in scenario");
    ScenarioRun::new(scenario::parse(builtin.text).unwrap(), None).unwrap()
}

/// Acknowledged records not at their offset (same key and value) on their partition's leader,
/// checked the slow way from every producer's acknowledged log.
fn acked_missing_from_leaders(run: &ScenarioRun) -> usize {
    let world = run.world();
    let mut missing = 0;
    for record in world.producers().flat_map(|p| p.acked_log.iter().flatten()).filter(|r| r.offset >= 0) {
        let leader = world.metadata().partition(&record.topic_partition).unwrap().leader;
        let replica = &world.broker(leader).unwrap().durable.replicas[&record.topic_partition];
        let present = replica.log.batches().any(|stored| {
            stored.batch.records.iter().any(|x| {
                stored.batch.offset_of(x) == record.offset
                    && x.record.key == record.key
                    && x.record.value == record.value
            })
        });
        missing += usize::from(!present);
    }
    missing
}

/// How many offsets the audit marks lost in all partitions.
fn lost_offsets(run: &ScenarioRun) -> usize {
    run.world()
        .partition_logs(None, 0)
        .iter()
        .flat_map(|p| &p.lost)
        .map(|l| (l.last_offset - l.first_offset + 1) as usize)
        .sum()
}

#[test]
fn the_audit_counts_the_same_lost_records_as_the_leaders_logs() {
    for (name, at) in [("unclean-election", 45_000), ("leader-failover", 60_000), ("idempotence", 30_000)] {
        let mut run = run(name);
        run.seek(at);
        assert_eq!(lost_offsets(&run), acked_missing_from_leaders(&run), "{name}");
        assert_eq!(lost_offsets(&run) > 0, name == "unclean-election", "{name}");
    }
}

fn states(log: &PartitionLogView, broker: i32) -> Vec<(i64, OffsetState)> {
    let replica = log.replicas.iter().find(|r| r.broker == broker).expect("replica");
    replica.batches.iter().flat_map(|b| b.records.iter().map(|r| (r.offset, r.state))).collect()
}

/// Every replica's strip agrees with the View and the replica state it was built from.
fn assert_agrees_with_view(run: &ScenarioRun, log: &PartitionLogView) {
    let view = run.world().view();
    for replica in &log.replicas {
        let broker = view.brokers.iter().find(|b| b.id == replica.broker).unwrap();
        let r = broker.replicas.iter().find(|r| r.topic == log.topic && r.partition == log.partition).unwrap();
        assert_eq!(
            (replica.log_start_offset, replica.log_end_offset, replica.high_watermark),
            (r.log_start_offset, r.log_end_offset, r.high_watermark),
            "broker {}",
            replica.broker
        );
        if let Some(last) = replica.batches.last() {
            assert_eq!(last.last_offset + 1, replica.log_end_offset, "the newest cell ends at the LEO");
        }
    }
    let leader = view.brokers.iter().find(|b| b.id == log.leader).unwrap();
    let r = leader.replicas.iter().find(|r| r.topic == log.topic && r.partition == log.partition).unwrap();
    assert_eq!(log.high_watermark, r.high_watermark, "the partition's HW is its leader's");
}

#[test]
fn unclean_election_marks_acknowledged_records_lost() {
    let mut run = run("unclean-election");
    let tp = TopicPartition::new("metrics", 0);
    run.seek(9_000);
    assert!(run.world().partition_log(&tp, 1000).unwrap().lost.is_empty(), "nothing lost before the kill");
    run.seek(24_000);
    let log = run.world().partition_log(&tp, 1000).unwrap();
    assert_eq!(log.leader, 3, "the unclean leader took over");
    assert!(!log.lost.is_empty(), "acknowledged records only broker 2 had are lost");
    let lost = &log.lost[0];
    assert!(lost.acked_at_ms >= 3_000 && lost.acked_at_ms < 10_000 && lost.lost_at_ms >= 10_000, "{lost:?}");
    assert!(
        states(&log, 2).iter().any(|(_, s)| *s == OffsetState::Lost),
        "the dead old leader still holds the lost records"
    );
    assert!(states(&log, 3).iter().all(|(_, s)| *s != OffsetState::Lost), "the new leader never had them");
    assert!(run
        .world()
        .facts()
        .any(|f| matches!(&f.fact, Fact::AckedRecordsLost { topic_partition, .. } if *topic_partition == tp)));
    assert_agrees_with_view(&run, &log);
    run.seek(40_000);
    let after = run.world().partition_log(&tp, 1000).unwrap();
    assert_eq!(after.lost.first(), Some(lost), "the loss stays marked after broker 2 truncates");
    assert!(states(&after, 2).iter().all(|(_, s)| *s != OffsetState::Lost), "broker 2 truncated them away");
    assert_agrees_with_view(&run, &after);
}

#[test]
fn a_retry_without_idempotence_is_marked_duplicate_on_both_copies() {
    let mut run = run("idempotence");
    run.seek(15_000);
    let plain = run.world().partition_log(&TopicPartition::new("plain", 0), 10_000).unwrap();
    assert!(!plain.duplicates.is_empty(), "the plain producer's retries wrote records twice");
    let d = &plain.duplicates[0];
    assert!(d.duplicate_offset > d.original_offset && d.count > 0);
    let leader = states(&plain, plain.leader);
    for offset in [d.original_offset, d.duplicate_offset] {
        assert!(leader.contains(&(offset, OffsetState::Duplicate)), "offset {offset} is marked");
    }
    let safe = run.world().partition_log(&TopicPartition::new("safe", 0), 10_000).unwrap();
    assert!(safe.duplicates.is_empty(), "the idempotent producer's retries were dropped by the broker");
    assert!(states(&safe, safe.leader).iter().all(|(_, s)| *s != OffsetState::Duplicate));
    assert_agrees_with_view(&run, &plain);
}

#[test]
fn consumer_scale_out_commits_advance_and_lag_is_reported() {
    let mut run = run("consumer-scale-out");
    let committed = |run: &ScenarioRun| -> i64 {
        let groups = run.world().group_logs();
        let group = groups.iter().find(|g| g.group_id == "workers").expect("group");
        group.committed.iter().map(|c| c.offset).sum()
    };
    run.seek(10_000);
    let early = committed(&run);
    run.seek(30_000);
    let late = committed(&run);
    assert!(late > early, "committed offsets advance: {early} -> {late}");
    let groups = run.world().group_logs();
    let group = groups.iter().find(|g| g.group_id == "workers").unwrap();
    assert!(group.coordinator.is_some());
    assert!(group.generations.len() >= 2, "every new member made a generation");
    assert!(group.generations.iter().all(|g| g.stable_at_ms.is_some() || g.assignment.is_empty()));
    let positions: Vec<_> = group.members.iter().flat_map(|m| &m.positions).collect();
    assert_eq!(positions.len(), 3, "each of the 3 partitions has one owner");
    for p in &positions {
        let hw = run.world().high_watermark(&TopicPartition::new(&p.topic, p.partition));
        assert_eq!(p.lag, (hw - p.position).max(0));
    }
    assert!(group.members.iter().filter(|m| m.running).count() == 4);
    assert!(group.members.iter().any(|m| m.idle), "four members on three partitions: one is idle");
    assert_eq!(group.records_lag_max, positions.iter().map(|p| p.lag).max().unwrap());
    assert_eq!(run.world().metrics_now().records_lag_max, group.records_lag_max);
}

#[test]
fn leader_failover_raises_and_clears_under_replicated_partitions() {
    let mut run = run("leader-failover");
    run.seek(9_500);
    assert_eq!(run.world().metrics_now().under_replicated_partitions, 0);
    run.seek(20_000);
    let during = run.world().metrics_now();
    assert!(during.under_replicated_partitions > 0, "{during:?}");
    assert_eq!(during.active_controller_count, 1);
    let series: Vec<u32> =
        run.world().metrics().samples_between(10_000, 20_000).map(|s| s.under_replicated_partitions).collect();
    assert!(series.len() >= 9 && series.iter().any(|n| *n > 0), "{series:?}");
    let delta = run.world().metrics().last_fault_delta().expect("the kill is the last fault");
    assert_eq!((delta.fault, delta.fault_at_ms), ("BrokerStopped", 10_000));
    assert_eq!(delta.before.under_replicated_partitions, 0);
    assert!(delta.after.under_replicated_partitions > 0);
    assert!(
        during.leader_election_rate >= 0.0
            && run.world().metrics().samples_between(10_000, 20_000).any(|s| s.leader_election_rate > 0.0)
    );
    run.seek(50_000);
    let after = run.world().metrics_now();
    assert_eq!(after.under_replicated_partitions, 0, "{after:?}");
    assert!(after.messages_in_per_sec > 0.0 && after.bytes_in_per_sec > 0.0);
    assert!(after.request_latency_avg > 0.0, "{after:?}");
}

#[test]
fn metrics_and_messages_survive_a_seek_back() {
    let mut run = run("leader-failover");
    run.seek(20_000);
    let samples: Vec<_> = run.world().metrics().samples_between(0, 20_000).copied().collect();
    let ids = |run: &ScenarioRun, from: u64| -> Vec<Option<u64>> {
        run.world().messages_between(from, 20_000).iter().map(|m| m.id).collect()
    };
    let messages = ids(&run, 19_000);
    run.seek(25_000);
    run.seek(20_000);
    let again: Vec<_> = run.world().metrics().samples_between(0, 20_000).copied().collect();
    assert_eq!(samples, again, "the series is part of the world's state");
    let complete_from = run.world().message_log().complete_from_ms();
    assert!(complete_from < 20_000);
    let kept: Vec<Option<u64>> = ids(&run, complete_from.max(19_000));
    assert!(!kept.is_empty() && messages.ends_with(&kept), "a replay records the same messages");
    let window = run.world().messages_between(19_000, 20_000);
    assert!(window.iter().any(|m| m.kind == "FetchRequest" && m.from == NodeId::Broker(1)));
    let produce = window.iter().find(|m| m.kind == "ProduceRequest").expect("a produce request");
    assert!(produce.fields()["batches"].is_u64(), "record batches are summarised: {}", produce.fields());
}
