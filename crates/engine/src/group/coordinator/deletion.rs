//! Deleting what a group coordinator stores: the committed offsets of a deleted topic
//! (`GroupCoordinatorService.onPartitionsDeleted`, `OffsetMetadataManager.onPartitionsDeleted`),
//! a whole empty group (DeleteGroups) and some of a group's offsets (OffsetDelete). Each deleted
//! record gets a tombstone in the group's `__consumer_offsets` partition, so a coordinator that
//! loads the partition later does not bring it back. Admin requests are answered at once, as the
//! world hands the answer to the tool that asked.

use super::classic::ClassicGroupState;
use super::{Completion, GroupCoordinator, OffsetsLog, Timer};
use crate::group::offsets::{self, CoordinatorRecord};
use crate::log::Record;
use crate::narration::Fact;
use crate::node::Outbox;
use crate::protocol::{ErrorCode, TopicPartition};
use crate::sim::Millis;
use std::collections::BTreeSet;

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
                committed.keys().filter(|tp| topics.iter().any(|t| *t == tp.topic)).cloned().collect();
            if deleted.is_empty() {
                continue;
            }
            committed.retain(|tp, _| !topics.iter().any(|t| *t == tp.topic));
            if let Some(pending) = self.pending_txn_offsets.get_mut(&group_id) {
                for offsets in pending.values_mut() {
                    offsets.retain(|tp, _| !topics.iter().any(|t| *t == tp.topic));
                }
            }
            let records =
                deleted.iter().map(|tp| offsets::offset_commit_record(&group_id, tp, None, now as i64)).collect();
            let completion = Completion::Respond { messages: Vec::new(), on_error: Vec::new() };
            self.write(&group_id, records, completion, log, now, out);
            out.fact(Fact::OffsetsDeleted { broker: self.broker_id, group: group_id, topic_partitions: deleted });
        }
    }

    /// DeleteGroups for one group (`GroupMetadataManager.deleteGroups`): only an empty group
    /// goes (`validateDeleteGroup`: NON_EMPTY_GROUP otherwise; GROUP_ID_NOT_FOUND for one the
    /// coordinator does not know); its records and every committed offset get tombstones
    /// (`createGroupTombstoneRecords`, `OffsetMetadataManager.deleteAllOffsets`). A share group's
    /// own records are not written here, so it has none to delete.
    pub fn delete_group(
        &mut self,
        group_id: &str,
        now: Millis,
        log: &mut dyn OffsetsLog,
        out: &mut Outbox<Timer>,
    ) -> ErrorCode {
        if !self.is_coordinator_for(group_id) {
            return ErrorCode::NotCoordinator;
        }
        let classic = self.groups.get(group_id).filter(|g| g.state != ClassicGroupState::Dead);
        let consumer = self.consumer_groups.get(group_id);
        let share = self.share_groups.get(group_id);
        let offsets = self.offsets.get(group_id);
        if classic.is_none() && consumer.is_none() && share.is_none() && offsets.is_none() {
            return ErrorCode::GroupIdNotFound;
        }
        let members = classic.map_or(0, |g| g.members.len())
            + consumer.map_or(0, |g| g.members.len())
            + share.map_or(0, |g| g.members.len());
        if members > 0 {
            return ErrorCode::NonEmptyGroup;
        }
        let mut records: Vec<Record> = offsets
            .into_iter()
            .flat_map(|m| m.keys())
            .map(|tp| offsets::offset_commit_record(group_id, tp, None, now as i64))
            .collect();
        if classic.is_some() {
            records.push(offsets::group_metadata_record(group_id, None, now as i64));
        }
        if consumer.is_some() {
            for record in [
                CoordinatorRecord::ConsumerGroupTargetAssignmentMetadata {
                    group_id: group_id.to_string(),
                    assignment_epoch: None,
                },
                CoordinatorRecord::ConsumerGroupMetadata { group_id: group_id.to_string(), epoch: None },
            ] {
                records.push(offsets::consumer_group_record(&record, now as i64));
            }
        }
        self.groups.remove(group_id);
        self.consumer_groups.remove(group_id);
        self.share_groups.remove(group_id);
        self.offsets.remove(group_id);
        self.pending_txn_offsets.remove(group_id);
        if !records.is_empty() {
            let completion = Completion::Respond { messages: Vec::new(), on_error: Vec::new() };
            self.write(group_id, records, completion, log, now, out);
        }
        out.fact(Fact::GroupDeleted { broker: self.broker_id, group: group_id.to_string() });
        ErrorCode::None
    }

    /// OffsetDelete (`OffsetMetadataManager.deleteOffsets`, KIP-496): the group-level error, then
    /// one per partition. A live group keeps the offsets of topics it subscribes to
    /// (GROUP_SUBSCRIBED_TO_TOPIC); a partition without a committed offset is not an error.
    pub fn delete_offsets(
        &mut self,
        group_id: &str,
        partitions: &[TopicPartition],
        now: Millis,
        log: &mut dyn OffsetsLog,
        out: &mut Outbox<Timer>,
    ) -> (ErrorCode, Vec<(TopicPartition, ErrorCode)>) {
        if !self.is_coordinator_for(group_id) {
            return (ErrorCode::NotCoordinator, Vec::new());
        }
        let classic = self.groups.get(group_id).filter(|g| g.state != ClassicGroupState::Dead);
        let consumer = self.consumer_groups.get(group_id);
        if classic.is_none() && consumer.is_none() && !self.offsets.contains_key(group_id) {
            return (ErrorCode::GroupIdNotFound, Vec::new());
        }
        let subscribed: BTreeSet<String> = classic
            .into_iter()
            .flat_map(|g| g.members.iter().flat_map(|m| m.topics()))
            .chain(
                consumer.into_iter().flat_map(|g| g.members.values().flat_map(|m| m.subscribed_topics.iter().cloned())),
            )
            .collect();
        let results: Vec<(TopicPartition, ErrorCode)> = partitions
            .iter()
            .map(|tp| {
                let error = if subscribed.contains(tp.topic.as_str()) {
                    ErrorCode::GroupSubscribedToTopic
                } else {
                    ErrorCode::None
                };
                (tp.clone(), error)
            })
            .collect();
        let committed = self.offsets.get_mut(group_id);
        let deleted: Vec<TopicPartition> = match committed {
            Some(map) => results
                .iter()
                .filter(|(tp, e)| *e == ErrorCode::None && map.remove(tp).is_some())
                .map(|(tp, _)| tp.clone())
                .collect(),
            None => Vec::new(),
        };
        if !deleted.is_empty() {
            let records =
                deleted.iter().map(|tp| offsets::offset_commit_record(group_id, tp, None, now as i64)).collect();
            let completion = Completion::Respond { messages: Vec::new(), on_error: Vec::new() };
            self.write(group_id, records, completion, log, now, out);
            out.fact(Fact::OffsetsDeleted {
                broker: self.broker_id,
                group: group_id.to_string(),
                topic_partitions: deleted,
            });
        }
        let group_error = if results.iter().any(|(_, e)| *e != ErrorCode::None) {
            ErrorCode::GroupSubscribedToTopic
        } else {
            ErrorCode::None
        };
        (group_error, results)
    }
}
