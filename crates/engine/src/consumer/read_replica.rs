//! KIP-392 follower fetching on the consumer's side: the preferred read replica a leader names
//! is kept for `metadata.max.age.ms` (`SubscriptionState.updatePreferredReadReplica`) and fetches
//! go there instead of the leader (`AbstractFetch.selectReadReplica`), until a fetch from it
//! fails or it answers with an error (`clearPreferredReadReplica`): then the leader again.

use super::{Consumer, Timer};
use crate::narration::{Fact, ReadReplicaFallback};
use crate::node::Outbox;
use crate::protocol::TopicPartition;
use crate::sim::Millis;

/// Kafka's `reconnect.backoff.max.ms` default: a node whose connection broke is skipped this long
/// (Kafka backs off exponentially from `reconnect.backoff.ms`, 50 ms, up to this).
pub(super) const RECONNECT_BACKOFF_MAX_MS: Millis = 1000;

/// Where a partition's next fetch goes.
pub(super) enum FetchTarget {
    Node(i32),
    /// The preferred read replica is in reconnect backoff: this partition waits (Kafka skips it).
    Backoff,
}

impl Consumer {
    /// The replica this consumer reads `tp` from now: its preferred read replica while it is
    /// kept, else the leader (None: leader unknown).
    pub fn read_replica(&self, tp: &TopicPartition, now: Millis) -> Option<i32> {
        match self.preferred_read_replicas.get(tp) {
            Some((replica, expires_at)) if now < *expires_at => Some(*replica),
            _ => self.leaders.get(tp).copied(),
        }
    }

    /// `selectReadReplica` for one partition, dropping an expired preferred read replica first.
    pub(super) fn fetch_target(
        &mut self,
        tp: &TopicPartition,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) -> Option<FetchTarget> {
        if self.preferred_read_replicas.get(tp).is_some_and(|(_, expires_at)| now >= *expires_at) {
            self.clear_preferred_read_replica(tp, ReadReplicaFallback::Expired, out);
        }
        match self.preferred_read_replicas.get(tp) {
            Some((replica, _)) if self.unavailable_until.get(replica).is_some_and(|until| now < *until) => {
                Some(FetchTarget::Backoff)
            }
            Some((replica, _)) => Some(FetchTarget::Node(*replica)),
            None => self.leaders.get(tp).map(|leader| FetchTarget::Node(*leader)),
        }
    }

    /// The leader `leader` named `replica` for `tp`: fetch from it until `metadata.max.age.ms`
    /// passes. Told once per change.
    pub(super) fn adopt_preferred_read_replica(
        &mut self,
        tp: TopicPartition,
        leader: i32,
        replica: i32,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) {
        let expires_at = now + self.config.metadata_max_age_ms;
        let before = self.preferred_read_replicas.insert(tp.clone(), (replica, expires_at));
        if before.map(|(r, _)| r) != Some(replica) {
            out.fact(Fact::PreferredReadReplicaChosen {
                consumer: self.id,
                topic_partition: tp,
                leader,
                replica,
                rack: self.config.client_rack.clone(),
            });
        }
    }

    /// Whether `tp`'s fetches go to `broker` as its preferred read replica.
    pub(super) fn reads_from_replica(&self, tp: &TopicPartition, broker: i32) -> bool {
        self.preferred_read_replicas.get(tp).is_some_and(|(r, _)| *r == broker)
    }

    /// Back to the leader for `tp`.
    pub(super) fn clear_preferred_read_replica(
        &mut self,
        tp: &TopicPartition,
        reason: ReadReplicaFallback,
        out: &mut Outbox<Timer>,
    ) {
        if let Some((replica, _)) = self.preferred_read_replicas.remove(tp) {
            out.fact(Fact::PreferredReadReplicaCleared {
                consumer: self.id,
                topic_partition: tp.clone(),
                replica,
                reason,
            });
        }
    }

    /// A fetch to `broker` failed (`handleFetchFailure`): the partitions it read as their
    /// preferred read replica go back to the leader, and `broker` waits out the reconnect backoff.
    pub(super) fn read_replica_failed(
        &mut self,
        broker: i32,
        asked: &[(TopicPartition, i64)],
        now: Millis,
        out: &mut Outbox<Timer>,
    ) {
        let mut any = false;
        for (tp, _) in asked {
            if self.reads_from_replica(tp, broker) {
                self.clear_preferred_read_replica(tp, ReadReplicaFallback::FetchFailed, out);
                any = true;
            }
        }
        if any {
            self.unavailable_until.insert(broker, now + RECONNECT_BACKOFF_MAX_MS);
        }
    }
}
