//! The event queue: events pop in `(time, sequence)` order, so two events at the same virtual
//! millisecond always run in the order they were scheduled, on every platform.

use super::Millis;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

#[derive(Debug, Clone)]
struct Scheduled<E> {
    at: Millis,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Scheduled<E> {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl<E> Eq for Scheduled<E> {}
impl<E> PartialOrd for Scheduled<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Scheduled<E> {
    /// Reversed, so that the max-heap pops the earliest `(at, seq)` first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

/// A priority queue of future events with a total, deterministic order.
#[derive(Debug, Clone)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Scheduled<E>>,
    next_seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue { heap: BinaryHeap::new(), next_seq: 0 }
    }
}

impl<E> EventQueue<E> {
    /// Schedules `event` at virtual time `at`; returns its sequence number.
    pub fn push(&mut self, at: Millis, event: E) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Scheduled { at, seq, event });
        seq
    }

    /// The time of the next event, if any.
    pub fn peek_time(&self) -> Option<Millis> {
        self.heap.peek().map(|s| s.at)
    }

    /// Removes and returns the earliest event with its time and sequence number.
    pub fn pop(&mut self) -> Option<(Millis, u64, E)> {
        self.heap.pop().map(|s| (s.at, s.seq, s.event))
    }

    /// The next event, without removing it.
    pub fn peek(&self) -> Option<&E> {
        self.heap.peek().map(|s| &s.event)
    }

    /// Keeps only the events `keep` accepts; the order of the rest is unchanged.
    pub fn retain(&mut self, mut keep: impl FnMut(&E) -> bool) {
        self.heap.retain(|s| keep(&s.event));
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_by_time_then_insertion_order() {
        let mut q = EventQueue::default();
        q.push(5, "c");
        q.push(1, "a");
        q.push(5, "d");
        q.push(1, "b");
        let order: Vec<_> = std::iter::from_fn(|| q.pop().map(|(_, _, e)| e)).collect();
        assert_eq!(order, ["a", "b", "c", "d"]);
    }
}
