//! Kafka Streams scenarios: windows with grace, late records dropped, and a store restored from
//! its changelog after a crash. Each test reads its learning point from the engine's facts and
//! state.

use crate::scenarios::run;
use kafkalab_engine::narration::{Fact, StreamsDropReason};
use kafkalab_engine::streams::Window;

/// The store entries of `application`'s tasks on its running instances: (key, window start) → value.
fn store(run: &kafkalab_engine::scenario::ScenarioRun, application: &str) -> Vec<((String, Option<i64>), i64)> {
    let app = run.world().streams_apps().find(|a| a.topology.application_id == application).expect("application");
    app.instances.iter().flat_map(|i| i.tasks.values()).flat_map(|t| t.store.clone()).collect()
}

#[test]
fn streams_windowed_count_drops_the_late_record_only_from_closed_windows() {
    let (run, facts) = run("streams-windowed-count");
    let mut dropped: Vec<(&str, Option<Window>, i64)> = facts
        .iter()
        .filter_map(|f| match &f.fact {
            Fact::StreamsRecordDropped {
                application_id,
                reason: StreamsDropReason::ExpiredWindow,
                window,
                timestamp,
                ..
            } => Some((application_id.as_str(), *window, *timestamp)),
            _ => None,
        })
        .collect();
    dropped.sort();
    // The record with timestamp 8000 came when stream time was 14000: 14000 - 2000 grace is past
    // the end of [0,10000), in both applications; nothing else was late.
    assert_eq!(
        dropped,
        vec![("hopping-counter", Some((0, 10_000)), 8_000), ("tumbling-counter", Some((0, 10_000)), 8_000)]
    );
    // The out-of-order record (timestamp 9500, stream time 11000) was still in its grace period.
    let tumbling = store(&run, "tumbling-counter");
    let get = |entries: &[((String, Option<i64>), i64)], key: &str, start: i64| {
        entries.iter().find(|((k, w), _)| k == key && *w == Some(start)).map(|(_, v)| *v)
    };
    // home at 1000, 4000, 6000 and 9500 (8000 dropped).
    assert_eq!(get(&tumbling, "home", 0), Some(4));
    assert_eq!(get(&tumbling, "home", 10_000), Some(2));
    assert_eq!(get(&tumbling, "cart", 0), Some(2));
    // Hopping [5000,15000) still took the late record: home at 6000, 8000, 9500, 11000.
    let hopping = store(&run, "hopping-counter");
    assert_eq!(get(&hopping, "home", 0), Some(4));
    assert_eq!(get(&hopping, "home", 5_000), Some(4));
    assert_eq!(get(&hopping, "home", 15_000), Some(1));
    // Each update went to the compacted changelog and to the sink, keyed [key@start/end].
    let updates = facts.iter().filter(|f| matches!(&f.fact, Fact::StreamsStoreUpdated { application_id, .. } if application_id == "tumbling-counter")).count();
    assert_eq!(updates, 10);
}

#[test]
fn streams_state_restore_restores_the_store_from_the_changelog_and_counts_on() {
    let (run, facts) = run("streams-state-restore");
    let crashed = facts
        .iter()
        .find_map(|f| match &f.fact {
            Fact::StreamsInstanceCrashed { instance, tasks, entries_lost, .. } => {
                Some((f.at_ms, instance, tasks, *entries_lost))
            }
            _ => None,
        })
        .expect("the crash");
    assert_eq!((crashed.0, crashed.1.as_str()), (9_000, "order-stats-1"));
    assert!(crashed.3 > 0, "the crashed instance's store held counts");
    // The crashed instance's task moves to the other instance, which restores it from the start
    // of its changelog partition to the end, in polls of restore.consumer.max.poll.records = 3.
    let moved = &crashed.2[0];
    let started = facts
        .iter()
        .find_map(|f| match &f.fact {
            Fact::StreamsRestoreStarted { instance, task, changelog, start_offset, end_offset, .. }
                if task == moved =>
            {
                Some((f.at_ms, instance.clone(), changelog.clone(), *start_offset, *end_offset))
            }
            _ => None,
        })
        .expect("a restoration of the moved task");
    assert_eq!(started.1, "order-stats-2");
    assert!(started.0 > 9_000 + 6_000, "after the session timeout");
    assert_eq!(started.2.topic, "order-stats-orders-per-product-changelog");
    assert_eq!(started.3, 0);
    let polls: Vec<usize> = facts
        .iter()
        .filter_map(|f| match &f.fact {
            Fact::StreamsRestoreProgressed { task, records, .. } if task == moved && f.at_ms < 20_000 => Some(*records),
            _ => None,
        })
        .collect();
    assert!(polls.len() >= 2 && polls.iter().all(|n| *n <= 3), "{polls:?}");
    assert_eq!(polls.iter().sum::<usize>() as i64, started.4, "every changelog record up to the end offset");
    let completed = facts.iter().find_map(|f| match &f.fact {
        Fact::StreamsRestoreCompleted { task, restored, .. } if task == moved => Some(*restored),
        _ => None,
    });
    assert_eq!(completed, Some(started.4 as u64));
    // The restarted instance gets a task back and restores it too.
    assert!(facts.iter().any(|f| f.at_ms > 24_000
        && matches!(&f.fact, Fact::StreamsRestoreCompleted { instance, .. } if instance == "order-stats-1")));
    // 18 orders: book 9, pen 5, lamp 4, with no order counted twice or lost.
    let mut totals = store(&run, "order-stats");
    totals.sort();
    assert_eq!(
        totals,
        vec![(("book".to_string(), None), 9), (("lamp".to_string(), None), 4), (("pen".to_string(), None), 5)]
    );
    // The internal topics, with Kafka's names and configs.
    let world = run.world();
    let changelog = world.metadata().topics.get("order-stats-orders-per-product-changelog").expect("changelog topic");
    assert_eq!(changelog.partitions.len(), 2);
    assert!(world.metadata().topics.contains_key("order-stats-orders-per-product-repartition"));
}
