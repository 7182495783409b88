//! Deleting what a group coordinator stores: the committed offsets of a deleted topic
//! (`GroupCoordinatorService.onPartitionsDeleted`, `OffsetMetadataManager.onPartitionsDeleted`).
//! Each deleted offset gets a tombstone in its group's `__consumer_offsets` partition, so a
//! coordinator that loads the partition later does not bring it back.

use super::{Completion, GroupCoordinator, OffsetsLog, Timer};
use crate::group::offsets;
use crate::narration::Fact;
use crate::node::Outbox;
use crate::protocol::TopicPartition;
use crate::sim::Millis;

impl GroupCoordinator {
    /// The broker applied a `RemoveTopicRecord` for `topics`: every group this coordinator loads
    /// loses its committed offsets of them. As in Kafka the offsets go from the coordinator's
    /// state at once; the tombstones commit with the partition's high watermark.
    pub fn on_partitions_deleted(
        &mut self,
        topics: &[String],
        now: Millis,
        log: &mut dyn OffsetsLog,
        out: &mut Outbox<Timer>,
    ) {
        let groups: Vec<String> = self.offsets.keys().cloned().collect();
        for group_id in groups {
            let Some(committed) = self.offsets.get_mut(&group_id) else { continue };
            let deleted: Vec<TopicPartition> =
                committed.keys().filter(|tp| topics.contains(&tp.topic)).cloned().collect();
            if deleted.is_empty() {
                continue;
            }
            committed.retain(|tp, _| !topics.contains(&tp.topic));
            if let Some(pending) = self.pending_txn_offsets.get_mut(&group_id) {
                for offsets in pending.values_mut() {
                    offsets.retain(|tp, _| !topics.contains(&tp.topic));
                }
            }
            let records =
                deleted.iter().map(|tp| offsets::offset_commit_record(&group_id, tp, None, now as i64)).collect();
            let completion = Completion::Respond { messages: Vec::new(), on_error: Vec::new() };
            self.write(&group_id, records, completion, log, now, out);
            out.fact(Fact::OffsetsDeleted { broker: self.broker_id, group: group_id, topic_partitions: deleted });
        }
    }
}
