//! Every built-in scenario parses, runs to its end with no invariant violation and no refused
//! step, and shows its learning point.

use kafkalab_engine::check::invariants::InvariantChecker;
use kafkalab_engine::cluster::{TimedFact, World};
use kafkalab_engine::narration::{Fact, PositionSource, ReadReplicaFallback};
use kafkalab_engine::protocol::{ErrorCode, TopicPartition};
use kafkalab_engine::scenario::{self, ScenarioRun};
use std::collections::{BTreeMap, BTreeSet};

/// Each partition's log on its current leader: (offset, key, value).
fn leader_log(world: &World, tp: &TopicPartition) -> Vec<(i64, Option<String>, Option<String>)> {
    let leader = world.metadata().partitions().find(|(p, _)| p == tp).map(|(_, r)| r.leader).expect("partition");
    let replica = &world.broker(leader).expect("leader").durable.replicas[tp];
    let text = |b: &Option<Vec<u8>>| b.as_ref().map(|b| String::from_utf8_lossy(b).into_owned());
    replica
        .log
        .batches()
        .flat_map(|stored| {
            stored.batch.records.iter().map(|r| (stored.batch.offset_of(r), text(&r.record.key), text(&r.record.value)))
        })
        .collect()
}

/// (whether anything was acknowledged, how many acknowledged records are gone from the
/// leader's log at the offset the producer was told).
fn lost_acked(run: &ScenarioRun) -> (bool, usize) {
    let world = run.world();
    let mut logs = BTreeMap::new();
    let mut acked = 0;
    let mut lost = 0;
    for producer in world.producers() {
        for record in producer.acked_log.iter().flatten() {
            acked += 1;
            let log = logs
                .entry(record.topic_partition.clone())
                .or_insert_with(|| leader_log(world, &record.topic_partition));
            let key = record.key.as_ref().map(|k| String::from_utf8_lossy(k).into_owned());
            let value = record.value.as_ref().map(|v| String::from_utf8_lossy(v).into_owned());
            if !log.iter().any(|(o, k, v)| *o == record.offset && *k == key && *v == value) {
                lost += 1;
            }
        }
    }
    (acked > 0, lost)
}

/// Runs the built-in scenario `name` to its duration, checking invariants after every event;
/// returns the run and every fact.
pub(crate) fn run(name: &str) -> (ScenarioRun, Vec<TimedFact>) {
    let builtin =
        scenario::builtin().into_iter().find(|b| b.name == name).unwrap_or_else(|| panic!("no scenario {name}"));
    let parsed = scenario::parse(builtin.text).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(parsed.name, name, "the file name is the scenario name");
    let duration = parsed.duration_ms;
    let mut run = ScenarioRun::new(parsed, None).unwrap();
    let mut checker = InvariantChecker::default();
    let mut facts = Vec::new();
    let mut seen = 0;
    let collect = |run: &ScenarioRun, facts: &mut Vec<TimedFact>, seen: &mut u64| {
        assert!(run.world().fact_count() - *seen <= run.world().config().fact_history as u64, "facts were dropped");
        facts.extend(run.world().facts().filter(|f| f.index >= *seen).cloned());
        *seen = run.world().fact_count();
    };
    collect(&run, &mut facts, &mut seen);
    while run.world().next_event_time().is_some_and(|t| t <= duration)
        || run.scenario().steps.iter().any(|s| s.at_ms > run.now())
    {
        if !run.step_event() {
            break;
        }
        checker.check(run.world());
        collect(&run, &mut facts, &mut seen);
    }
    run.seek(duration);
    collect(&run, &mut facts, &mut seen);
    let violations: Vec<&String> = checker.violations().collect();
    assert!(violations.is_empty(), "{name}: {violations:?}");
    assert!(run.failures().is_empty(), "{name}: refused steps {:?}", run.failures());
    for f in facts.iter().filter(|f| !f.fact.salience().is_routine()) {
        println!("{:>7} {}", f.at_ms, serde_json::to_string(&f.fact).unwrap());
    }
    (run, facts)
}

#[test]
fn sandbox_is_three_idle_brokers() {
    let (run, _) = run("sandbox");
    assert_eq!(run.world().brokers().count(), 3);
    assert_eq!(run.world().metadata().topics.len(), 0);
}

#[test]
fn leader_failover_elects_new_leaders_and_loses_nothing() {
    let (run, facts) = run("leader-failover");
    assert_eq!(lost_acked(&run), (true, 0), "acks=all with min.insync.replicas=2 loses nothing");
    assert!(facts.iter().any(|f| matches!(f.fact, Fact::LeaderElected { previous_leader: 2, leader, unclean: false, .. } if leader != 2 && leader > 0)));
}

/// KIP-455: the reassignment completes only once the new replica (broker 4) is in the ISR; the
/// old leader's replica goes, and no acknowledged record is lost while the producer writes.
#[test]
fn partition_reassignment_completes_after_the_new_replica_joins_the_isr() {
    let (run, facts) = run("partition-reassignment");
    let tp = TopicPartition::new("orders", 0);
    let position = |p: &dyn Fn(&Fact) -> bool| facts.iter().position(|f| p(&f.fact));
    let started = position(&|f| matches!(f, Fact::PartitionReassignmentStarted { adding, .. } if adding == &vec![4]))
        .expect("the reassignment started");
    let completed =
        position(&|f| matches!(f, Fact::PartitionReassignmentCompleted { replicas, .. } if replicas == &vec![2, 3, 4]))
            .expect("the reassignment completed");
    // Broker 4 copies the backlog one batch per fetch: the move waits for it, and completes with
    // it in the ISR.
    assert_eq!(facts[started].at_ms, 12_000);
    assert!(
        facts[completed].at_ms >= facts[started].at_ms + 3_000,
        "completed at {} ms, before broker 4 could catch up",
        facts[completed].at_ms
    );
    assert!(matches!(
        facts[completed..].iter().map(|f| &f.fact).find(|f| matches!(f, Fact::LeaderElected { .. })),
        Some(Fact::LeaderElected { leader: 2, previous_leader: 1, isr, .. }) if isr.contains(&4)
    ));
    assert!(facts
        .iter()
        .any(|f| matches!(&f.fact, Fact::ReplicaDeleted { broker: 1, topic_partition, .. } if *topic_partition == tp)));
    let partition = run.world().metadata().partition(&tp).unwrap().clone();
    assert_eq!((partition.replicas, partition.leader), (vec![2, 3, 4], 2));
    assert_eq!(lost_acked(&run), (true, 0), "acks=all loses nothing while the partition moves");
}

#[test]
fn key_ordering_keeps_each_key_in_one_partition_in_send_order() {
    let (run, _) = run("key-ordering");
    let mut partitions_of: BTreeMap<String, BTreeSet<i32>> = BTreeMap::new();
    for p in 0..4 {
        let tp = TopicPartition::new("payments", p);
        let mut last_seq: BTreeMap<String, i64> = BTreeMap::new();
        for (_, key, value) in leader_log(run.world(), &tp) {
            let Some(key) = key else { continue };
            partitions_of.entry(key.clone()).or_default().insert(p);
            let value = value.unwrap_or_default();
            // The stream's values count up (`v0`, `v1`, ...); the `refund` sent by a step is not numbered.
            let Some(seq) = value.strip_prefix('v').and_then(|n| n.parse::<i64>().ok()) else { continue };
            let last = last_seq.insert(key.clone(), seq).unwrap_or(-1);
            assert!(seq > last, "{key}: {value} after v{last} in partition {p}");
        }
    }
    assert_eq!(partitions_of.len(), 6, "six keys: {partitions_of:?}");
    assert!(partitions_of.values().all(|ps| ps.len() == 1), "one partition per key: {partitions_of:?}");
    assert!(partitions_of.values().flatten().collect::<BTreeSet<_>>().len() > 1, "keys spread over partitions");
    let consumer = run.world().consumers().next().unwrap();
    assert!(consumer.processed_records > 500, "the consumer read them: {}", consumer.processed_records);
}

/// A fresh run of the built-in scenario `name` (no invariant checks: for looking at one moment).
fn start(name: &str) -> ScenarioRun {
    let builtin = scenario::builtin().into_iter().find(|b| b.name == name).expect("built-in");
    let mut parsed = scenario::parse(builtin.text).unwrap();
    parsed.world.fact_history = 100_000;
    ScenarioRun::new(parsed, None).unwrap()
}

/// Plays to the arrival of the note of the first step whose note contains `text` (English) and
/// returns its time and highlight: where the note says its point shows.
fn play_to_note(run: &mut ScenarioRun, text: &str) -> (u64, Vec<String>) {
    let index = run
        .scenario()
        .steps
        .iter()
        .position(|s| s.note.as_ref().is_some_and(|n| n.en.contains(text)))
        .unwrap_or_else(|| panic!("no note says {text:?}"));
    let end = run.scenario().duration_ms;
    while run.note_arrival(index).is_none_or(|at| at > run.now()) {
        assert!(run.play_to(end).is_some(), "the note {text:?} never arrives");
    }
    let at = run.note_arrival(index).unwrap();
    run.seek(at);
    (at, run.scenario().steps[index].highlight.clone())
}

#[test]
fn every_note_of_every_builtin_scenario_arrives_in_time() {
    for builtin in scenario::builtin() {
        let mut run = start(builtin.name);
        let end = run.scenario().duration_ms;
        let mut stops = Vec::new();
        while let Some(index) = run.play_to(end) {
            stops.push((run.now(), index));
        }
        let notes = run.scenario().steps.iter().filter(|s| s.note.is_some()).count();
        let reached = run.notes_reached();
        assert_eq!(reached.len(), notes, "{}: every note arrives before the end", builtin.name);
        assert!(stops.windows(2).all(|w| w[0].0 <= w[1].0), "{}: in time order {stops:?}", builtin.name);
        for (index, at, step) in reached {
            assert!(at >= step.at_ms, "{}: step {index} arrived before its time", builtin.name);
        }
    }
}

/// slow-follower: the note about the ISR shrink arrives with the shrink, not seconds later.
#[test]
fn a_fact_tied_note_arrives_with_its_fact() {
    let mut run = start("slow-follower");
    let (at, highlight) = play_to_note(&mut run, "removes it from the ISR");
    let shrink = run
        .world()
        .facts()
        .find(|f| matches!(&f.fact, Fact::IsrChanged { removed, .. } if removed == &vec![5]))
        .expect("the ISR shrank");
    assert_eq!(at, shrink.at_ms);
    assert_eq!(highlight, vec!["broker-5".to_string(), "payments-0".to_string()]);
    let isr = run.world().metadata().partitions().find(|(tp, _)| tp.topic == "payments").map(|(_, r)| r.isr.clone());
    assert_eq!(isr, Some(vec![3, 4]), "at the note, the ISR is what it says");
}

