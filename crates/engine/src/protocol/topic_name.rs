//! A topic's name, shared rather than copied: the controller makes one per topic and every
//! metadata record, replica, fetch and fact clones that one. 100 brokers keyed their replica maps
//! by 10,000 partitions, each key following its own heap copy of the name (a cache miss per
//! comparison) and each request and fact allocating another.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// A topic name: compares, orders, hashes, prints and serializes exactly as the `String` it
/// replaced (traces, saved state and JSON are byte-identical); clones share one allocation, and
/// two clones of one name compare equal without reading it.
#[derive(Clone)]
pub struct TopicName(Arc<str>);

impl TopicName {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for TopicName {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for TopicName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Maps keyed by names can be searched with a `&str` (equal and ordered as the `str`).
impl Borrow<str> for TopicName {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl PartialEq for TopicName {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || same_name(&self.0, &other.0)
    }
}

impl Eq for TopicName {}

/// Bytewise, as `str` orders, compared inline (no `memcmp` call for a short name); the same
/// allocation is equal without a read.
impl Ord for TopicName {
    fn cmp(&self, other: &Self) -> Ordering {
        if Arc::ptr_eq(&self.0, &other.0) {
            return Ordering::Equal;
        }
        let (a, b) = (self.0.as_bytes(), other.0.as_bytes());
        match a.iter().zip(b).find(|(x, y)| x != y) {
            Some((x, y)) => x.cmp(y),
            None => a.len().cmp(&b.len()),
        }
    }
}

impl PartialOrd for TopicName {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// As a `str` hashes (so as the `String` before): the trace hash depends on it.
impl std::hash::Hash for TopicName {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (*self.0).hash(state);
    }
}

impl fmt::Display for TopicName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl fmt::Debug for TopicName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl Serialize for TopicName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for TopicName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(TopicName::from)
    }
}

impl From<&str> for TopicName {
    fn from(name: &str) -> Self {
        TopicName(Arc::from(name))
    }
}

impl From<String> for TopicName {
    fn from(name: String) -> Self {
        TopicName(Arc::from(name))
    }
}

impl From<&String> for TopicName {
    fn from(name: &String) -> Self {
        TopicName(Arc::from(name.as_str()))
    }
}

/// A clone: the same allocation.
impl From<&TopicName> for TopicName {
    fn from(name: &TopicName) -> Self {
        name.clone()
    }
}

impl From<TopicName> for String {
    fn from(name: TopicName) -> Self {
        name.0.to_string()
    }
}

impl PartialEq<str> for TopicName {
    fn eq(&self, other: &str) -> bool {
        same_name(&self.0, other)
    }
}

impl PartialEq<&str> for TopicName {
    fn eq(&self, other: &&str) -> bool {
        same_name(&self.0, other)
    }
}

impl PartialEq<String> for TopicName {
    fn eq(&self, other: &String) -> bool {
        same_name(&self.0, other)
    }
}

impl PartialEq<TopicName> for str {
    fn eq(&self, other: &TopicName) -> bool {
        same_name(self, &other.0)
    }
}

impl PartialEq<TopicName> for &str {
    fn eq(&self, other: &TopicName) -> bool {
        same_name(self, &other.0)
    }
}

impl PartialEq<TopicName> for String {
    fn eq(&self, other: &TopicName) -> bool {
        same_name(self, &other.0)
    }
}

/// Whether two (short) names are equal, compared inline rather than with a `memcmp` call.
pub fn same_name(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::hash_map::DefaultHasher;
    use std::hash::{Hash, Hasher};

    fn hash_of(value: impl Hash) -> u64 {
        let mut hasher = DefaultHasher::new();
        value.hash(&mut hasher);
        hasher.finish()
    }

    #[test]
    fn a_name_hashes_orders_prints_and_serializes_as_the_string() {
        let names = ["", "a", "orders", "orders-2", "ordersx", "payments", "__consumer_offsets"];
        for a in names {
            let name = TopicName::from(a);
            assert_eq!(hash_of(&name), hash_of(a.to_string()), "{a}");
            assert_eq!(format!("{name}"), a);
            assert_eq!(format!("{name:?}"), format!("{:?}", a.to_string()));
            assert_eq!(serde_json::to_string(&name).unwrap(), serde_json::to_string(a).unwrap());
            assert_eq!(serde_json::from_str::<TopicName>(&serde_json::to_string(a).unwrap()).unwrap(), a);
            for b in names {
                let other = TopicName::from(b);
                assert_eq!(name.cmp(&other), a.cmp(b), "{a} vs {b}");
                assert_eq!(name == other, a == b, "{a} vs {b}");
            }
        }
    }

    #[test]
    fn clones_share_the_allocation_and_equal_copies_compare_equal() {
        let name = TopicName::from("orders");
        let clone = name.clone();
        assert!(Arc::ptr_eq(&name.0, &clone.0));
        assert_eq!(name.cmp(&clone), Ordering::Equal);
        let copy = TopicName::from("orders".to_string());
        assert!(!Arc::ptr_eq(&name.0, &copy.0));
        assert_eq!(name, copy);
        assert_eq!(name, "orders");
        assert_eq!("orders".to_string(), name);
    }
}
