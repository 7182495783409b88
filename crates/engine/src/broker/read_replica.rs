//! KIP-392 follower fetching on the leader's side: `replica.selector.class` and the preferred
//! read replica a leader names in its answer to a consumer's fetch
//! (`ReplicaManager.findPreferredReadReplica` with `RackAwareReplicaSelector.select`).

use super::replica::Replica;
use super::Broker;
use crate::config::ConfigError;
use crate::sim::Millis;
use serde::Serialize;

/// `replica.selector.class`: which replica a consumer should read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ReplicaSelector {
    /// No selector (Kafka's default) or `LeaderSelector`: consumers read from the leader.
    #[default]
    Leader,
    /// `RackAwareReplicaSelector`: an in-sync replica in the consumer's `client.rack`.
    RackAware,
}

const LEADER_SELECTOR: &str = "org.apache.kafka.common.replica.LeaderSelector";
const RACK_AWARE_SELECTOR: &str = "org.apache.kafka.common.replica.RackAwareReplicaSelector";

impl ReplicaSelector {
    /// Parses Kafka's class names; empty is the default (no selector).
    pub fn parse(key: &str, value: &str) -> Result<Self, ConfigError> {
        match value.trim() {
            "" | LEADER_SELECTOR => Ok(ReplicaSelector::Leader),
            RACK_AWARE_SELECTOR => Ok(ReplicaSelector::RackAware),
            _ => Err(ConfigError::invalid(key, value, format!("{RACK_AWARE_SELECTOR}, {LEADER_SELECTOR} or empty"))),
        }
    }
}

impl Broker {
    /// The follower a consumer in `client_rack` should read `replica` from at `fetch_offset`, or
    /// None for the leader itself. Candidates are followers in the ISR, registered and unfenced
    /// (the metadata cache's live endpoints), whose log end offset reached the fetch offset. With
    /// the rack-aware selector: the leader if it is in the consumer's rack, else the most caught-up
    /// candidate in that rack (`ReplicaView.comparator`: log end offset, then the shortest time
    /// since caught up, then the highest broker id), else the leader.
    pub(super) fn preferred_read_replica(
        &self,
        replica: &Replica,
        client_rack: &str,
        fetch_offset: i64,
        now: Millis,
    ) -> Option<i32> {
        if self.config.replica_selector != ReplicaSelector::RackAware || client_rack.is_empty() {
            return None;
        }
        let image = &self.durable.image;
        let in_rack = |broker: i32| image.racks.get(&broker).is_some_and(|r| r == client_rack);
        if in_rack(self.id) {
            return None;
        }
        replica
            .followers
            .iter()
            .filter(|(broker, state)| {
                replica.isr.contains(broker)
                    && image.brokers.get(broker).is_some_and(|b| !b.fenced)
                    && state.log_end_offset >= fetch_offset
                    && in_rack(**broker)
            })
            .max_by_key(|(broker, state)| {
                (state.log_end_offset, std::cmp::Reverse(now.saturating_sub(state.last_caught_up_ms)), **broker)
            })
            .map(|(broker, _)| *broker)
    }
}