#[test]
fn the_summary_counts_what_the_scenario_shows() {
    let mut run = start("unclean-election");
    run.seek(run.scenario().duration_ms);
    let summary = scenario::summary(run.world());
    assert!(summary.records_acked > 0 && summary.acked_lost > 0, "{summary:?}");
    let mut run = start("eager-vs-cooperative");
    run.seek(run.scenario().duration_ms);
    let summary = scenario::summary(run.world());
    assert!(summary.rebalances >= 4 && summary.longest_rebalance_ms >= 3_000, "{summary:?}");
    assert_eq!(summary.acked_lost, 0, "retention and compaction are not loss");
    let mut run = start("retention-compaction");
    run.seek(run.scenario().duration_ms);
    assert_eq!(scenario::summary(run.world()).acked_lost, 0, "retention and compaction are not loss");
    let mut run = start("idempotence");
    run.seek(run.scenario().duration_ms);
    assert!(scenario::summary(run.world()).duplicates_in_log > 0, "the plain producer's retries");
}

/// The stream's null-key records reach every partition, so each owner has something to read:
/// Kafka's `BuiltInPartitioner.updatePartitionInfo` moves on after `batch.size` bytes of
/// batches, headers included (`RecordAccumulator.append`), every ~180 records here. At the last
/// note, exactly the members beyond the partition count (worker-4 and worker-5) are idle.
#[test]
fn consumers_beyond_the_partition_count_stay_idle() {
    let mut at_note = start("consumer-scale-out");
    let (_, highlight) = play_to_note(&mut at_note, "worker-5 is idle too");
    let idle: Vec<String> =
        at_note.world().consumers().filter(|c| c.assignment.is_empty()).map(|c| c.name.clone()).collect();
    assert_eq!(idle, vec!["worker-4".to_string(), "worker-5".to_string()]);
    assert_eq!(highlight, idle, "the note points at the idle members");
    let (run, facts) = run("consumer-scale-out");
    for partition in 0..3 {
        let tp = TopicPartition::new("events", partition);
        assert!(!leader_log(run.world(), &tp).is_empty(), "no record reached {tp}");
    }
    let owned: Vec<usize> = run.world().consumers().map(|c| c.assignment.len()).collect();
    assert_eq!(owned.len(), 5);
    assert_eq!(owned.iter().sum::<usize>(), 3, "{owned:?}");
    assert_eq!(owned.iter().filter(|n| **n == 0).count(), 2, "two idle consumers: {owned:?}");
    assert!(
        facts.iter().filter(|f| matches!(f.fact, Fact::GenerationStable { .. })).count() >= 5,
        "a rebalance per join"
    );
}

#[test]
fn a_slow_follower_leaves_the_isr_and_acks_all_gets_not_enough_replicas() {
    let (run, facts) = run("slow-follower");
    let shrink = facts
        .iter()
        .find(|f| matches!(&f.fact, Fact::IsrChanged { removed, .. } if removed == &vec![5]))
        .expect("ISR shrink");
    assert!(facts.iter().any(|f| f.at_ms > shrink.at_ms
        && matches!(
            f.fact,
            Fact::ProduceFailed { error: kafkalab_engine::protocol::ErrorCode::NotEnoughReplicas, .. }
        )));
    assert!(
        facts
            .iter()
            .any(|f| f.at_ms > 32_000 && matches!(&f.fact, Fact::IsrChanged { added, .. } if added.contains(&5))),
        "it rejoins"
    );
    assert_eq!(
        run.world().metadata().partitions().find(|(tp, _)| tp.topic == "payments").map(|(_, r)| r.isr.len()),
        Some(3)
    );
}

#[test]
fn unclean_election_loses_acknowledged_records() {
    let (run, facts) = run("unclean-election");
    assert!(facts.iter().any(|f| matches!(f.fact, Fact::LeaderElected { leader: 3, unclean: true, .. })));
    let (acked, lost) = lost_acked(&run);
    assert!(acked && lost > 0, "acknowledged records are gone: {lost}");
}

/// KIP-320 (`SubscriptionState.maybeCompleteValidation`): after the unclean election the
/// consumer validates its position with the new leader, finds the old epoch ends below it, and
/// moves back to that diverging offset instead of reading past the new leader's records. The
/// idempotent producer meets the sequence gap and bumps its epoch itself (KIP-360).
#[test]
fn a_consumer_detects_the_truncation_after_an_unclean_election() {
    let (_, facts) = run("truncation-detection");
    let elected = facts
        .iter()
        .find(|f| matches!(f.fact, Fact::LeaderElected { leader: 3, unclean: true, .. }))
        .expect("broker 3 is elected uncleanly");
    let truncation = facts.iter().find_map(|f| match &f.fact {
        Fact::LogTruncationDetected { position, end_offset, reset_to, offset_epoch, .. } if f.at_ms > elected.at_ms => {
            Some((*position, *end_offset, *reset_to, *offset_epoch))
        }
        _ => None,
    });
    let (position, end_offset, reset_to, offset_epoch) = truncation.expect("the consumer detects the truncation");
    assert!(end_offset < position, "the new leader's log ends the epoch below the position");
    assert_eq!(reset_to, Some(end_offset), "auto.offset.reset moves it back to the diverging offset");
    assert!(offset_epoch >= 0);
    let positions_after: Vec<i64> = facts
        .iter()
        .filter(|f| f.at_ms > elected.at_ms)
        .filter_map(|f| match &f.fact {
            Fact::RecordsProcessed { first_offset, .. } => Some(*first_offset),
            _ => None,
        })
        .collect();
    assert_eq!(positions_after.first(), Some(&end_offset), "it reads the new leader's records from there");
    assert!(facts.iter().any(|f| f.at_ms > elected.at_ms && matches!(f.fact, Fact::ProducerEpochBumped { .. })));
    assert!(!facts.iter().any(|f| matches!(f.fact, Fact::ProduceFailed { will_retry: false, .. })));
    assert!(!facts.iter().any(|f| matches!(f.fact, Fact::RecordsSkipped { .. })), "nothing is silently skipped");
    let twice = facts.iter().any(|f| matches!(f.fact, Fact::DuplicatesProcessed { .. }));
    assert!(!twice, "the new leader's records at reused offsets are new records, not processed twice");
}

/// KIP-320 for a consumer that was not running: archiver commits (with the records' leader epoch,
/// `SubscriptionState.allConsumed`) in records only broker 2 holds, stops, and starts again after
/// the unclean election. `ConsumerCoordinator.refreshCommittedOffsets` seeks to the committed
/// offset unvalidated with that epoch, so OffsetsForLeaderEpoch finds the epoch ends below it
/// and the consumer moves back to the diverging offset instead of silently resuming past the new
/// leader's records at those offsets.
#[test]
fn a_consumer_starting_from_a_truncated_committed_offset_detects_the_truncation() {
    let (_, facts) = run("truncation-detection");
    let archiver: BTreeSet<u32> = facts
        .iter()
        .filter_map(|f| match &f.fact {
            Fact::ConsumerStarted { consumer, group, .. } if group == "archiver" => Some(*consumer),
            _ => None,
        })
        .collect();
    let elected = facts
        .iter()
        .find(|f| matches!(f.fact, Fact::LeaderElected { leader: 3, unclean: true, .. }))
        .expect("broker 3 is elected uncleanly");
    let committed_before = facts
        .iter()
        .filter(|f| f.at_ms < elected.at_ms)
        .filter_map(|f| match &f.fact {
            Fact::OffsetsCommitted { group, offsets, .. } if group == "archiver" => offsets.first().map(|(_, o)| *o),
            _ => None,
        })
        .next_back()
        .expect("archiver committed before it stopped");
    assert!(
        !facts.iter().any(|f| f.at_ms > 7_000
            && f.at_ms < elected.at_ms
            && matches!(&f.fact, Fact::RecordsProcessed { group, .. } if group == "archiver")),
        "archiver is stopped during the election"
    );
    let restarted_from = facts.iter().find_map(|f| match &f.fact {
        Fact::PositionSet { consumer, offset, source: PositionSource::Committed, .. }
            if f.at_ms > elected.at_ms && archiver.contains(consumer) =>
        {
            Some(*offset)
        }
        _ => None,
    });
    assert_eq!(restarted_from, Some(committed_before), "it starts from the committed offset");
    let detected = facts.iter().find_map(|f| match &f.fact {
        Fact::LogTruncationDetected { consumer, position, offset_epoch, end_offset, reset_to, .. }
            if archiver.contains(consumer) =>
        {
            Some((f.at_ms, *position, *offset_epoch, *end_offset, *reset_to))
        }
        _ => None,
    });
    let (at_ms, position, offset_epoch, end_offset, reset_to) =
        detected.expect("the committed leader epoch lets archiver detect the truncation");
    assert!(at_ms > elected.at_ms);
    assert_eq!(position, committed_before);
    assert!(offset_epoch >= 0, "the committed offset carried its leader epoch");
    assert!(end_offset < position, "the new leader ends that epoch below the committed offset");
    assert_eq!(reset_to, Some(end_offset));
    let first_after = facts.iter().find_map(|f| match &f.fact {
        Fact::RecordsProcessed { group, first_offset, .. } if group == "archiver" && f.at_ms > at_ms => {
            Some(*first_offset)
        }
        _ => None,
    });
    assert_eq!(first_after, Some(end_offset), "it reads the new leader's records from the diverging offset");
    let skipped = facts.iter().any(|f| matches!(&f.fact, Fact::RecordsSkipped { group, .. } if group == "archiver"));
    assert!(!skipped, "nothing is silently skipped");
}

