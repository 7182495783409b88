//! A consumer's fetch positions and the leaders of its partitions, indexed for its poll.
//!
//! Kafka's `AbstractFetch.prepareFetchRequests` walks every owned partition per poll. A consumer
//! owning 500 partitions led by 100 brokers mostly has a fetch in flight to all leaders but one:
//! the walk passed over ~495 partitions each time (14% of the 100-broker bench). The index finds
//! the partitions of the leaders it may fetch from; it is rebuilt only when the owned positions'
//! partitions or the leaders change, and the poll's result is the same.

use crate::protocol::{TopicName, TopicPartition};
use std::collections::BTreeMap;
use std::ops::Deref;

/// Fetch positions (the next offset `poll()` returns), with a count of changes to which
/// partitions have one. Read as the map; written only through `insert` and `remove`.
#[derive(Debug, Clone, Default)]
pub struct Positions {
    map: BTreeMap<TopicPartition, i64>,
    /// Bumped when a partition gains or loses its position (not when a position moves).
    partitions_changed: u64,
}

impl Positions {
    pub fn insert(&mut self, tp: TopicPartition, offset: i64) -> Option<i64> {
        let previous = self.map.insert(tp, offset);
        if previous.is_none() {
            self.partitions_changed += 1;
        }
        previous
    }

    pub fn remove(&mut self, tp: &TopicPartition) -> Option<i64> {
        let removed = self.map.remove(tp);
        if removed.is_some() {
            self.partitions_changed += 1;
        }
        removed
    }
}

impl Deref for Positions {
    type Target = BTreeMap<TopicPartition, i64>;
    fn deref(&self) -> &Self::Target {
        &self.map
    }
}

impl<'a> IntoIterator for &'a Positions {
    type Item = (&'a TopicPartition, &'a i64);
    type IntoIter = std::collections::btree_map::Iter<'a, TopicPartition, i64>;
    fn into_iter(self) -> Self::IntoIter {
        self.map.iter()
    }
}

/// The positioned partitions by leader (`None`: no known leader), in positions order.
type ByLeader = BTreeMap<Option<i32>, Vec<TopicPartition>>;

/// A partition's leader and leader epoch, as the consumer's metadata holds them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Slot {
    leader: Option<i32>,
    leader_epoch: Option<i32>,
}

/// The leader and leader epoch of each partition the metadata named, by topic and then partition
/// index: a metadata answer of 10,000 partitions is read into vectors, not 10,000 tree inserts
/// (each consumer reads one after every failed fetch while a dead broker is not yet fenced). A
/// new answer replaces the whole value; the poll's index survives it when no leader changed.
#[derive(Debug, Clone, Default)]
pub(super) struct PartitionLeaders {
    by_topic: BTreeMap<TopicName, Vec<Slot>>,
    /// The poll's index and the `Positions::partitions_changed` it was built at.
    fetch_index: Option<(u64, ByLeader)>,
}

impl PartitionLeaders {
    fn slot(&self, tp: &TopicPartition) -> Option<&Slot> {
        let index = usize::try_from(tp.partition).ok()?;
        self.by_topic.get(tp.topic.as_str())?.get(index)
    }

    pub(super) fn get(&self, tp: &TopicPartition) -> Option<&i32> {
        self.slot(tp)?.leader.as_ref()
    }

    /// The leader epoch the metadata named for `tp` (Kafka's `Metadata.lastSeenLeaderEpochs`).
    pub(super) fn leader_epoch(&self, tp: &TopicPartition) -> Option<i32> {
        self.slot(tp)?.leader_epoch
    }

    /// `tp` with the name the metadata's partitions share, if the metadata names its topic: the
    /// partitions a consumer owns then compare names by pointer, here and on the brokers.
    pub(super) fn intern(&self, tp: TopicPartition) -> TopicPartition {
        match self.by_topic.get_key_value(tp.topic.as_str()) {
            Some((name, _)) => TopicPartition { topic: name.clone(), partition: tp.partition },
            None => tp,
        }
    }

    /// Partition indexes are never negative: metadata names partitions 0..n.
    pub(super) fn insert(&mut self, tp: TopicPartition, leader: Option<i32>, leader_epoch: i32) {
        let Ok(index) = usize::try_from(tp.partition) else { return };
        let slots = self.by_topic.entry(tp.topic).or_default();
        if slots.len() <= index {
            slots.resize(index + 1, Slot::default());
        }
        slots[index] = Slot { leader, leader_epoch: Some(leader_epoch) };
        self.fetch_index = None;
    }

