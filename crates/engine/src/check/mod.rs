//! Checking the simulation: invariants after every event, the chaos runner that drives random
//! faults and audits every acknowledged record, and the delivery audit the world feeds with its
//! facts (duplicates, skips, lost acknowledged records).

pub mod chaos;
pub mod delivery;
pub mod invariants;

use crate::protocol::TopicPartition;
use std::collections::BTreeMap;

/// `map.entry(tp.clone()).or_default()`, cloning the name only the first time: the checks run
/// after every event, and a clone per partition per event was most of their cost.
fn partition_entry<'a, V: Default>(map: &'a mut BTreeMap<TopicPartition, V>, tp: &TopicPartition) -> &'a mut V {
    if !map.contains_key(tp) {
        map.insert(tp.clone(), V::default());
    }
    map.get_mut(tp).expect("inserted above")
}