/// The eager group's stop-the-world pause lasts seconds: orders-0 (eager-1's) is owned by nobody
/// from eager-1's revoke until the new assignment, while the cooperative group keeps its
/// unmoved partitions throughout. Lag is shown from positions: the view has each owned
/// partition's fetch position, and none for a partition nobody owns.
#[test]
fn the_eager_pause_is_long_enough_to_see_and_lag_comes_from_positions() {
    let mut run = start("eager-vs-cooperative");
    let (revoked_at, _) = play_to_note(&mut run, "eager-1 learns of the rebalance first");
    run.seek(revoked_at + 1_000);
    let view = run.world().view();
    let eager = view.groups.iter().find(|g| g.group_id == "eager").expect("eager group");
    let coop = view.groups.iter().find(|g| g.group_id == "coop").expect("coop group");
    let orders0 = |g: &kafkalab_engine::view::GroupView| g.offsets.iter().find(|o| o.partition == 0).cloned().unwrap();
    assert_eq!(orders0(eager).position, -1, "nobody owns eager's orders-0 during the pause");
    let coop0 = orders0(coop);
    assert!(coop0.position >= coop0.committed_offset, "{coop0:?}");
    assert_eq!(coop0.position_lag, (coop0.log_end_offset - coop0.position).max(0));
    // Every fact, from a run that only moves forward (a seek may jump to a checkpoint that keeps
    // only its last facts).
    let (_, facts) = self::run("eager-vs-cooperative");
    let tp0 = TopicPartition::new("orders", 0);
    let reassigned = facts
        .iter()
        .find(|f| {
            f.at_ms > revoked_at
                && matches!(&f.fact, Fact::PartitionsAssigned { group, partitions, .. } if group == "eager" && partitions.contains(&tp0))
        })
        .expect("orders-0 is assigned again");
    assert!(reassigned.at_ms - revoked_at >= 2_000, "a pause of {} ms", reassigned.at_ms - revoked_at);
    let coop_moved: BTreeSet<i32> = facts
        .iter()
        .filter(|f| f.at_ms >= 15_000)
        .flat_map(|f| match &f.fact {
            Fact::PartitionsRevoked { group, partitions, .. } if group == "coop" => partitions.clone(),
            _ => Vec::new(),
        })
        .map(|tp| tp.partition)
        .collect();
    assert_eq!(coop_moved.len(), 2, "only the partitions that move are revoked: {coop_moved:?}");
}

#[test]
fn cooperative_revokes_fewer_partitions_than_eager() {
    let (_, facts) = run("eager-vs-cooperative");
    let revoked = |group: &str| -> usize {
        facts
            .iter()
            .filter(|f| f.at_ms >= 15_000)
            .map(|f| match &f.fact {
                Fact::PartitionsRevoked { group: g, partitions, .. } if g == group => partitions.len(),
                _ => 0,
            })
            .sum()
    };
    let (eager, coop) = (revoked("eager"), revoked("coop"));
    assert_eq!(eager, 6, "eager revokes everything");
    assert!(coop > 0 && coop < eager, "cooperative revokes only what moves: {coop}");
}

/// The notes' points at their times: payments-1 is empty because no key maps to it, and the
/// refund the note mentions is in the partition it highlights, after user-3's earlier records.
#[test]
fn key_ordering_notes_show_the_empty_partition_and_the_refund() {
    let mut run = start("key-ordering");
    let (_, highlight) = play_to_note(&mut run, "The refund record");
    assert_eq!(highlight, vec!["payments-3".to_string()]);
    let log = leader_log(run.world(), &TopicPartition::new("payments", 3));
    let refund = log.iter().position(|(_, _, v)| v.as_deref() == Some("refund")).expect("the refund is in payments-3");
    assert!(log[..refund].iter().any(|(_, k, _)| k.as_deref() == Some("user-3")), "after user-3's earlier records");
    let (_, highlight) = play_to_note(&mut run, "payments-1 stays empty");
    assert_eq!(highlight, vec!["payments-1".to_string()]);
    assert!(leader_log(run.world(), &TopicPartition::new("payments", 1)).is_empty());
    for p in [0, 2, 3] {
        assert!(!leader_log(run.world(), &TopicPartition::new("payments", p)).is_empty(), "payments-{p}");
    }
}

/// At their notes, clicks-0 has deleted segments (its log start moved up) and profiles-0 has
/// compaction gaps (offsets missing inside the log).
#[test]
fn retention_and_compaction_notes_arrive_when_there_is_something_to_see() {
    let mut run = start("retention-compaction");
    let (_, highlight) = play_to_note(&mut run, "older values of each key disappear");
    assert_eq!(highlight, vec!["profiles-0".to_string()]);
    let profiles = leader_log(run.world(), &TopicPartition::new("profiles", 0));
    let starts_late = profiles.first().is_some_and(|(offset, _, _)| *offset > 0);
    assert!(starts_late || profiles.windows(2).any(|w| w[1].0 > w[0].0 + 1), "a gap in the offsets");
    let (_, highlight) = play_to_note(&mut run, "clicks segments older than 10 s");
    assert_eq!(highlight, vec!["clicks-0".to_string()]);
    let clicks = leader_log(run.world(), &TopicPartition::new("clicks", 0));
    assert!(clicks.first().is_some_and(|(offset, _, _)| *offset > 0), "the oldest segments are gone");
}

#[test]
fn retries_duplicate_records_without_idempotence_and_not_with_it() {
    let (run, facts) = run("idempotence");
    let duplicates = |topic: &str| {
        let mut seen = BTreeSet::new();
        leader_log(run.world(), &TopicPartition::new(topic, 0))
            .into_iter()
            .filter(|(_, _, v)| !seen.insert(v.clone()))
            .count()
    };
    assert!(duplicates("plain") > 0, "the retried batches were written twice");
    assert_eq!(duplicates("safe"), 0);
    assert!(facts
        .iter()
        .any(|f| matches!(&f.fact, Fact::DuplicateBatch { topic_partition, .. } if topic_partition.topic == "safe")));
}

#[test]
fn retention_deletes_segments_and_compaction_removes_overwritten_records() {
    let (run, facts) = run("retention-compaction");
    assert!(facts.iter().any(
        |f| matches!(&f.fact, Fact::SegmentsDeleted { topic_partition, .. } if topic_partition.topic == "clicks")
    ));
    assert!(facts
        .iter()
        .any(|f| matches!(&f.fact, Fact::LogCompacted { topic_partition, records_removed, .. } if topic_partition.topic == "profiles" && *records_removed > 0)));
    let profiles = leader_log(run.world(), &TopicPartition::new("profiles", 0));
    let keys: BTreeSet<&Option<String>> = profiles.iter().map(|(_, k, _)| k).collect();
    assert!(profiles.len() < 60_000 / 1000 * 20 / 2, "most overwritten records are gone: {} left", profiles.len());
    assert_eq!(keys.len(), 5, "every key keeps its latest value");
}

mod never_panics {
    use kafkalab_engine::scenario;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn on_arbitrary_text(text in "\\PC{0,400}") {
            let _ = scenario::parse(&text);
        }

        #[test]
        fn on_mutated_builtin_files(which in 0usize..9, at in any::<prop::sample::Index>(), cut in 0usize..40, insert in "[a-z0-9_.=\\[\\]\"\n -]{0,12}") {
            let all = scenario::builtin();
            let text = all[which % all.len()].text;
            let mut at = at.index(text.len() + 1);
            while !text.is_char_boundary(at) { at -= 1; }
            let mut end = (at + cut).min(text.len());
            while !text.is_char_boundary(end) { end -= 1; }
            let mutated = format!("{}{}{}", &text[..at], insert, &text[end..]);
            if let Ok(s) = scenario::parse(&mutated) {
                let _ = s.build(None);
            }
        }
    }
}

/// The pre-vote scenario's point, from engine facts (KIP-996, Kafka 4.x
/// `KafkaRaftClient.transitionToProspective` and `FollowerState.canGrantVote`): broker 3 goes
/// prospective while cut off, never bumps the epoch, and follows broker 1 again once the links
/// heal; no controller is elected or resigns.
#[test]
fn pre_vote_keeps_the_active_controller_when_an_isolated_voter_returns() {
    let (run, facts) = run("pre-vote");
    let prospective: Vec<i32> = facts
        .iter()
        .filter_map(|f| match f.fact {
            Fact::ControllerProspective { broker: 3, epoch, .. } => Some(epoch),
            _ => None,
        })
        .collect();
    assert!(!prospective.is_empty() && prospective.iter().all(|e| *e == 1), "{prospective:?}");
    let found = facts
        .iter()
        .find(|f| f.fact == Fact::ControllerLeaderFound { broker: 3, leader: 1, epoch: 1 })
        .expect("broker 3 follows broker 1 again");
    assert!(found.at_ms >= 25_000, "after the links heal, at {}", found.at_ms);
    let after_start = facts.iter().filter(|f| f.at_ms > 0);
    let mut quorum_changes =
        after_start.filter(|f| matches!(f.fact, Fact::ControllerElected { .. } | Fact::ControllerResigned { .. }));
    assert!(quorum_changes.next().is_none(), "the active controller stays");
    assert_eq!(run.world().active_controller(), Some(1));
    assert!(run.world().brokers().all(|b| b.raft.durable.epoch == 1));
}

/// The rolling-restart scenario's point, from engine facts (KIP-841 controlled shutdown,
/// `ReplicationControlManager.handleBrokerInControlledShutdown`): every broker stops cleanly after
/// handing its leaderships over, and the acks=all producer has no failed request and loses
/// nothing; the active controller's broker hands the quorum over (EndQuorumEpoch).
#[test]
fn a_rolling_restart_with_controlled_shutdown_fails_no_acks_all_request() {
    let (run, facts) = run("rolling-restart");
    let stopped: Vec<i32> = facts
        .iter()
        .filter_map(|f| match f.fact {
            Fact::BrokerShutDown { broker } => Some(broker),
            _ => None,
        })
        .collect();
    assert_eq!(stopped, vec![3, 2, 1]);
    assert!(!facts.iter().any(|f| matches!(f.fact, Fact::BrokerStopped { .. })), "no crash");
    let producer = run.world().producers().next().unwrap();
    assert!(producer.acked_records > 0);
    assert_eq!(producer.failed_records, 0);
    assert!(!facts.iter().any(|f| matches!(f.fact, Fact::ProduceFailed { will_retry: false, .. })));
    assert!(!facts.iter().any(|f| matches!(f.fact, Fact::AckedRecordsLost { .. })));
    assert_eq!(lost_acked(&run), (true, 0));
    let elected = facts.iter().filter(|f| f.at_ms > 0).find_map(|f| match f.fact {
        Fact::ControllerElected { broker, epoch } => Some((broker, epoch)),
        _ => None,
    });
    assert!(elected.is_some_and(|(broker, epoch)| broker != 1 && epoch == 2), "{elected:?}");
}

/// The dedicated-controllers scenario's point, from engine facts (Kafka's `process.roles`): the
/// broker's death fences it but leaves the quorum's leader and epoch; the active controller's
/// death is followed by an election among the remaining controllers only.
#[test]
fn dedicated_controllers_survive_a_broker_and_elect_among_themselves() {
    let (run, facts) = run("dedicated-controllers");
    let fenced_at = facts.iter().find(|f| f.fact == Fact::BrokerFenced { broker: 1, controller: 4 }).unwrap().at_ms;
    let elections: Vec<(u64, i32, i32)> = facts
        .iter()
        .filter_map(|f| match f.fact {
            Fact::ControllerElected { broker, epoch } => Some((f.at_ms, broker, epoch)),
            _ => None,
        })
        .collect();
    assert_eq!(elections[0], (0, 4, 1), "node 4 leads from the start");
    assert!(elections[1].0 > 20_000 && fenced_at < 20_000, "no election when broker 1 died: {elections:?}");
    assert!([5, 6].contains(&elections[1].1) && elections.len() == 2, "{elections:?}");
    assert!(run.world().brokers().filter(|b| b.id > 3).all(|b| b.durable.replicas.is_empty()));
}

