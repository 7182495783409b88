//! The event queue: events pop in `(time, sequence)` order, so two events at the same virtual
//! millisecond always run in the order they were scheduled, on every platform.

use super::Millis;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// An event's place in the order, and the slot holding it: the heap moves these 24 bytes, not
/// the events (a pop sifts through ~20 levels of a queue of 100-broker timers; moving whole
/// events was 6-8% of the 100-broker bench).
#[derive(Debug, Clone, Copy)]
struct Scheduled {
    at: Millis,
    seq: u64,
    slot: u32,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Scheduled {}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scheduled {
    /// Reversed, so that the max-heap pops the earliest `(at, seq)` first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

/// A priority queue of future events with a total, deterministic order.
#[derive(Debug, Clone)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Scheduled>,
    /// The events, by slot; a popped event's slot is reused.
    slots: Vec<Option<E>>,
    free: Vec<u32>,
    next_seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue { heap: BinaryHeap::new(), slots: Vec::new(), free: Vec::new(), next_seq: 0 }
    }
}

impl<E> EventQueue<E> {
    /// Schedules `event` at virtual time `at`; returns its sequence number.
    pub fn push(&mut self, at: Millis, event: E) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize] = Some(event);
                slot
            }
            None => {
                self.slots.push(Some(event));
                u32::try_from(self.slots.len() - 1).expect("fewer than 2^32 pending events")
            }
        };
        self.heap.push(Scheduled { at, seq, slot });
        seq
    }

    /// The time of the next event, if any.
    pub fn peek_time(&self) -> Option<Millis> {
        self.heap.peek().map(|s| s.at)
    }

    /// Removes and returns the earliest event with its time and sequence number.
    pub fn pop(&mut self) -> Option<(Millis, u64, E)> {
        let next = self.heap.pop()?;
        let event = self.slots[next.slot as usize].take()?;
        self.free.push(next.slot);
        Some((next.at, next.seq, event))
    }

    /// The next event, without removing it.
    pub fn peek(&self) -> Option<&E> {
        self.heap.peek().and_then(|s| self.slots[s.slot as usize].as_ref())
    }

    /// Keeps only the events `keep` accepts; the order of the rest is unchanged.
    pub fn retain(&mut self, mut keep: impl FnMut(&E) -> bool) {
        let (slots, free) = (&mut self.slots, &mut self.free);
        self.heap.retain(|s| {
            let kept = slots[s.slot as usize].as_ref().is_some_and(&mut keep);
            if !kept {
                slots[s.slot as usize] = None;
                free.push(s.slot);
            }
            kept
        });
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

    #[test]
    fn retained_and_reused_slots_keep_the_order() {
        let mut q = EventQueue::default();
        for (at, e) in [(3, "x"), (1, "a"), (2, "y"), (2, "b")] {
            q.push(at, e);
        }
        q.retain(|e| !["x", "y"].contains(e));
        assert_eq!(q.len(), 2);
        q.push(2, "c");
        q.push(0, "first");
        assert_eq!(q.peek(), Some(&"first"));
        let order: Vec<_> = std::iter::from_fn(|| q.pop().map(|(at, _, e)| (at, e))).collect();
        assert_eq!(order, [(0, "first"), (1, "a"), (2, "b"), (2, "c")]);
        assert!(q.is_empty());
    }
}
