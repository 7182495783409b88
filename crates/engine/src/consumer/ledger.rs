//! Which offsets each group has processed, to show at-least-once duplicates and at-most-once
//! losses. Not part of Kafka: it plays the learner checking the application's side effects.

use crate::narration::Fact;
use crate::protocol::TopicPartition;
use std::collections::BTreeMap;

/// Processed offsets of one partition as disjoint, non-adjacent ranges `start -> end` (exclusive).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcessedOffsets {
    ranges: BTreeMap<i64, i64>,
}

impl ProcessedOffsets {
    /// How many offsets of `[from, to)` are already in the set.
    fn overlap(&self, from: i64, to: i64) -> Vec<(i64, i64)> {
        self.ranges
            .range(..to)
            .filter(|(_, end)| **end > from)
            .map(|(start, end)| ((*start).max(from), (*end).min(to)))
            .collect()
    }

    fn insert(&mut self, from: i64, to: i64) {
        let (mut start, mut end) = (from, to);
        let touching: Vec<i64> = self.ranges.range(..=to).filter(|(_, e)| **e >= from).map(|(s, _)| *s).collect();
        for s in touching {
            if let Some(e) = self.ranges.remove(&s) {
                start = start.min(s);
                end = end.max(e);
            }
        }
        self.ranges.insert(start, end);
    }

    pub fn contains(&self, offset: i64) -> bool {
        self.ranges.range(..=offset).next_back().is_some_and(|(_, end)| offset < *end)
    }

    /// One past the highest processed offset.
    pub fn end(&self) -> Option<i64> {
        self.ranges.values().next_back().copied()
    }
}

/// Per group and partition, the offsets processed so far.
#[derive(Debug, Clone, Default)]
pub struct DeliveryLedger {
    processed: BTreeMap<(String, TopicPartition), ProcessedOffsets>,
}

/// What one processing step revealed.
#[derive(Debug, Default, PartialEq)]
pub struct Findings {
    pub duplicates: u64,
    pub skipped: u64,
    pub facts: Vec<Fact>,
}

impl DeliveryLedger {
    /// Records that `consumer` of `group` processed offsets `[first, last]` of `tp`.
    pub fn record(&mut self, consumer: u32, group: &str, tp: &TopicPartition, first: i64, last: i64) -> Findings {
        let mut findings = Findings::default();
        let set = self.processed.entry((group.to_string(), tp.clone())).or_default();
        if let Some(end) = set.end().filter(|end| first > *end) {
            findings.skipped = (first - end) as u64;
            findings.facts.push(Fact::RecordsSkipped {
                consumer,
                group: group.to_string(),
                topic_partition: tp.clone(),
                from_offset: end,
                to_offset: first,
            });
        }
        for (from, to) in set.overlap(first, last + 1) {
            findings.duplicates += (to - from) as u64;
            findings.facts.push(Fact::DuplicatesProcessed {
                consumer,
                group: group.to_string(),
                topic_partition: tp.clone(),
                first_offset: from,
                last_offset: to - 1,
                count: (to - from) as usize,
            });
        }
        set.insert(first, last + 1);
        findings
    }

    pub fn processed(&self, group: &str, tp: &TopicPartition) -> Option<&ProcessedOffsets> {
        self.processed.get(&(group.to_string(), tp.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_and_skips() {
        let tp = TopicPartition::new("t", 0);
        let mut l = DeliveryLedger::default();
        assert_eq!(l.record(1, "g", &tp, 0, 9), Findings::default());
        let again = l.record(2, "g", &tp, 5, 14);
        assert_eq!((again.duplicates, again.skipped), (5, 0));
        let gap = l.record(2, "g", &tp, 20, 21);
        assert_eq!((gap.duplicates, gap.skipped), (0, 5));
        assert_eq!(l.processed("g", &tp).and_then(|p| p.end()), Some(22));
        let g = l.processed("g", &tp).unwrap();
        assert!(
            g.contains(0) && g.contains(14) && !g.contains(15) && !g.contains(19) && g.contains(20) && !g.contains(22)
        );
        let other_group = l.record(3, "h", &tp, 0, 3);
        assert_eq!(other_group, Findings::default(), "groups are independent (pub/sub)");
        let fill = l.record(2, "g", &tp, 15, 19);
        assert_eq!((fill.duplicates, fill.skipped), (0, 0));
        assert_eq!(l.processed("g", &tp).map(|p| p.ranges.len()), Some(1));
    }
}
