//! The `scale` preset's picture in numbers: a cluster of 100 brokers and thousands of partitions
//! cannot be drawn replica by replica, so the page shows per-broker counts, the under-replicated
//! partitions (capped), the group and the producers' totals, read from the world directly: a
//! full [`kafkalab_engine::view::View`] of 30,000 replicas would cost a frame by itself.

use kafkalab_engine::cluster::World;
use kafkalab_engine::view::BrokerState;

/// Under-replicated partitions the list shows; the rest are counted.
pub const URP_SHOWN: usize = 50;

/// One broker's share of the partitions, from the controller's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerCounts {
    pub id: i32,
    pub alive: bool,
    pub is_controller: bool,
    /// Partitions it leads.
    pub leaders: u32,
    /// Partitions it holds a replica of without leading.
    pub followers: u32,
    /// Its replicas that are out of their partition's ISR.
    pub out_of_isr: u32,
}

/// A partition whose ISR is smaller than its replica set, as `kafka-topics --describe
/// --under-replicated-partitions` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnderReplicated {
    pub topic: String,
    pub partition: i32,
    /// -1 when the partition has no leader (offline).
    pub leader: i32,
    pub isr: Vec<i32>,
    pub replicas: Vec<i32>,
}

/// A consumer group in one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupLine {
    pub group_id: String,
    pub state: String,
    pub generation: i32,
    pub members: usize,
    /// Σ (log end offset − committed offset) over its partitions.
    pub lag: i64,
}

/// The producers taken together.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProducerTotals {
    pub count: usize,
    pub running: usize,
    pub acked: u64,
    pub failed: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaleSummary {
    pub brokers: Vec<BrokerCounts>,
    pub partitions: usize,
    /// The first [`URP_SHOWN`] under-replicated partitions, in topic and partition order.
    pub under_replicated: Vec<UnderReplicated>,
    pub under_replicated_total: usize,
    /// Partitions without a leader.
    pub offline: usize,
    pub groups: Vec<GroupLine>,
    pub producers: ProducerTotals,
}

impl ScaleSummary {
    pub fn read(world: &World) -> Self {
        Self::listing(world, URP_SHOWN)
    }

    /// The summary, listing the first `shown` under-replicated partitions.
    fn listing(world: &World, shown: usize) -> Self {
        let controller = world.active_controller();
        let mut brokers: Vec<BrokerCounts> = world
            .brokers()
            .map(|b| BrokerCounts {
                id: b.id,
                alive: world.broker_state(b.id).unwrap_or(b.state) != BrokerState::Dead,
                is_controller: controller == Some(b.id),
                leaders: 0,
                followers: 0,
                out_of_isr: 0,
            })
            .collect();
        brokers.sort_by_key(|b| b.id);
        let ids: Vec<i32> = brokers.iter().map(|b| b.id).collect();
        let index = |id: i32| ids.binary_search(&id).ok();
        let (mut partitions, mut offline, mut total) = (0, 0, 0);
        let mut under_replicated = Vec::new();
        for topic in world.metadata().topics.values() {
            for (partition, p) in topic.partitions.iter().enumerate() {
                partitions += 1;
                if p.leader < 0 {
                    offline += 1;
                }
                for &r in &p.replicas {
                    let Some(b) = index(r).map(|i| &mut brokers[i]) else { continue };
                    if r == p.leader {
                        b.leaders += 1;
                    } else {
                        b.followers += 1;
                    }
                    if !p.isr.contains(&r) {
                        b.out_of_isr += 1;
                    }
                }
                if p.isr.len() < p.replicas.len() {
                    total += 1;
                    if under_replicated.len() < shown {
                        under_replicated.push(UnderReplicated {
                            topic: topic.name.to_string(),
                            partition: partition as i32,
                            leader: p.leader,
                            isr: p.isr.clone(),
                            replicas: p.replicas.clone(),
                        });
                    }
                }
            }
        }
        let groups = world
            .group_views()
            .into_iter()
            .map(|g| GroupLine {
                lag: g.offsets.iter().map(|o| o.lag.max(0)).sum(),
                state: g.state.to_string(),
                generation: g.generation_id,
                members: g.members.len(),
                group_id: g.group_id,
            })
            .collect();
        let producers = world.producers().fold(ProducerTotals::default(), |totals, p| ProducerTotals {
            count: totals.count + 1,
            running: totals.running + usize::from(world.producer_running(p.id)),
            acked: totals.acked + p.acked_records,
            failed: totals.failed + p.failed_records,
        });
        ScaleSummary {
            brokers,
            partitions,
            under_replicated,
            under_replicated_total: total,
            offline,
            groups,
            producers,
        }
    }

    pub fn alive(&self) -> usize {
        self.brokers.iter().filter(|b| b.alive).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{Preset, Setup, Sim, UserAction};

    #[test]
    fn counts_add_up_and_a_killed_broker_leaves_its_partitions_under_replicated() {
        let mut sim = Sim::new(Setup::new(Preset::Large, 1)).unwrap();
        sim.seek(3_000);
        let before = ScaleSummary::read(sim.world());
        assert_eq!(before.brokers.len(), 9);
        assert_eq!(before.alive(), 9);
        // events: 60 partitions, __consumer_offsets: 5, every one RF 3.
        let replicas: u32 = before.brokers.iter().map(|b| b.leaders + b.followers).sum();
        assert_eq!(replicas as usize, before.partitions * 3);
        assert_eq!(before.brokers.iter().map(|b| b.leaders as usize).sum::<usize>(), before.partitions);
        assert_eq!(before.under_replicated_total, 0);
        assert_eq!(before.groups.len(), 1);
        assert_eq!(before.groups[0].members, 3);
        assert!(before.producers.acked > 0);

        let held = before.brokers.iter().find(|b| b.id == 4).map(|b| b.leaders + b.followers).unwrap();
        sim.apply(UserAction::KillBroker { broker: 4 }).unwrap();
        sim.seek(60_000);
        let after = ScaleSummary::read(sim.world());
        let dead = after.brokers.iter().find(|b| b.id == 4).unwrap();
        assert!(!dead.alive);
        assert_eq!(dead.leaders, 0, "its partitions elected other leaders");
        assert_eq!(dead.out_of_isr, dead.followers, "every replica it holds is out of its ISR");
        assert_eq!(after.under_replicated_total as u32, held, "each partition it held is under-replicated");
        assert!(after.under_replicated.iter().all(|u| u.replicas.contains(&4) && !u.isr.contains(&4) && u.leader != 4));
        assert_eq!(after.offline, 0, "RF 3: every partition kept a leader");
    }

    #[test]
    fn the_list_is_capped_and_the_rest_counted() {
        let mut sim = Sim::new(Setup::new(Preset::Large, 1)).unwrap();
        sim.seek(2_000);
        sim.apply(UserAction::KillBroker { broker: 4 }).unwrap();
        sim.seek(60_000);
        let s = ScaleSummary::listing(sim.world(), 5);
        assert!(s.under_replicated_total > 5, "{}", s.under_replicated_total);
        assert_eq!(s.under_replicated.len(), 5);
        let mut listed: Vec<_> = s.under_replicated.iter().map(|u| (u.topic.clone(), u.partition)).collect();
        listed.sort();
        assert_eq!(listed, s.under_replicated.iter().map(|u| (u.topic.clone(), u.partition)).collect::<Vec<_>>());
    }
}