/// Milliseconds each member of `group` owned no partition between `from` and `to`, summed over
/// the members (the consumer-seconds a scale-out costs), from the rebalance listener's facts.
fn idle_member_ms(facts: &[TimedFact], members: &[u32], from: u64, to: u64) -> u64 {
    let mut owned: BTreeMap<u32, BTreeSet<TopicPartition>> = members.iter().map(|&c| (c, BTreeSet::new())).collect();
    let mut idle_since: BTreeMap<u32, u64> = members.iter().map(|&c| (c, from)).collect();
    let mut idle = 0;
    for f in facts.iter().filter(|f| f.at_ms < to) {
        let (consumer, now_owned) = match &f.fact {
            Fact::PartitionsRevoked { consumer, partitions, .. }
            | Fact::PartitionsLost { consumer, partitions, .. } => {
                let Some(set) = owned.get(consumer) else { continue };
                (*consumer, set.iter().filter(|tp| !partitions.contains(tp)).cloned().collect())
            }
            Fact::PartitionsAssigned { consumer, assignment, .. } if owned.contains_key(consumer) => {
                (*consumer, assignment.iter().cloned().collect::<BTreeSet<_>>())
            }
            _ => continue,
        };
        let at = f.at_ms.max(from);
        match (owned[&consumer].is_empty(), now_owned.is_empty()) {
            (true, false) => idle += at - idle_since.remove(&consumer).unwrap_or(at),
            (false, true) => {
                idle_since.insert(consumer, at);
            }
            _ => {}
        }
        owned.insert(consumer, now_owned);
    }
    idle + idle_since.values().map(|since| to - since).sum::<u64>()
}

/// `classic-vs-consumer-protocol`: the same scale-out; eager revokes every partition and every
/// existing member stops, while the consumer protocol revokes only the partitions that move,
/// its existing members never stop processing, and a moving partition has one owner at a time.
#[test]
fn the_consumer_protocol_has_no_stop_the_world() {
    let (run, facts) = run("classic-vs-consumer-protocol");
    let world = run.world();
    let id = |name: &str| world.consumers().find(|c| c.name == name).map(|c| c.id).expect(name);
    let after: Vec<&TimedFact> = facts.iter().filter(|f| f.at_ms >= 20_000).collect();
    let revoked = |group: &str| -> usize {
        after
            .iter()
            .map(|f| match &f.fact {
                Fact::PartitionsRevoked { group: g, partitions, .. } if g == group => partitions.len(),
                _ => 0,
            })
            .sum()
    };
    assert_eq!(revoked("eager"), 8, "eager revokes everything");
    assert_eq!(revoked("kip848"), 2, "the consumer protocol revokes only what moves");
    // Each existing member of kip848 owns partitions at every moment after the scale-out, and
    // processes records while the group reconciles.
    let reconciled_at = after
        .iter()
        .filter(|f| matches!(&f.fact, Fact::PartitionsAssigned { consumer, .. } if *consumer == id("kip848-4")))
        .map(|f| f.at_ms)
        .next()
        .expect("the newcomer gets partitions");
    for name in ["kip848-1", "kip848-2", "kip848-3"] {
        let c = id(name);
        assert!(!after.iter().any(|f| matches!(&f.fact, Fact::PartitionsAssigned { consumer, assignment, .. } if *consumer == c && assignment.is_empty())));
        assert!(
            after.iter().any(|f| f.at_ms > 20_000
                && f.at_ms < reconciled_at
                && matches!(&f.fact, Fact::RecordsProcessed { consumer, .. } if *consumer == c)),
            "{name} keeps processing during the reconciliation"
        );
    }
    // Eager: every existing member is left with nothing at some point.
    for name in ["eager-1", "eager-2", "eager-3"] {
        let c = id(name);
        assert!(after.iter().any(|f| matches!(&f.fact, Fact::PartitionsRevoked { consumer, .. } if *consumer == c)));
    }
    // The moved partitions were revoked before the newcomer got them.
    let moved: Vec<(u64, &TopicPartition)> = after
        .iter()
        .flat_map(|f| match &f.fact {
            Fact::PartitionsRevoked { group, partitions, .. } if group == "kip848" => {
                partitions.iter().map(|tp| (f.at_ms, tp)).collect()
            }
            _ => Vec::new(),
        })
        .collect();
    for (revoked_at, tp) in moved {
        assert!(revoked_at <= reconciled_at, "{tp} revoked at {revoked_at}, given at {reconciled_at}");
        assert!(world.consumer(id("kip848-4")).unwrap().assignment.contains(tp));
    }
    // The consumer-ms without partitions from the scale-out to the end, per member: eager stops
    // every existing member; cooperative and the consumer protocol stop none. The newcomer's wait
    // is the rest, paced by heartbeats (5 s under the consumer protocol, 3 s under classic).
    let idle = |name: &str| idle_member_ms(&facts, &[id(name)], 20_000, 60_000);
    let existing = |group: &str| (1..=3).map(|i| idle(&format!("{group}-{i}"))).collect::<Vec<_>>();
    for group in ["eager", "coop", "kip848"] {
        eprintln!(
            "{group}: existing members {:?} ms, newcomer {} ms without partitions",
            existing(group),
            idle(&format!("{group}-4"))
        );
    }
    assert!(existing("eager").iter().all(|&ms| ms > 0), "{:?}", existing("eager"));
    assert_eq!((existing("coop"), existing("kip848")), (vec![0; 3], vec![0; 3]));
    let group = world.view().groups.into_iter().find(|g| g.group_id == "kip848").unwrap();
    assert_eq!((&*group.protocol, &*group.rebalance, &*group.state), ("consumer", "incremental", "Stable"));
    assert!(group.members.iter().all(|m| m.member_epoch == Some(group.generation_id)));
}

/// `online-protocol-upgrade`: a consumer-protocol member converts the live classic group
/// (`GroupMetadataManager.convertToConsumerGroup`); the classic members are told to rejoin by a
/// REBALANCE_IN_PROGRESS heartbeat (`classicGroupHeartbeatToConsumerGroup`) and keep consuming
/// meanwhile; no partition is owned by two consumers at once; the group turns classic when that
/// member leaves (`convertToClassicGroup`) and consumer again once the classic members restart on
/// the consumer protocol.
#[test]
fn a_live_classic_group_upgrades_online() {
    let (run, facts) = run("online-protocol-upgrade");
    let world = run.world();
    let id = |name: &str| world.consumers().find(|c| c.name == name).map(|c| c.id).expect(name);
    let conversions: Vec<(u64, bool)> = facts
        .iter()
        .filter_map(|f| match &f.fact {
            Fact::GroupConverted { group, to_consumer_protocol } if group == "orders-app" => {
                Some((f.at_ms, *to_consumer_protocol))
            }
            _ => None,
        })
        .collect();
    assert_eq!(conversions.iter().map(|c| c.1).collect::<Vec<_>>(), vec![true, false, true], "{conversions:?}");
    let (upgraded, downgraded) = (conversions[0].0, conversions[1].0);
    assert!(upgraded >= 15_000 && downgraded >= 32_000 && conversions[2].0 >= 45_000, "{conversions:?}");
    let new_member_served = facts
        .iter()
        .find(|f| {
            matches!(&f.fact, Fact::PartitionsAssigned { consumer, partitions, .. }
                if *consumer == id("new-1") && !partitions.is_empty())
        })
        .map(|f| f.at_ms)
        .expect("new-1 gets partitions");
    assert!(new_member_served < downgraded);
    for name in ["classic-1", "classic-2"] {
        let c = id(name);
        assert!(
            facts.iter().any(|f| f.at_ms > upgraded
                && f.at_ms < downgraded
                && matches!(&f.fact, Fact::RejoinRequested { consumer, error: ErrorCode::RebalanceInProgress, .. } if *consumer == c)),
            "{name} is told to rejoin"
        );
        assert!(
            facts.iter().any(|f| f.at_ms > upgraded
                && f.at_ms < new_member_served
                && matches!(&f.fact, Fact::RecordsProcessed { consumer, .. } if *consumer == c)),
            "{name} keeps consuming while the group reconciles"
        );
    }
    // Ownership as the consumers see it: never two owners of one partition.
    let mut owned: BTreeMap<u32, BTreeSet<TopicPartition>> = BTreeMap::new();
    for f in &facts {
        match &f.fact {
            Fact::PartitionsAssigned { consumer, group, assignment, .. } if group == "orders-app" => {
                owned.insert(*consumer, assignment.iter().cloned().collect());
            }
            Fact::PartitionsRevoked { consumer, partitions, .. }
            | Fact::PartitionsLost { consumer, partitions, .. } => {
                if let Some(set) = owned.get_mut(consumer) {
                    for tp in partitions {
                        set.remove(tp);
                    }
                }
            }
            Fact::ConsumerClosed { consumer } => {
                owned.remove(consumer);
            }
            _ => continue,
        }
        let mut seen = BTreeSet::new();
        for (consumer, set) in &owned {
            for tp in set {
                assert!(seen.insert(tp.clone()), "{tp} has two owners at {} ms (one is {consumer})", f.at_ms);
            }
        }
    }
    let group = world.view().groups.into_iter().find(|g| g.group_id == "orders-app").unwrap();
    assert_eq!((&*group.protocol, &*group.state), ("consumer", "Stable"));
    assert_eq!(group.members.len(), 2);
    assert!(group.members.iter().all(|m| !m.classic_member));
    let served: BTreeSet<TopicPartition> = ["app-1", "app-2"]
        .iter()
        .flat_map(|n| world.consumer(id(n)).unwrap().assignment.iter().cloned().collect::<Vec<_>>())
        .collect();
    assert_eq!(served.len(), 6, "the upgraded members share all six partitions");
}

