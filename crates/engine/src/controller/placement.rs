//! Rack-aware replica placement on topic creation, as Kafka's KRaft controller does it
//! (`org.apache.kafka.metadata.placement.StripedReplicaPlacer`): racks take turns, so each
//! partition's replicas land in as many racks as possible, and brokers take turns within a rack.
//! Only unfenced brokers are offered here (the engine never places on fenced ones), so the
//! placer's fenced lists are not modelled. Without racks the controller keeps the rack-unaware
//! placement ([`super::assign_replicas`]).

use rand::seq::SliceRandom;
use rand::Rng;
use std::collections::BTreeMap;

/// One rack's brokers in turn (`StripedReplicaPlacer.BrokerList`): each placement is an
/// iteration epoch, and a new epoch starts one broker further along.
#[derive(Debug)]
struct BrokerList {
    brokers: Vec<i32>,
    index: usize,
    offset: usize,
    epoch: usize,
}

impl BrokerList {
    fn next(&mut self, epoch: usize) -> Option<i32> {
        if self.brokers.is_empty() {
            return None;
        }
        if self.epoch != epoch {
            self.epoch = epoch;
            self.index = 0;
            self.offset = (self.offset + 1) % self.brokers.len();
        }
        let broker =
            self.brokers.get(self.index).map(|_| self.brokers[(self.index + self.offset) % self.brokers.len()]);
        self.index += 1;
        broker
    }
}

/// `StripedReplicaPlacer.RackList`: racks in name order (brokers without a rack form one rack,
/// sorted first as `OptionalStringComparator` does), a random first rack and a random first
/// broker in each.
struct RackList<'a, R: Rng> {
    rng: &'a mut R,
    names: Vec<Option<String>>,
    racks: BTreeMap<Option<String>, BrokerList>,
    brokers: usize,
    epoch: usize,
    offset: usize,
}

impl<'a, R: Rng> RackList<'a, R> {
    fn new(brokers: &[(i32, Option<String>)], rng: &'a mut R) -> Self {
        let mut racks: BTreeMap<Option<String>, BrokerList> = BTreeMap::new();
        for (id, rack) in brokers {
            racks
                .entry(rack.clone())
                .or_insert_with(|| BrokerList { brokers: Vec::new(), index: 0, offset: 0, epoch: 0 })
                .brokers
                .push(*id);
        }
        for list in racks.values_mut() {
            list.brokers.sort_unstable();
            list.offset = rng.random_range(0..list.brokers.len());
        }
        let names: Vec<Option<String>> = racks.keys().cloned().collect();
        let offset = rng.random_range(0..names.len());
        RackList { rng, names, racks, brokers: brokers.len(), epoch: 0, offset }
    }

    /// `RackList.place`: the leader from the next rack in turn, then one replica per rack
    /// round the ring (skipping the leader's rack once), so racks repeat only when RF exceeds them.
    fn place(&mut self, replication_factor: usize) -> Vec<i32> {
        // After as many placements as brokers, shuffle to avoid repeating the same assignments.
        if self.epoch == self.brokers && self.brokers > 1 {
            self.names.shuffle(self.rng);
            for list in self.racks.values_mut() {
                list.brokers.shuffle(self.rng);
            }
            self.epoch = 0;
        }
        if self.offset == self.names.len() {
            self.offset = 0;
        }
        let epoch = self.epoch;
        let mut replicas = Vec::with_capacity(replication_factor);
        let mut rack = self.offset;
        let mut first_rack = loop {
            if let Some(broker) = self.rack(rack).next(epoch) {
                replicas.push(broker);
                break Some(rack);
            }
            rack = (rack + 1) % self.names.len();
        };
        let mut rack = self.offset;
        while replicas.len() < replication_factor {
            let next = if first_rack == Some(rack) {
                first_rack = None;
                None
            } else {
                self.rack(rack).next(epoch)
            };
            rack = (rack + 1) % self.names.len();
            if let Some(broker) = next {
                replicas.push(broker);
            }
        }
        self.epoch += 1;
        self.offset += 1;
        replicas
    }

    fn rack(&mut self, index: usize) -> &mut BrokerList {
        let name = &self.names[index];
        self.racks.get_mut(name).expect("every rack name has a broker list")
    }
}

/// Places `partitions` partitions of `replication_factor` replicas over `brokers` (id and
/// `broker.rack`, at least `replication_factor` of them), the preferred leader first.
pub fn place_striped(
    brokers: &[(i32, Option<String>)],
    partitions: i32,
    replication_factor: i32,
    rng: &mut impl Rng,
) -> Vec<Vec<i32>> {
    let mut racks = RackList::new(brokers, rng);
    (0..partitions).map(|_| racks.place(replication_factor as usize)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use std::collections::BTreeSet;

    fn rack_of(brokers: &[(i32, Option<String>)], id: i32) -> Option<String> {
        brokers.iter().find(|(b, _)| *b == id).and_then(|(_, r)| r.clone())
    }

    /// `StripedReplicaPlacerTest`'s goal: with as many racks as replicas, every partition has one
    /// replica in each rack, and leaders and replicas spread evenly over the brokers.
    #[test]
    fn every_partition_spans_every_rack_and_brokers_share_the_load() {
        let brokers: Vec<(i32, Option<String>)> =
            (1..=6).map(|id| (id, Some(format!("az-{}", (id - 1) % 3)))).collect();
        for seed in 0..20 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let assignment = place_striped(&brokers, 12, 3, &mut rng);
            let mut leaders: BTreeMap<i32, usize> = BTreeMap::new();
            let mut load: BTreeMap<i32, usize> = BTreeMap::new();
            for replicas in &assignment {
                let racks: BTreeSet<Option<String>> = replicas.iter().map(|r| rack_of(&brokers, *r)).collect();
                assert_eq!(racks.len(), 3, "seed {seed}: {replicas:?} spans three racks");
                assert_eq!(replicas.iter().collect::<BTreeSet<_>>().len(), 3, "no broker twice");
                *leaders.entry(replicas[0]).or_default() += 1;
                for r in replicas {
                    *load.entry(*r).or_default() += 1;
                }
            }
            assert!(leaders.values().all(|n| *n == 2), "seed {seed}: leaders {leaders:?}");
            assert!(load.values().all(|n| *n == 6), "seed {seed}: replicas {load:?}");
        }
    }

    /// With fewer racks than replicas, racks repeat only after each got one.
    #[test]
    fn more_replicas_than_racks_still_spans_every_rack() {
        let brokers: Vec<(i32, Option<String>)> =
            vec![(1, Some("a".into())), (2, Some("a".into())), (3, Some("b".into())), (4, Some("b".into()))];
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for replicas in place_striped(&brokers, 8, 3, &mut rng) {
            let racks: BTreeSet<Option<String>> = replicas.iter().map(|r| rack_of(&brokers, *r)).collect();
            assert_eq!(racks.len(), 2, "{replicas:?}");
            assert_eq!(replicas.iter().collect::<BTreeSet<_>>().len(), 3);
        }
    }
}
