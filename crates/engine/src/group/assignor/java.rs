//! The few pieces of Java behaviour that change assignor results: `String.compareTo`, `String.hashCode`,
//! `TopicPartition.hashCode` and the iteration order of `java.util.HashMap`/`HashSet`.
//!
//! Java iterates a hash map bucket by bucket (`index = (h ^ (h >>> 16)) & (capacity - 1)`), and inside a
//! bucket in insertion order (a resize splits a bucket but keeps the relative order). A map made with
//! `new HashMap<>()` starts at 16 buckets and doubles when its size exceeds 0.75 × capacity, or when
//! a bucket grows past 8 entries while the table has fewer than 64 buckets. Not emulated: a bucket of
//! more than 8 colliding entries in a table of ≥ 64 buckets becomes a red-black tree whose iteration
//! order puts the tree root first; that needs 9 equal bucket indexes among the keys and does not occur
//! with ordinary member ids.

use std::cmp::Ordering;

/// Java `String.compareTo`: lexicographic over UTF-16 code units (differs from Rust's `str` order only
/// for characters outside the Basic Multilingual Plane).
pub(crate) fn compare(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Java `String.hashCode`: `s[0]*31^(n-1) + ... + s[n-1]` over UTF-16 code units, wrapping.
pub fn string_hash(s: &str) -> i32 {
    s.encode_utf16().fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c)))
}

/// Java `TopicPartition.hashCode`: `31 * (31 + partition) + topic.hashCode()`.
pub fn topic_partition_hash(topic_hash: i32, partition: i32) -> i32 {
    31i32.wrapping_add(partition).wrapping_mul(31).wrapping_add(topic_hash)
}

const DEFAULT_CAPACITY: usize = 16;
const TREEIFY_THRESHOLD: usize = 8;
const MIN_TREEIFY_CAPACITY: usize = 64;

/// The key order of a `java.util.HashSet` (or a `HashMap`'s key set) created with the default capacity.
/// Keys are compared with `==`; every operation is linear, which is fine for the small sets the sticky
/// assignor iterates.
#[derive(Debug, Clone)]
pub struct JavaHashSet<K> {
    capacity: usize,
    next_seq: u64,
    entries: Vec<(K, i32, u64)>,
}

impl<K: PartialEq> Default for JavaHashSet<K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: PartialEq> JavaHashSet<K> {
    pub fn new() -> Self {
        Self { capacity: DEFAULT_CAPACITY, next_seq: 0, entries: Vec::new() }
    }

    fn bucket(&self, hash: i32) -> usize {
        let h = hash as u32;
        ((h ^ (h >> 16)) as usize) & (self.capacity - 1)
    }

    /// `add`: no effect if the key is present (it keeps its place).
    pub fn insert(&mut self, key: K, hash: i32) {
        if self.entries.iter().any(|(k, _, _)| *k == key) {
            return;
        }
        let bucket = self.bucket(hash);
        let in_bucket = self.entries.iter().filter(|(_, h, _)| self.bucket(*h) == bucket).count();
        self.entries.push((key, hash, self.next_seq));
        self.next_seq += 1;
        if in_bucket >= TREEIFY_THRESHOLD && self.capacity < MIN_TREEIFY_CAPACITY {
            self.capacity *= 2;
        }
        if self.entries.len() > self.capacity / 4 * 3 {
            self.capacity *= 2;
        }
    }

    /// `remove`: the capacity never shrinks.
    pub(crate) fn remove(&mut self, key: &K) {
        self.entries.retain(|(k, _, _)| k != key);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The first key of `iterator()`.
    pub(crate) fn first(&self) -> Option<&K> {
        self.entries.iter().min_by_key(|(_, h, seq)| (self.bucket(*h), *seq)).map(|(k, _, _)| k)
    }

    /// All keys in iteration order.
    pub fn iter_order(&self) -> Vec<&K> {
        let mut keyed: Vec<_> = self.entries.iter().map(|(k, h, seq)| ((self.bucket(*h), *seq), k)).collect();
        keyed.sort_by_key(|(order, _)| *order);
        keyed.into_iter().map(|(_, k)| k).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_hash_matches_java() {
        assert_eq!(string_hash(""), 0);
        assert_eq!(string_hash("a"), 97);
        assert_eq!(string_hash("consumer"), -567770122);
        assert_eq!(string_hash("hello"), 99162322);
        // "Aa" and "BB" collide in Java.
        assert_eq!(string_hash("Aa"), string_hash("BB"));
    }

    #[test]
    fn compare_is_utf16_order() {
        // U+FF5E (BMP) sorts after U+1F600 (surrogate pair D83D DE00) in Java, before it in Rust.
        assert_eq!(compare("\u{ff5e}", "\u{1f600}"), Ordering::Greater);
        assert_eq!(compare("a", "ab"), Ordering::Less);
    }

    #[test]
    fn hash_set_iterates_by_bucket_then_insertion() {
        let mut set = JavaHashSet::new();
        // "q" (113) and "a" (97) share bucket 1 of 16; "c" (99) is in bucket 3, "b" (98) in 2.
        for s in ["c", "q", "b", "a"] {
            set.insert(s, string_hash(s));
        }
        let order: Vec<&str> = set.iter_order().into_iter().copied().collect();
        assert_eq!(order, ["q", "a", "b", "c"]);
        assert_eq!(set.first(), Some(&"q"));
    }

    #[test]
    fn hash_set_grows_past_three_quarters() {
        let mut set = JavaHashSet::new();
        for i in 0..13 {
            set.insert(i, i);
        }
        assert_eq!(set.capacity, 32);
        set.remove(&0);
        assert_eq!(set.capacity, 32);
        assert_eq!(set.first(), Some(&1));
    }
}