/// KIP-966 (`PartitionChangeBuilder`): the whole ISR is lost (4 and 5 cut off, then the leader 3
/// dies), the partition goes offline with an empty ISR and the ELR [3, 4], and broker 4, back,
/// is elected from the ELR cleanly; no acknowledged record is lost and the ELR empties once the
/// ISR is back at `min.insync.replicas`.
#[test]
fn eligible_leader_replicas_survive_the_loss_of_the_whole_isr_without_unclean_election() {
    let (run, facts) = run("eligible-leader-replicas");
    let at = |pred: &dyn Fn(&Fact) -> bool| facts.iter().find(|f| pred(&f.fact)).map(|f| f.at_ms);
    let offline = at(&|f| matches!(f, Fact::LeaderElected { leader: -1, isr, .. } if isr.is_empty())).expect("offline");
    assert!(facts
        .iter()
        .any(|f| matches!(&f.fact, Fact::EligibleLeaderReplicasChanged { elr, .. } if elr == &vec![3, 4])));
    let elected = at(&|f| matches!(f, Fact::LeaderElected { leader: 4, previous_leader: -1, unclean: false, .. }))
        .expect("elected");
    assert!(offline < elected);
    assert!(!facts
        .iter()
        .any(|f| matches!(f.fact, Fact::LeaderElected { unclean: true, .. } | Fact::AckedRecordsLost { .. })));
    let (acked, lost) = lost_acked(&run);
    assert!(acked && lost == 0, "nothing acknowledged is lost: {lost}");
    let partition = run.world().metadata().partitions().find(|(tp, _)| tp.topic == "payments").unwrap().1.clone();
    assert_eq!((partition.leader, partition.isr, partition.elr), (4, vec![4, 5], vec![]));
}

/// The processed offsets of the consumer named `name`.
fn processed_by(run: &ScenarioRun, facts: &[TimedFact], name: &str) -> usize {
    let id = run.world().consumers().find(|c| c.name == name).expect("consumer").id;
    facts
        .iter()
        .filter_map(|f| match &f.fact {
            Fact::RecordsProcessed { consumer, count, .. } if *consumer == id => Some(*count),
            _ => None,
        })
        .sum()
}

/// The committed transaction's record is all read_committed sees; read_uncommitted also sees
/// the aborted one; a COMMIT and an ABORT marker follow the two records.
#[test]
fn read_committed_skips_the_aborted_transaction() {
    let (run, facts) = run("read-committed-vs-uncommitted");
    assert_eq!(processed_by(&run, &facts, "auditor"), 1, "read_committed: only the committed record");
    assert_eq!(processed_by(&run, &facts, "snooper"), 2, "read_uncommitted: both");
    let markers: Vec<bool> = facts
        .iter()
        .filter_map(|f| {
            if let Fact::TxnMarkerWritten { committed, topic_partition, .. } = &f.fact {
                (topic_partition.topic == "payments").then_some(*committed)
            } else {
                None
            }
        })
        .collect();
    assert_eq!(markers, vec![true, false]);
}

/// The new instance's InitProducerId fences the zombie: its open transaction is aborted
/// (PrepareEpochFence) and its next write is refused.
#[test]
fn zombie_fencing_aborts_the_zombie_and_refuses_its_write() {
    let (run, facts) = run("zombie-fencing");
    let zombie = run.world().producers().find(|p| p.name == "processor-a").expect("producer").id;
    assert!(facts.iter().any(|f| matches!(
        &f.fact,
        Fact::TxnStateChanged { to: kafkalab_engine::protocol::TxnState::PrepareEpochFence, .. }
    )));
    assert!(facts.iter().any(|f| matches!(&f.fact, Fact::ProducerFenced { producer, .. } if *producer == zombie)));
    let values: Vec<Option<String>> =
        leader_log(run.world(), &TopicPartition::new("results", 0)).into_iter().map(|(_, _, v)| v).collect();
    assert!(values.contains(&Some("a-1".into())) && values.contains(&Some("b-1".into())), "{values:?}");
    assert!(!values.contains(&Some("a-2".into())), "the zombie's late write is refused: {values:?}");
}

/// `share-group-queue`: four members on two partitions all accept records, no record is
/// accepted twice, the poison record is released at each of its five deliveries and archived,
/// and the crashed worker's records are acquired again (delivery count 2) after their locks
/// expire.
#[test]
fn a_share_group_works_like_a_queue() {
    use kafkalab_engine::protocol::AcknowledgeType;
    let (run, facts) = run("share-group-queue");
    let world = run.world();
    let mut accepted_by: BTreeMap<String, usize> = BTreeMap::new();
    let mut accepted: Vec<(TopicPartition, i64)> = Vec::new();
    let mut releases = 0;
    for f in &facts {
        if let Fact::ShareRecordsAcknowledged { member_id, topic_partition, kind, offsets, .. } = &f.fact {
            match kind {
                AcknowledgeType::Accept => {
                    *accepted_by.entry(member_id.clone()).or_default() += offsets.len();
                    accepted.extend(offsets.iter().map(|o| (topic_partition.clone(), *o)));
                }
                AcknowledgeType::Release => releases += offsets.len(),
                AcknowledgeType::Reject => {}
            }
        }
    }
    assert_eq!(accepted_by.len(), 4, "all four members did work: {accepted_by:?}");
    assert_eq!(accepted.iter().collect::<BTreeSet<_>>().len(), accepted.len(), "a record was accepted twice");
    assert_eq!(releases, 5, "the poison record was released at each delivery");
    let archived: Vec<u32> = facts
        .iter()
        .filter_map(|f| match &f.fact {
            Fact::ShareRecordArchived { delivery_count, .. } => Some(*delivery_count),
            _ => None,
        })
        .collect();
    assert_eq!(archived, vec![5], "archived at group.share.delivery.count.limit");
    let crashed = world.consumers().find(|c| c.name == "worker-1").expect("worker-1");
    let expired_at = facts
        .iter()
        .find(|f| {
            matches!(&f.fact, Fact::ShareLocksReleased { member_id, expired: true, .. } if *member_id == crashed.member_id)
        })
        .map(|f| f.at_ms)
        .expect("the crashed worker's locks expired");
    assert!((20_000..=25_000).contains(&expired_at), "within the 5 s lock of the crash: {expired_at}");
    assert!(
        facts.iter().any(|f| f.at_ms >= expired_at
            && matches!(&f.fact, Fact::ShareRecordsAcquired { member_id, records, .. }
                if *member_id != crashed.member_id && records.iter().any(|(_, count)| *count == 2))),
        "another member got them again"
    );
}

/// `kafka-vs-queue`: the new consumer group replays from offset 0 what the first group already
/// processed; the share group's newcomer gets no record that was already acknowledged; the
/// consumer group's slow member leaves its partition far behind while the share group keeps up.
#[test]
fn a_consumer_group_replays_a_share_group_is_done() {
    use kafkalab_engine::protocol::AcknowledgeType;
    let (run, facts) = run("kafka-vs-queue");
    let world = run.world();
    let id = |name: &str| world.consumers().find(|c| c.name == name).map(|c| c.id).expect(name);
    let processed = |c: u32| -> BTreeSet<(TopicPartition, i64)> {
        facts
            .iter()
            .filter_map(|f| match &f.fact {
                Fact::RecordsProcessed { consumer, topic_partition, first_offset, last_offset, .. }
                    if *consumer == c =>
                {
                    Some((*first_offset..=*last_offset).map(move |o| (topic_partition.clone(), o)))
                }
                _ => None,
            })
            .flatten()
            .collect()
    };
    let ledger: BTreeSet<_> = processed(id("ledger-1")).union(&processed(id("ledger-slow"))).cloned().collect();
    let audit = processed(id("audit-1"));
    assert!(audit.contains(&(TopicPartition::new("orders", 0), 0)), "audit starts at offset 0");
    assert!(audit.intersection(&ledger).count() > 200, "audit replays what ledger already read");
    // Share group: every record accepted once; the newcomer gets none accepted before it joined.
    let newcomer = world.consumers().find(|c| c.name == "task-new").expect("task-new").member_id.clone();
    let mut accepted: BTreeMap<(TopicPartition, i64), u64> = BTreeMap::new();
    let mut newcomer_got = Vec::new();
    for f in &facts {
        match &f.fact {
            Fact::ShareRecordsAcknowledged { topic_partition, kind: AcknowledgeType::Accept, offsets, .. } => {
                for o in offsets {
                    assert!(accepted.insert((topic_partition.clone(), *o), f.at_ms).is_none(), "accepted twice");
                }
            }
            Fact::ShareRecordsAcquired { member_id, topic_partition, records, .. } if *member_id == newcomer => {
                newcomer_got.extend(records.iter().map(|(o, _)| (topic_partition.clone(), *o)));
            }
            _ => {}
        }
    }
    assert!(!newcomer_got.is_empty(), "task-new works");
    assert!(
        newcomer_got.iter().all(|r| accepted.get(r).is_none_or(|at| *at >= 30_000)),
        "task-new never gets a record acknowledged before it joined"
    );
    // The slow member: the consumer group's lag on its partition grows; the share group keeps up.
    let ledger_lag: i64 = world
        .view()
        .groups
        .into_iter()
        .filter(|g| g.group_id == "ledger")
        .flat_map(|g| g.offsets)
        .map(|o| o.lag)
        .max()
        .unwrap_or(0);
    let share_backlog: i64 = world
        .share_partitions(Some("orders"))
        .iter()
        .filter(|p| p.group_id == "tasks")
        .map(|p| p.high_watermark - p.start_offset)
        .max()
        .unwrap_or(i64::MAX);
    assert!(ledger_lag > 200, "the slow member's partition falls behind: lag {ledger_lag}");
    assert!(share_backlog < 50, "the share group keeps up: {share_backlog} records not done");
}

