//! Topic ids (KIP-516) for the bridge's clients. The simulation names topics only, but Kafka 4.x
//! clients meet topic ids in Metadata (v10+) and in the consumer group protocol, whose
//! assignments are topic ids (KIP-848). The bridge gives a topic its id the first time it serves
//! it and keeps it while the topic lives; a topic deleted and created again under the same name
//! gets a new id, as in Kafka.

use std::collections::BTreeMap;
use uuid::Uuid;

#[derive(Debug, Default)]
pub struct TopicIds {
    by_name: BTreeMap<String, Uuid>,
    /// How many ids were issued: the next one is derived from it (deterministic, unlike
    /// Kafka's random ids, so a run can be repeated).
    issued: u64,
}

impl TopicIds {
    /// The id of the live topic `name`, issued now if it has none yet.
    pub fn id_of(&mut self, name: &str) -> Uuid {
        if let Some(id) = self.by_name.get(name) {
            return *id;
        }
        let id = self.fresh();
        self.by_name.insert(name.to_string(), id);
        id
    }

    /// The topic whose id is `id`, if the bridge issued it and the topic was not deleted since.
    pub fn name_of(&self, id: Uuid) -> Option<&str> {
        self.by_name.iter().find(|(_, known)| **known == id).map(|(name, _)| name.as_str())
    }

    /// Forgets the ids of topics that no longer exist: a topic created again gets a new id.
    pub fn retain(&mut self, exists: impl Fn(&str) -> bool) {
        self.by_name.retain(|name, _| exists(name));
    }

    /// A new id as Kafka's `Uuid.randomUuid` would accept it: neither the zero nor the
    /// metadata-reserved one, and not starting with '-' in its base64 form.
    pub fn fresh(&mut self) -> Uuid {
        loop {
            self.issued += 1;
            let id = Uuid::from_u64_pair(splitmix64(self.issued), splitmix64(self.issued ^ 0x5151_5151_5151_5151));
            if id.as_u128() > 1 && id.as_bytes()[0] >> 2 != 62 {
                return id;
            }
        }
    }
}

/// SplitMix64: spreads a counter over 64 bits.
fn splitmix64(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Kafka's `Uuid.toString`: URL-safe base64 without padding (22 characters).
pub fn kafka_string(id: Uuid) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bits = id.as_u128();
    // 16 bytes = 128 bits: 21 full sextets and 2 bits left, padded with zeros to a 22nd.
    (0..22)
        .map(|i| {
            let shift = 128i32 - 6 * (i + 1);
            let sextet = if shift >= 0 { (bits >> shift) & 0x3f } else { (bits << -shift) & 0x3f };
            ALPHABET[sextet as usize] as char
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_topic_keeps_its_id_until_it_is_deleted() {
        let mut ids = TopicIds::default();
        let orders = ids.id_of("orders");
        assert_eq!(ids.id_of("orders"), orders);
        assert_ne!(ids.id_of("payments"), orders);
        assert_eq!(ids.name_of(orders), Some("orders"));
        ids.retain(|name| name != "orders");
        assert_eq!(ids.name_of(orders), None);
        assert_ne!(ids.id_of("orders"), orders, "a topic created again gets a new id");
    }

    #[test]
    fn ids_print_as_kafka_prints_them() {
        // Kafka's `Uuid.toString` of Uuid(0, 1) and of the all-ones id.
        assert_eq!(kafka_string(Uuid::from_u128(1)), "AAAAAAAAAAAAAAAAAAAAAQ");
        assert_eq!(kafka_string(Uuid::from_u128(u128::MAX)), "_____________________w");
    }
}
