//! Kafka Streams scenarios: windows with grace, late records dropped, and a store restored from
//! its changelog after a crash. Each test reads its learning point from the engine's facts and
//! state.

use crate::scenarios::run;
use kafkalab_engine::narration::{Fact, StreamsDropReason};

/// The store entries of `application`'s tasks on its running instances: (key, window start) → value.
fn store(run: &kafkalab_engine::scenario::ScenarioRun, application: &str) -> Vec<((String, Option<i64>), i64)> {
    let app = run.world().streams_apps().find(|a| a.topology.application_id == application).expect("application");
    app.instances.iter().flat_map(|i| i.tasks.values()).flat_map(|t| t.store.clone()).collect()
}

#[test]
fn streams_windowed_count_drops_the_late_record_only_from_closed_windows() {
    let (run, facts) = run("streams-windowed-count");
    let mut dropped: Vec<(&str, Option<(i64, i64)>, i64)> = facts
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