/// The dead producer's open transaction holds the LSO: the read_committed member processes
/// nothing while the HW grows (its records-lag, measured to the LSO, stays small; the group's lag
/// to the HW grows), until the coordinator's `transaction.timeout.ms` abort
/// (`TransactionCoordinator.abortTimedOutTransactions`) writes the ABORT marker; then the LSO is
/// the HW again and the member reads what was held back.
#[test]
fn a_hanging_transaction_holds_the_lso_until_the_timeout_aborts_it() {
    let (run, facts) = run("hanging-transaction");
    let timed_out = facts
        .iter()
        .find(|f| matches!(&f.fact, Fact::TransactionTimedOut { transactional_id, .. } if transactional_id == "batch-job-1"))
        .map(|f| f.at_ms)
        .expect("the coordinator aborts the timed-out transaction");
    assert!((13_000..15_000).contains(&timed_out), "10 s after it began at 3 s, within a 1 s check: {timed_out}");
    let abort_marker = facts
        .iter()
        .find(|f| matches!(&f.fact, Fact::TxnMarkerWritten { topic_partition, committed: false, .. } if topic_partition.topic == "orders"))
        .map(|f| f.at_ms)
        .expect("an ABORT marker in orders-0");
    assert!(abort_marker >= timed_out);
    let ledger = run.world().consumers().find(|c| c.name == "ledger").expect("ledger").id;
    let processed_between = |from: u64, to: u64| -> usize {
        facts
            .iter()
            .filter(|f| (from..to).contains(&f.at_ms))
            .filter_map(|f| match &f.fact {
                Fact::RecordsProcessed { consumer, count, .. } if *consumer == ledger => Some(*count),
                _ => None,
            })
            .sum()
    };
    assert_eq!(processed_between(4_000, timed_out), 0, "read_committed stops at the held LSO");
    assert!(processed_between(timed_out, 25_000) > 40, "the held-back records are read once the LSO moves");
    assert!(
        processed_by(&run, &facts, "peeker") > processed_between(0, 25_000),
        "read_uncommitted also reads the aborted record"
    );

    // While the transaction hangs: LSO below the HW, the group's lag to the HW grows, the
    // member's records-lag (to the LSO) does not.
    let mut held = run.clone();
    held.seek(12_000);
    let tp = TopicPartition::new("orders", 0);
    let (hw, lso) = (held.world().high_watermark(&tp), held.world().last_stable_offset(&tp));
    assert!(hw - lso > 30, "the LSO is held while the HW grows: HW {hw}, LSO {lso}");
    let group = held.world().group_logs().into_iter().find(|g| g.group_id == "ledgers").expect("group");
    let position = group.members[0].positions.iter().find(|p| p.partition == 0).expect("position").clone();
    assert_eq!(position.last_stable_offset, Some(lso));
    assert!(position.lag <= 1, "records-lag is measured to the LSO: {position:?}");
    let committed = group.committed.iter().find(|c| c.partition == 0).expect("committed");
    assert!(committed.lag > 30, "the group's lag to the HW grows: {committed:?}");
    let end = run.world();
    assert_eq!(end.last_stable_offset(&tp), end.high_watermark(&tp), "after the abort the LSO is the HW again");
}

/// `follower-fetching` (KIP-392; `ReplicaManager.findPreferredReadReplica` with
/// `RackAwareReplicaSelector.select`, the consumer's `FetchCollector` and `handleFetchFailure`):
/// the consumer in the leader's rack reads from the leader, the others from the follower in their
/// own rack; when that follower dies, its consumer falls back to the leader and keeps processing,
/// and once the follower is back in the ISR the leader names it again. Nothing acknowledged is lost.
#[test]
fn consumers_read_from_the_follower_in_their_rack_and_fall_back_to_the_leader() {
    let (run, facts) = run("follower-fetching");
    let world = run.world();
    let id = |name: &str| world.consumers().find(|c| c.name == name).map(|c| c.id).expect(name);
    let chosen = |name: &str| -> Vec<(u64, i32)> {
        facts
            .iter()
            .filter_map(|f| match &f.fact {
                Fact::PreferredReadReplicaChosen { consumer, replica, leader: 1, rack, .. }
                    if *consumer == id(name) =>
                {
                    assert_eq!(rack, &format!("az-{}", &name[name.len() - 1..]));
                    Some((f.at_ms, *replica))
                }
                _ => None,
            })
            .collect()
    };
    assert!(chosen("reader-a").is_empty(), "reader-a shares az-a with the leader");
    let b = chosen("reader-b");
    assert!(!b.is_empty() && b.iter().all(|(_, r)| *r == 2), "{b:?}");
    let c = chosen("reader-c");
    assert!(c.first().is_some_and(|(at, r)| *at < 20_000 && *r == 3), "{c:?}");
    let fell_back = facts
        .iter()
        .find(|f| {
            matches!(
                &f.fact,
                Fact::PreferredReadReplicaCleared { consumer, replica: 3, reason: ReadReplicaFallback::FetchFailed, .. }
                    if *consumer == id("reader-c")
            )
        })
        .map(|f| f.at_ms)
        .expect("reader-c falls back");
    assert!((20_000..21_000).contains(&fell_back), "{fell_back}");
    let processed_while_down: usize = facts
        .iter()
        .filter(|f| (fell_back..32_000).contains(&f.at_ms))
        .filter_map(|f| match &f.fact {
            Fact::RecordsProcessed { consumer, count, .. } if *consumer == id("reader-c") => Some(*count),
            _ => None,
        })
        .sum();
    assert!(processed_while_down > 100, "reader-c reads from the leader meanwhile: {processed_while_down}");
    assert!(c.iter().any(|(at, r)| *at > 32_000 && *r == 3), "broker 3 is named again: {c:?}");
    assert_eq!(lost_acked(&run), (true, 0));
}

/// A follower serves a consumer only up to its own high watermark, which trails the leader's by
/// a fetch round trip: reader-b's position never passes broker 2's HW, and broker 2's HW is at
/// times behind broker 1's.
#[test]
fn a_follower_serves_up_to_its_own_high_watermark_a_little_behind_the_leader() {
    let mut run = start("follower-fetching");
    let tp = TopicPartition::new("clicks", 0);
    let mut behind = 0;
    for t in (5_000..20_000).step_by(50) {
        run.seek(t);
        let world = run.world();
        let hw = |b: i32| world.broker(b).expect("broker").durable.replicas[&tp].high_watermark;
        let reader_b = world.consumers().find(|c| c.name == "reader-b").expect("reader-b");
        assert_eq!(reader_b.read_replica(&tp, t), Some(2), "at {t}");
        assert!(hw(2) <= hw(1), "at {t}");
        assert!(reader_b.positions.get(&tp).is_some_and(|p| *p <= hw(2)), "at {t}");
        behind += usize::from(hw(2) < hw(1));
    }
    assert!(behind > 10, "the follower's HW trails the leader's: {behind} of 300 samples");
}

/// `exactly-once-pipeline`: the same input, the same crash mid-batch, three commit orders. The
/// audit reads each output topic as a read_committed consumer would. At-most-once (commitSync
/// before processing) committed offsets whose outputs were never written; at-least-once
/// (`producer.flush()`, then commitSync) wrote the outputs of the batch it died in twice;
/// exactly-once (`sendOffsetsToTransaction`, `commitTransaction()`) has its crashed batch's
/// outputs in an aborted transaction (the new instance's InitProducerId aborts it:
/// `TransactionCoordinator.handleInitProducerId`), skipped by read_committed, so neither.
#[test]
fn exactly_once_pipeline_shows_missing_duplicate_and_exact_outputs() {
    let (run, facts) = run("exactly-once-pipeline");
    let audit = |name: &str| {
        run.world().processor_audits().into_iter().find(|a| a.consumer == name).unwrap_or_else(|| panic!("{name}"))
    };
    let (amo, alo, eos) = (audit("amo-app"), audit("alo-app"), audit("eos-app"));
    let input = run.world().high_watermark(&TopicPartition::new("payments", 0)) as u64;
    for a in [&amo, &alo, &eos] {
        assert_eq!(a.consumed, input, "{} caught up with every input record: {a:?}", a.consumer);
    }
    assert_eq!(amo.guarantee, "at_most_once");
    assert!(amo.missing > 0 && amo.duplicates == 0, "at-most-once misses outputs: {amo:?}");
    assert_eq!(alo.guarantee, "at_least_once");
    assert!(alo.duplicates > 0 && alo.missing == 0, "at-least-once writes outputs twice: {alo:?}");
    assert_eq!(eos.guarantee, "exactly_once");
    assert_eq!((eos.missing, eos.duplicates), (0, 0), "exactly-once: {eos:?}");
    assert!(eos.aborted > 0, "the crashed batch's outputs were aborted: {eos:?}");
    assert!(facts.iter().any(|f| matches!(&f.fact, Fact::TxnMarkerWritten { topic_partition, committed: false, .. } if topic_partition.topic == "out-exactly-once")));
}

/// The log view keeps the batch at a held LSO among its batches however far behind the newest
/// cells it is, so the picture shows the open transaction's record read_committed waits for.
#[test]
fn the_log_view_keeps_the_open_transactions_record_at_the_held_lso() {
    let mut run = start("hanging-transaction");
    run.seek(12_000);
    let tp = TopicPartition::new("orders", 0);
    let view = run.world().partition_log(&tp, 24).expect("orders-0");
    assert!(view.high_watermark - view.last_stable_offset > 24, "the LSO is older than the newest cells: {view:?}");
    let leader = view.replicas.iter().find(|r| r.broker == view.leader).expect("leader strip");
    let held = leader
        .batches
        .iter()
        .find(|b| (b.base_offset..=b.last_offset).contains(&view.last_stable_offset))
        .expect("the batch at the LSO is listed");
    assert_eq!(held.transaction, Some(kafkalab_engine::view::log::TxnOutcome::Open));
}

/// `delete-topic`: after `orders` is deleted, group billing's committed offsets of it are
/// deleted (tombstones), checkout's next batch is refused with UNKNOWN_TOPIC_OR_PARTITION, and
/// payments keeps going.
#[test]
fn deleting_a_topic_deletes_its_committed_offsets_and_fails_its_producer() {
    let (run, facts) = run("delete-topic");
    let deleted_at = facts
        .iter()
        .find(|f| matches!(&f.fact, Fact::TopicDeleted { topic, partitions: 2 } if topic == "orders"))
        .expect("orders is deleted")
        .at_ms;
    let committed_before = facts.iter().any(|f| {
        f.at_ms < deleted_at
            && matches!(&f.fact, Fact::OffsetsCommitted { group, offsets, .. }
                if group == "billing" && offsets.iter().any(|(tp, o)| tp.topic == "orders" && *o > 0))
    });
    assert!(committed_before, "billing committed offsets of orders before the deletion");
    let orders = |p| TopicPartition::new("orders", p);
    assert!(facts.iter().any(|f| matches!(&f.fact, Fact::OffsetsDeleted { group, topic_partitions, .. }
        if group == "billing" && *topic_partitions == vec![orders(0), orders(1)])));
    assert!(facts.iter().any(|f| f.at_ms >= deleted_at
        && matches!(&f.fact, Fact::ProduceFailed { error: ErrorCode::UnknownTopicOrPartition, topic_partition, .. }
            if topic_partition.topic == "orders")));
    let world = run.world();
    assert!(!world.metadata().topics.contains_key("orders"));
    assert!(world.view().topics.iter().all(|t| t.name != "orders"), "the picture drops the topic");
    for broker in world.brokers() {
        assert!(broker.durable.replicas.keys().all(|tp| tp.topic != "orders"));
        let offsets = broker.volatile.group_coordinator.offsets.get("billing");
        assert!(offsets.is_none_or(|m| m.keys().all(|tp| tp.topic != "orders")), "{offsets:?}");
    }
    let wallet_acked_late = facts.iter().any(|f| {
        f.at_ms > deleted_at + 5_000
            && matches!(&f.fact, Fact::ProduceAcked { topic_partition, .. } if topic_partition.topic == "payments")
    });
    assert!(wallet_acked_late, "payments is not affected");
}

/// A record's key, value and headers (as the log inspector shows them).
type RecordText = (Option<String>, Option<String>, BTreeMap<String, String>);