    /// Takes `new`'s leaders, keeping the poll's index if every partition has the leader it had.
    pub(super) fn replace(&mut self, new: PartitionLeaders) {
        let leaders = |slots: &Vec<Slot>| slots.iter().map(|s| s.leader).collect::<Vec<_>>();
        let same = self.by_topic.len() == new.by_topic.len()
            && self.by_topic.iter().zip(&new.by_topic).all(|((a, x), (b, y))| a == b && leaders(x) == leaders(y));
        let fetch_index = if same { self.fetch_index.take() } else { None };
        *self = PartitionLeaders { fetch_index, ..new };
    }

    /// The positioned partitions whose leader is unknown or not in `busy` (sorted), in
    /// positions order: what the walk over every position kept.
    pub(super) fn fetchable(&mut self, positions: &Positions, busy: &[i32]) -> Vec<TopicPartition> {
        if self.fetch_index.as_ref().is_none_or(|(built_at, _)| *built_at != positions.partitions_changed) {
            let mut index = ByLeader::new();
            for tp in positions.keys() {
                index.entry(self.get(tp).copied()).or_default().push(tp.clone());
            }
            self.fetch_index = Some((positions.partitions_changed, index));
        }
        let Some((_, index)) = &self.fetch_index else { return Vec::new() };
        let mut fetchable: Vec<TopicPartition> = index
            .iter()
            .filter(|(leader, _)| leader.is_none_or(|l| busy.binary_search(&l).is_err()))
            .flat_map(|(_, partitions)| partitions.iter().cloned())
            .collect();
        fetchable.sort_unstable();
        fetchable
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_follows_new_and_removed_positions_and_skips_busy_leaders() {
        let tp = |p| TopicPartition::new("t", p);
        let mut leaders = PartitionLeaders::default();
        for (p, leader) in [(0, 1), (1, 2), (2, 1), (3, 3)] {
            leaders.insert(tp(p), Some(leader), 0);
        }
        let mut positions = Positions::default();
        for p in [3, 0, 1, 2, 4] {
            positions.insert(tp(p), 0);
        }
        // Partition 4 has no known leader: it is always a candidate (it asks for metadata).
        assert_eq!(leaders.fetchable(&positions, &[2]), vec![tp(0), tp(2), tp(3), tp(4)]);
        assert_eq!(leaders.fetchable(&positions, &[1, 3]), vec![tp(1), tp(4)]);
        // A moved position does not rebuild; a removed or new partition does.
        let before = positions.partitions_changed;
        assert_eq!(positions.insert(tp(0), 7), Some(0));
        assert_eq!(positions.partitions_changed, before);
        positions.remove(&tp(2));
        assert_eq!(leaders.fetchable(&positions, &[2, 3]), vec![tp(0), tp(4)]);
        positions.insert(tp(2), 0);
        assert_eq!(leaders.fetchable(&positions, &[2, 3]), vec![tp(0), tp(2), tp(4)]);
        // New leaders: the index is rebuilt.
        leaders.insert(tp(0), Some(3), 1);
        assert_eq!(leaders.fetchable(&positions, &[2, 3]), vec![tp(2), tp(4)]);
    }

    #[test]
    fn a_new_answer_keeps_the_index_only_if_no_leader_changed() {
        let tp = |p| TopicPartition::new("t", p);
        let answer = |leaders: &[(i32, Option<i32>, i32)]| {
            let mut new = PartitionLeaders::default();
            for &(p, leader, epoch) in leaders {
                new.insert(tp(p), leader, epoch);
            }
            new
        };
        let mut positions = Positions::default();
        positions.insert(tp(0), 0);
        positions.insert(tp(1), 0);
        let mut leaders = answer(&[(0, Some(1), 0), (1, Some(2), 0)]);
        leaders.fetchable(&positions, &[]);
        // A newer epoch, the same leaders: the index stays; the epoch is the answer's.
        leaders.replace(answer(&[(0, Some(1), 4), (1, Some(2), 0)]));
        assert!(leaders.fetch_index.is_some());
        assert_eq!((leaders.get(&tp(0)), leaders.leader_epoch(&tp(0))), (Some(&1), Some(4)));
        // Partition 1 lost its leader (an epoch kept without one): the index goes.
        leaders.replace(answer(&[(0, Some(1), 4), (1, None, 3)]));
        assert!(leaders.fetch_index.is_none());
        assert_eq!((leaders.get(&tp(1)), leaders.leader_epoch(&tp(1))), (None, Some(3)));
        assert_eq!(leaders.fetchable(&positions, &[1]), vec![tp(1)]);
    }
}