/// The records of `topic`-0 on its leader, in offset order.
fn records_with_headers(world: &World, topic: &str) -> Vec<RecordText> {
    let tp = TopicPartition::new(topic, 0);
    let leader = world.metadata().partition(&tp).expect("partition").leader;
    let replica = &world.broker(leader).expect("leader").durable.replicas[&tp];
    let text = |b: &Option<Vec<u8>>| b.as_ref().map(|b| String::from_utf8_lossy(b).into_owned());
    replica
        .log
        .batches()
        .flat_map(|stored| stored.batch.records.iter().map(|r| r.record.clone()).collect::<Vec<_>>())
        .map(|r| {
            let headers =
                r.headers.iter().map(|h| (h.key.clone(), kafkalab_engine::consumer::program::header_text(h))).collect();
            (text(&r.key), text(&r.value), headers)
        })
        .collect()
}

/// The offset of the record valued `value` in `topic`-0.
fn offset_of(world: &World, topic: &str, value: &str) -> i64 {
    leader_log(world, &TopicPartition::new(topic, 0))
        .into_iter()
        .find(|(_, _, v)| v.as_deref() == Some(value))
        .map(|(o, _, _)| o)
        .unwrap_or_else(|| panic!("no {value} in {topic}"))
}

/// `spring-blocking-retries`: v7 fails twice and succeeds; v13 fails three times, waits the
/// back-off between attempts without the partition moving, and lands in orders.DLT with Spring's
/// headers; the records after v13 were processed only after that.
#[test]
fn spring_blocking_retries_retry_in_place_then_dead_letter() {
    let (run, facts) = run("spring-blocking-retries");
    let world = run.world();
    let (v7, v13) = (offset_of(world, "orders", "v7"), offset_of(world, "orders", "v13"));
    let failures = |offset: i64| -> Vec<(u64, u32)> {
        facts
            .iter()
            .filter_map(|f| match &f.fact {
                Fact::ListenerFailed { offset: o, attempt, .. } if *o == offset => Some((f.at_ms, *attempt)),
                _ => None,
            })
            .collect()
    };
    assert_eq!(failures(v7).iter().map(|(_, a)| *a).collect::<Vec<_>>(), vec![1, 2], "v7 fails twice, then succeeds");
    let v13_failures = failures(v13);
    assert_eq!(v13_failures.iter().map(|(_, a)| *a).collect::<Vec<_>>(), vec![1, 2, 3]);
    for pair in v13_failures.windows(2) {
        assert!(pair[1].0 - pair[0].0 >= 1000, "FixedBackOff(1000): the retries are a second apart: {pair:?}");
    }
    let recovered_at = facts
        .iter()
        .find(|f| matches!(&f.fact, Fact::RecordRecovered { offset, attempts: 3, dead_letter_topic: Some(t), .. } if *offset == v13 && t == "orders.DLT"))
        .map(|f| f.at_ms)
        .expect("v13 is recovered to orders.DLT after three attempts");
    // Blocking: from the first failure to the recovery, no later record of orders-0 was processed.
    let first_failure = v13_failures[0].0;
    let processed_past = facts.iter().any(|f| {
        f.at_ms > first_failure
            && f.at_ms < recovered_at
            && matches!(&f.fact, Fact::RecordsProcessed { topic_partition, last_offset, .. } if topic_partition.topic == "orders" && *last_offset > v13)
    });
    assert!(!processed_past, "the partition does not get past v13 while it is retried");
    assert!(
        facts.iter().any(|f| f.at_ms > recovered_at
            && matches!(&f.fact, Fact::RecordsProcessed { topic_partition, last_offset, .. } if topic_partition.topic == "orders" && *last_offset > v13)),
        "after the recovery the partition moves on"
    );
    let dlt = records_with_headers(world, "orders.DLT");
    assert_eq!(dlt.len(), 1, "only v13 is dead-lettered: {dlt:?}");
    let (key, value, headers) = &dlt[0];
    assert_eq!((key.as_deref(), value.as_deref()), (Some("order-13"), Some("v13")));
    assert_eq!(
        headers["kafka_dlt-exception-fqcn"],
        "org.springframework.kafka.listener.ListenerExecutionFailedException"
    );
    assert_eq!(headers["kafka_dlt-exception-cause-fqcn"], "com.shop.PaymentDeclinedException");
    assert!(headers["kafka_dlt-exception-message"].contains("card declined"));
    assert_eq!(headers["kafka_dlt-original-topic"], "orders");
    assert_eq!(headers["kafka_dlt-original-partition"], "0");
    assert_eq!(headers["kafka_dlt-original-offset"], v13.to_string());
    assert_eq!(headers["kafka_dlt-original-consumer-group"], "order-service");
}

/// `spring-retry-topics-dlt`: v13 hops orders → orders-retry-0 → orders-retry-1 → orders-dlt,
/// each retry no earlier than its delay; the main partition processed the records after v13 in
/// the meantime, so the DLT record arrives after them.
#[test]
fn spring_retry_topics_keep_the_main_partition_flowing() {
    let (run, facts) = run("spring-retry-topics-dlt");
    let world = run.world();
    let v13 = offset_of(world, "orders", "v13");
    let hops: Vec<(u64, String, u32)> = facts
        .iter()
        .filter_map(|f| match &f.fact {
            Fact::RecordForwarded { destination, attempt, .. } => Some((f.at_ms, destination.clone(), *attempt)),
            _ => None,
        })
        .collect();
    let path: Vec<(&str, u32)> = hops.iter().map(|(_, d, a)| (d.as_str(), *a)).collect();
    assert_eq!(path, vec![("orders-retry-0", 1), ("orders-retry-1", 2), ("orders-dlt", 3)]);
    assert!(hops[1].0 - hops[0].0 >= 1000, "the first retry waits its 1000 ms: {hops:?}");
    assert!(hops[2].0 - hops[1].0 >= 2000, "the second retry waits 2000 ms (multiplier 2): {hops:?}");
    assert!(
        facts.iter().any(|f| matches!(&f.fact, Fact::RetryTopicPartitionPaused { topic_partition, .. } if topic_partition.topic.starts_with("orders-retry-"))),
        "a retry topic's partition is paused until its record is due"
    );
    // Non-blocking: while v13 was in the retry topics, orders-0 went on past it.
    let processed_past = facts.iter().any(|f| {
        f.at_ms > hops[0].0
            && f.at_ms < hops[2].0
            && matches!(&f.fact, Fact::RecordsProcessed { topic_partition, last_offset, .. } if topic_partition.topic == "orders" && *last_offset > v13 + 3)
    });
    assert!(processed_past, "the main partition processed later records while v13 was retried");
    assert!(
        !facts.iter().any(|f| matches!(&f.fact, Fact::ErrorHandlerBackOff { .. })),
        "no blocking back-off: the consumer thread never sleeps"
    );
    let dlt = records_with_headers(world, "orders-dlt");
    assert_eq!(dlt.len(), 1, "{dlt:?}");
    let (key, value, headers) = &dlt[0];
    assert_eq!((key.as_deref(), value.as_deref()), (Some("order-13"), Some("v13")));
    assert_eq!(headers["kafka_exception-cause-fqcn"], "com.shop.PaymentDeclinedException");
    assert_eq!(headers["kafka_original-topic"], "orders", "the origin survives the hops");
    assert_eq!(headers["kafka_original-offset"], v13.to_string());
    let retried = records_with_headers(world, "orders-retry-1");
    assert_eq!(retried.len(), 1);
    assert_eq!(retried[0].2["retry_topic-attempts"], "3");
    let due: i64 = retried[0].2["retry_topic-backoff-timestamp"].parse().unwrap();
    assert_eq!(due, hops[1].0 as i64 + 2000, "due 2000 ms after it was forwarded");
}

/// `poison-pill`: FixedBackOff with UNLIMITED_ATTEMPTS and no recoverer: v13's partition never
/// gets past it (retried far beyond Spring's default ten deliveries, never recovered), while the
/// group's other partition keeps being processed.
#[test]
fn a_poison_pill_blocks_its_partition_for_good() {
    let (run, facts) = run("poison-pill");
    let world = run.world();
    let (stuck, v13) = (0..2)
        .find_map(|p| {
            let tp = TopicPartition::new("orders", p);
            leader_log(world, &tp).into_iter().find(|(_, _, v)| v.as_deref() == Some("v13")).map(|(o, _, _)| (tp, o))
        })
        .expect("v13 was written");
    let other = TopicPartition::new("orders", 1 - stuck.partition);
    let attempts: Vec<u32> = facts
        .iter()
        .filter_map(|f| match &f.fact {
            Fact::ListenerFailed { topic_partition, offset, attempt, .. }
                if *topic_partition == stuck && *offset == v13 =>
            {
                Some(*attempt)
            }
            _ => None,
        })
        .collect();
    assert!(attempts.len() > 10, "retried beyond Spring's default ten deliveries: {attempts:?}");
    assert!(attempts.windows(2).all(|w| w[1] == w[0] + 1), "one FailedRecordTracker count: {attempts:?}");
    assert!(!facts.iter().any(|f| matches!(&f.fact, Fact::RecordRecovered { .. })), "no recoverer ever runs");
    assert!(facts.iter().any(|f| matches!(&f.fact, Fact::ErrorHandlerBackOff { unlimited: true, .. })));
    let past = |tp: &TopicPartition, offset: i64| {
        facts.iter().any(|f| {
            matches!(&f.fact, Fact::RecordsProcessed { topic_partition, last_offset, .. } if topic_partition == tp && *last_offset > offset)
        })
    };
    assert!(!past(&stuck, v13), "nothing after v13 on {stuck} is ever processed");
    let committed =
        world.group_history().committed("order-service").find(|(tp, _)| **tp == stuck).map(|(_, c)| c.offset);
    assert_eq!(committed, Some(v13), "the committed offset stays at the poison pill");
    let other_end = leader_log(world, &other).last().map(|(o, _, _)| *o).expect("records on the other partition");
    assert!(past(&other, other_end - 1), "the other partition is processed to its end");
}

/// The editor's form of every pattern scenario's listener parses back to the same program; a
/// redeployed listener (`Action::SetListenerProgram`) applies from the next record, and a bad
/// one is refused with the parser's message.
#[test]
fn a_listener_program_is_edited_while_the_application_runs() {
    use kafkalab_engine::scenario::{parse_listener, ListenerContext};
    for name in ["spring-blocking-retries", "spring-retry-topics-dlt", "poison-pill"] {
        let run = start(name);
        let world = run.world();
        let topics: Vec<(String, i32)> =
            world.metadata().topics.iter().map(|(n, t)| (n.clone(), t.partitions.len() as i32)).collect();
        for c in world.consumers() {
            let program = c.app.program.as_ref().expect("a declared listener");
            let context = ListenerContext {
                subscribed: &c.topics,
                topics: &topics,
                commit: c.app.commit,
                has_producer: world.processors().any(|p| p.consumer == c.id),
                share: false,
            };
            let text = program.to_toml();
            let (parsed, _) =
                parse_listener(&text, &context).unwrap_or_else(|e| panic!("{name}: {e}\n{text}")).unwrap();
            assert_eq!(&parsed, program, "{name}: {text}");
        }
    }
    let mut run = start("poison-pill");
    run.seek(1000);
    let ids: Vec<u32> = run.world().consumers().map(|c| c.id).collect();
    let e = kafkalab_engine::scenario::listener_action(run.world(), ids[0], "[[rule]]\nfail = \"never\"\n");
    assert!(e.unwrap_err().contains("`consumer.rule.fail`: expected \"always\""));
    // The fix is deployed before v13 arrives: it now fails twice and then succeeds, no partition stays stuck.
    let fixed = "[[rule]]\nvalue = \"v13\"\nfail = 2\n\n[error_handler]\nkind = \"default\"\nback_off = { kind = \"fixed\", interval_ms = 200, max_attempts = 5 }\n";
    for id in &ids {
        let action = kafkalab_engine::scenario::listener_action(run.world(), *id, fixed).unwrap();
        run.apply(action).unwrap();
    }
    run.seek(10_000);
    let facts: Vec<TimedFact> = run.world().facts().cloned().collect();
    let attempts: Vec<u32> = facts
        .iter()
        .filter_map(|f| match &f.fact {
            Fact::ListenerFailed { attempt, .. } => Some(*attempt),
            _ => None,
        })
        .collect();
    assert_eq!(attempts, vec![1, 2], "the redeployed listener fails v13 twice, then processes it");
    let lag: i64 = run
        .world()
        .consumers()
        .flat_map(|c| c.positions.iter().map(|(tp, p)| run.world().high_watermark(tp) - p))
        .sum();
    assert!(lag < 20, "both partitions keep up: lag {lag}");
}

/// `saga`: every order-3 is cancelled and its reserved stock released (the compensation), every
/// other order confirmed; the events keep their key and name their cause.
#[test]
fn a_saga_compensates_the_orders_whose_payment_failed() {
    let (run, _) = run("saga");
    let world = run.world();
    let values = |topic: &str| -> Vec<(String, String)> {
        records_with_headers(world, topic)
            .into_iter()
            .map(|(k, v, _)| (k.unwrap_or_default(), v.unwrap_or_default()))
            .collect()
    };
    let orders = values("orders");
    let status = values("order-status");
    assert!(
        orders.len() > 10 && status.len() == orders.len(),
        "every order's saga ended: {} orders, {} statuses",
        orders.len(),
        status.len()
    );
    for (key, value) in &status {
        let expected = if key == "order-3" { format!("OrderCancelled {key}") } else { format!("OrderConfirmed {key}") };
        assert_eq!(value, &expected);
    }
    let inventory = values("inventory");
    let count = |prefix: &str, key: &str| inventory.iter().filter(|(k, v)| k == key && v.starts_with(prefix)).count();
    let cancelled = status.iter().filter(|(k, _)| k == "order-3").count();
    assert!(cancelled >= 2, "order-3 came more than once");
    assert_eq!(count("StockReserved", "order-3"), cancelled);
    assert_eq!(count("StockReleased", "order-3"), cancelled, "the compensation released every reservation of order-3");
    assert_eq!(count("StockReleased", "order-1"), 0, "a paid order keeps its stock");
    let (_, _, headers) = &records_with_headers(world, "inventory")[0];
    assert_eq!(headers["saga-step"], "reserve-stock");
    assert_eq!(headers["caused-by"], "orders-0@0", "the derived event names its input");
}

/// Every record of `topic`'s partitions on their leaders: (partition, key, value).
fn all_records(world: &World, topic: &str) -> Vec<(i32, Option<String>, Option<String>)> {
    let partitions = world.metadata().topics[topic].partitions.len() as i32;
    (0..partitions)
        .flat_map(|p| leader_log(world, &TopicPartition::new(topic, p)).into_iter().map(move |(_, k, v)| (p, k, v)))
        .collect()
}

/// `cdc-outbox`: each customer's changes go to one partition of the compacted customers topic;
/// compaction removed older rows, and what is left ends with every customer's latest row.
#[test]
fn cdc_through_the_outbox_leaves_the_latest_row_per_key() {
    let (run, facts) = run("cdc-outbox");
    let world = run.world();
    assert!(
        facts.iter().any(|f| matches!(&f.fact, Fact::LogCompacted { topic_partition, records_removed, .. } if topic_partition.topic == "customers" && *records_removed > 0)),
        "the cleaner removed older rows of customers"
    );
    let changes = all_records(world, "db.public.outbox");
    let rows = all_records(world, "customers");
    assert!(rows.len() < changes.len(), "compaction left fewer rows ({}) than changes ({})", rows.len(), changes.len());
    let mut latest_change: BTreeMap<String, String> = BTreeMap::new();
    for (_, k, v) in &changes {
        latest_change.insert(k.clone().unwrap(), v.clone().unwrap());
    }
    let mut latest_row: BTreeMap<String, (i32, String)> = BTreeMap::new();
    for (p, k, v) in &rows {
        let key = k.clone().unwrap();
        if let Some((partition, _)) = latest_row.get(&key) {
            assert_eq!(*partition, *p, "a primary key stays in one partition");
        }
        latest_row.insert(key, (*p, v.clone().unwrap()));
    }
    assert_eq!(latest_row.len(), 6, "six customers");
    for (key, (_, row)) in &latest_row {
        assert_eq!(row, &format!("CustomerUpdated {key} row {}", latest_change[key]), "the table's latest state");
    }
}

/// `event-sourcing-cqrs`: the read model v2, started late in a new group, replays the event log
/// from offset 0 and processes every event; the log is kept whole while the snapshots are
/// compacted to the latest state per account.
#[test]
fn a_new_read_model_is_rebuilt_by_replaying_the_event_log_from_offset_0() {
    let (run, facts) = run("event-sourcing-cqrs");
    let world = run.world();
    let v2 = world.consumers().find(|c| c.name == "balance-view-v2").map(|c| c.id).unwrap();
    let v2_runs: Vec<(u64, TopicPartition, i64)> = facts
        .iter()
        .filter_map(|f| match &f.fact {
            Fact::RecordsProcessed { consumer, topic_partition, first_offset, .. } if *consumer == v2 => {
                Some((f.at_ms, topic_partition.clone(), *first_offset))
            }
            _ => None,
        })
        .collect();
    assert!(v2_runs.first().is_some_and(|(at, _, _)| *at >= 10_000), "v2 starts at 10 s");
    for p in 0..2 {
        let tp = TopicPartition::new("account-events", p);
        let first = v2_runs.iter().find(|(_, t, _)| *t == tp).map(|(_, _, o)| *o);
        assert_eq!(first, Some(0), "v2 replays {tp} from offset 0");
    }
    let events = all_records(world, "account-events");
    let processed = world.consumers().find(|c| c.id == v2).unwrap().processed_records;
    assert_eq!(processed, events.len() as u64, "v2 processed every event");
    assert!(
        leader_log(world, &TopicPartition::new("account-events", 0)).first().is_some_and(|(o, _, _)| *o == 0),
        "the event log is kept from offset 0"
    );
    assert!(facts.iter().any(|f| matches!(&f.fact, Fact::LogCompacted { topic_partition, records_removed, .. } if topic_partition.topic == "account-snapshots" && *records_removed > 0)));
    let snapshots = all_records(world, "account-snapshots");
    assert!(
        snapshots.len() < events.len(),
        "compacted snapshots ({}) are fewer than events ({})",
        snapshots.len(),
        events.len()
    );
    let mut last_event: BTreeMap<String, String> = BTreeMap::new();
    for (_, k, v) in &events {
        last_event.insert(k.clone().unwrap(), v.clone().unwrap());
    }
    let mut last_snapshot: BTreeMap<String, String> = BTreeMap::new();
    for (_, k, v) in &snapshots {
        last_snapshot.insert(k.clone().unwrap(), v.clone().unwrap());
    }
    for (key, event) in &last_event {
        assert_eq!(last_snapshot[key], format!("state of {key} after event {event}"));
    }
}

/// A `DefaultErrorHandler` back-off longer than `max.poll.interval.ms`: the consumer thread
/// sleeps without polling, so the member leaves the group (`maybeLeaveGroup`) in the middle of its
/// retries, and the group rebalances, as Spring's documentation warns.
#[test]
fn a_back_off_longer_than_max_poll_interval_makes_the_member_leave() {
    let text = r#"name = "long-back-off"
duration_ms = 20000
title = { ko = "t", en = "t" }
description = { ko = "d", en = "d" }

[cluster]
brokers = 1
configs = { "offsets.topic.num.partitions" = 1, "group.initial.rebalance.delay.ms" = 0 }

[[topic]]
name = "orders"
partitions = 1
replication_factor = 1

[[producer]]
name = "p"
stream = { topic = "orders", rate = 5 }

[[consumer]]
name = "c"
topics = ["orders"]
configs = { "group.id" = "g", "auto.offset.reset" = "earliest", "enable.auto.commit" = false, "max.poll.interval.ms" = 3000 }
app = { commit = "sync_after_processing" }

[[consumer.rule]]
value = "v3"
fail = "always"

[consumer.error_handler]
kind = "default"
back_off = { kind = "fixed", interval_ms = 8000, max_attempts = 1 }
"#;
    let mut run = ScenarioRun::new(scenario::parse(text).unwrap(), None).unwrap();
    run.seek(20_000);
    let facts: Vec<TimedFact> = run.world().facts().cloned().collect();
    let back_off_at = facts
        .iter()
        .find(|f| matches!(&f.fact, Fact::ErrorHandlerBackOff { back_off_ms: 8000, .. }))
        .map(|f| f.at_ms)
        .expect("an 8 s back-off");
    let left_at = facts
        .iter()
        .find(|f| matches!(&f.fact, Fact::PollIntervalExceeded { max_poll_interval_ms: 3000, .. }))
        .map(|f| f.at_ms)
        .expect("the sleeping consumer exceeds max.poll.interval.ms");
    assert!(
        left_at > back_off_at && left_at < back_off_at + 8000,
        "it leaves during the back-off: {back_off_at} → {left_at}"
    );
    assert!(
        facts.iter().any(|f| f.at_ms > left_at && matches!(&f.fact, Fact::RebalanceStarted { .. })),
        "the group rebalances"
    );
}
