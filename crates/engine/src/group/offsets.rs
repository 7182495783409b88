//! `__consumer_offsets`: which partition holds a group, and the records the coordinator writes there.
//!
//! Keys follow Kafka's `GroupCoordinatorRecordSerde` byte layout exactly (a big-endian i16 record type,
//! then the key struct), so compaction keeps the last record per offset key and per group as in Kafka:
//! - `OffsetCommitKey` (type 1): group, topic, partition;
//! - `GroupMetadataKey` (type 2): group;
//! - the consumer protocol's (KIP-848) `ConsumerGroupMetadataKey` (3): group,
//!   `ConsumerGroupMemberMetadataKey` (5): group, member, `ConsumerGroupTargetAssignmentMetadataKey`
//!   (6): group, `ConsumerGroupTargetAssignmentMemberKey` (7): group, member, and
//!   `ConsumerGroupCurrentMemberAssignmentKey` (8): group, member.
//!
//! `OffsetCommitValue` is Kafka's version 3 layout (offset, leader epoch, metadata, commit timestamp).
//! The group metadata value is a documented simplification: JSON of [`GroupMetadataValue`] instead of
//! Kafka's binary `GroupMetadataValue`, whose member subscriptions and assignments are themselves
//! nested `ConsumerProtocol` byte arrays; the consumer protocol's values are JSON of Kafka's fields
//! too. A null value (tombstone) deletes the key, as in Kafka.

use crate::log::Record;
use crate::protocol::{JoinGroupProtocol, OffsetCommitPartition, Subscription, TopicPartition};
use serde::{Deserialize, Serialize};

/// The internal topic's name.
pub const OFFSETS_TOPIC: &str = "__consumer_offsets";

const OFFSET_COMMIT_KEY: i16 = 1;
const GROUP_METADATA_KEY: i16 = 2;
const CONSUMER_GROUP_METADATA_KEY: i16 = 3;
const CONSUMER_GROUP_MEMBER_METADATA_KEY: i16 = 5;
const CONSUMER_GROUP_TARGET_ASSIGNMENT_METADATA_KEY: i16 = 6;
const CONSUMER_GROUP_TARGET_ASSIGNMENT_MEMBER_KEY: i16 = 7;
const CONSUMER_GROUP_CURRENT_MEMBER_ASSIGNMENT_KEY: i16 = 8;
const OFFSET_COMMIT_VALUE_VERSION: i16 = 3;

/// Java's `String.hashCode` over UTF-16 code units, with wrapping `int` arithmetic.
pub fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16().fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(c as i32))
}

/// Kafka's `Utils.abs`: `Integer.MIN_VALUE` maps to 0, unlike `Math.abs`.
pub fn kafka_abs(n: i32) -> i32 {
    if n == i32::MIN {
        0
    } else {
        n.abs()
    }
}

/// The `__consumer_offsets` partition of a group: `abs(groupId.hashCode()) % partitions`.
pub fn partition_for_group(group_id: &str, offsets_topic_partitions: i32) -> i32 {
    kafka_abs(java_string_hash(group_id)) % offsets_topic_partitions.max(1)
}

/// The simplified value of a group metadata record: a completed generation of a classic group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMetadataValue {
    pub protocol_type: String,
    pub generation_id: i32,
    pub protocol_name: Option<String>,
    pub leader: Option<String>,
    pub members: Vec<MemberMetadata>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberMetadata {
    pub member_id: String,
    pub group_instance_id: Option<String>,
    /// The client's network address (`client.id` + host in Kafka).
    pub client: String,
    pub session_timeout_ms: u64,
    pub rebalance_timeout_ms: u64,
    pub subscription: Subscription,
    pub assignment: Vec<TopicPartition>,
}

/// `ConsumerGroupMemberMetadataValue`: what a consumer-protocol member asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsumerMemberMetadata {
    pub instance_id: Option<String>,
    /// Where the member's responses go (Kafka keeps the client id and host).
    pub client: String,
    pub subscribed_topic_names: Vec<String>,
    pub server_assignor: Option<String>,
    pub rebalance_timeout_ms: u64,
    /// Set for a member that speaks the classic protocol inside a consumer group (online
    /// migration); absent from a consumer-protocol member's record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classic_member_metadata: Option<ClassicMemberMetadata>,
}

/// `ConsumerGroupMemberMetadataValue.ClassicMemberMetadata`: what a classic member's JoinGroup
/// carried, kept so the group can serve its Heartbeat and convert back to a classic group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassicMemberMetadata {
    pub session_timeout_ms: u64,
    pub supported_protocols: Vec<JoinGroupProtocol>,
}

/// `ConsumerGroupCurrentMemberAssignmentValue`: where the member is in its reconciliation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentMemberAssignment {
    pub member_epoch: i32,
    pub previous_member_epoch: i32,
    pub state: crate::narration::ReconcileState,
    pub assigned_partitions: Vec<TopicPartition>,
    pub partitions_pending_revocation: Vec<TopicPartition>,
}

/// A record of `__consumer_offsets`, decoded. `None` values are tombstones.
#[derive(Debug, Clone, PartialEq)]
pub enum CoordinatorRecord {
    OffsetCommit {
        group_id: String,
        topic_partition: TopicPartition,
        offset: Option<CommittedOffset>,
    },
    GroupMetadata {
        group_id: String,
        value: Option<GroupMetadataValue>,
    },
    /// The group epoch.
    ConsumerGroupMetadata {
        group_id: String,
        epoch: Option<i32>,
    },
    ConsumerGroupMemberMetadata {
        group_id: String,
        member_id: String,
        value: Option<ConsumerMemberMetadata>,
    },
    /// The epoch of the target assignment.
    ConsumerGroupTargetAssignmentMetadata {
        group_id: String,
        assignment_epoch: Option<i32>,
    },
    ConsumerGroupTargetAssignmentMember {
        group_id: String,
        member_id: String,
        partitions: Option<Vec<TopicPartition>>,
    },
    ConsumerGroupCurrentMemberAssignment {
        group_id: String,
        member_id: String,
        value: Option<CurrentMemberAssignment>,
    },
}

/// A consumer-protocol record: the key type, the group, the member (if the key has one) and a
/// value serialized as JSON (None: a tombstone).
pub fn consumer_group_record(record: &CoordinatorRecord, now_ms: i64) -> Record {
    fn encode<V: Serialize>(v: &Option<V>) -> Option<Vec<u8>> {
        v.as_ref().and_then(|v| serde_json::to_vec(v).ok())
    }
    let (key_type, group_id, member_id, value) = match record {
        CoordinatorRecord::ConsumerGroupMetadata { group_id, epoch } => {
            (CONSUMER_GROUP_METADATA_KEY, group_id, None, encode(epoch))
        }
        CoordinatorRecord::ConsumerGroupMemberMetadata { group_id, member_id, value } => {
            (CONSUMER_GROUP_MEMBER_METADATA_KEY, group_id, Some(member_id), encode(value))
        }
        CoordinatorRecord::ConsumerGroupTargetAssignmentMetadata { group_id, assignment_epoch } => {
            (CONSUMER_GROUP_TARGET_ASSIGNMENT_METADATA_KEY, group_id, None, encode(assignment_epoch))
        }
        CoordinatorRecord::ConsumerGroupTargetAssignmentMember { group_id, member_id, partitions } => {
            (CONSUMER_GROUP_TARGET_ASSIGNMENT_MEMBER_KEY, group_id, Some(member_id), encode(partitions))
        }
        CoordinatorRecord::ConsumerGroupCurrentMemberAssignment { group_id, member_id, value } => {
            (CONSUMER_GROUP_CURRENT_MEMBER_ASSIGNMENT_KEY, group_id, Some(member_id), encode(value))
        }
        CoordinatorRecord::OffsetCommit { group_id, topic_partition, offset } => {
            return offset_commit_record(group_id, topic_partition, *offset, now_ms)
        }
        CoordinatorRecord::GroupMetadata { group_id, value } => {
            return group_metadata_record(group_id, value.as_ref(), now_ms)
        }
    };
    let mut key = key_type.to_be_bytes().to_vec();
    put_string(&mut key, group_id);
    if let Some(member_id) = member_id {
        put_string(&mut key, member_id);
    }
    Record { timestamp: now_ms, key: Some(key), value, headers: Vec::new() }
}

/// A committed offset as the coordinator stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CommittedOffset {
    /// The next offset to consume (last processed + 1).
    pub committed_offset: i64,
    /// The leader epoch of the last consumed record (KIP-320), -1 unknown.
    pub leader_epoch: i32,
    pub commit_timestamp: i64,
}

impl CommittedOffset {
    /// What the coordinator stores for a committed partition at `now`
    /// (`OffsetAndMetadata.fromRequest` in Kafka's group coordinator).
    pub fn stored(partition: OffsetCommitPartition, now: crate::sim::Millis) -> (TopicPartition, CommittedOffset) {
        let offset = CommittedOffset {
            committed_offset: partition.committed_offset,
            leader_epoch: partition.committed_leader_epoch,
            commit_timestamp: now as i64,
        };
        (partition.topic_partition, offset)
    }
}

/// Kafka's `STRING` in a coordinator record: an i16 length, then the bytes (also the
/// transaction log's, `txn::log`).
pub(crate) fn put_string(out: &mut Vec<u8>, s: &str) {
    let len = s.len().min(i16::MAX as usize);
    out.extend_from_slice(&(len as i16).to_be_bytes());
    out.extend_from_slice(&s.as_bytes()[..len]);
}

/// Reads the big-endian fields of a coordinator record's key or value; None past the end.
pub(crate) struct Reader<'a> {
    pub bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        (self.bytes.len() >= n).then(|| {
            let (head, tail) = self.bytes.split_at(n);
            self.bytes = tail;
            head
        })
    }
    pub(crate) fn i16(&mut self) -> Option<i16> {
        self.take(2).map(|b| i16::from_be_bytes([b[0], b[1]]))
    }
    pub(crate) fn i32(&mut self) -> Option<i32> {
        self.take(4).and_then(|b| b.try_into().ok()).map(i32::from_be_bytes)
    }
    pub(crate) fn i64(&mut self) -> Option<i64> {
        self.take(8).and_then(|b| b.try_into().ok()).map(i64::from_be_bytes)
    }
    pub(crate) fn string(&mut self) -> Option<String> {
        let len = usize::try_from(self.i16()?).ok()?;
        String::from_utf8(self.take(len)?.to_vec()).ok()
    }
}

/// The record for an offset commit (a tombstone when `offset` is `None`).
pub fn offset_commit_record(
    group_id: &str,
    tp: &TopicPartition,
    offset: Option<CommittedOffset>,
    now_ms: i64,
) -> Record {
    let mut key = OFFSET_COMMIT_KEY.to_be_bytes().to_vec();
    put_string(&mut key, group_id);
    put_string(&mut key, &tp.topic);
    key.extend_from_slice(&tp.partition.to_be_bytes());
    let value = offset.map(|o| {
        let mut v = OFFSET_COMMIT_VALUE_VERSION.to_be_bytes().to_vec();
        v.extend_from_slice(&o.committed_offset.to_be_bytes());
        v.extend_from_slice(&o.leader_epoch.to_be_bytes());
        put_string(&mut v, "");
        v.extend_from_slice(&o.commit_timestamp.to_be_bytes());
        v
    });
    Record { timestamp: now_ms, key: Some(key), value, headers: Vec::new() }
}

/// The record for a classic group's completed generation (a tombstone when the group is deleted).
pub fn group_metadata_record(group_id: &str, value: Option<&GroupMetadataValue>, now_ms: i64) -> Record {
    let mut key = GROUP_METADATA_KEY.to_be_bytes().to_vec();
    put_string(&mut key, group_id);
    let value = value.and_then(|v| serde_json::to_vec(v).ok());
    Record { timestamp: now_ms, key: Some(key), value, headers: Vec::new() }
}

/// Decodes a record of `__consumer_offsets`; `None` for a record this coordinator does not write.
pub fn decode(record: &Record) -> Option<CoordinatorRecord> {
    let mut key = Reader { bytes: record.key.as_deref()? };
    match key.i16()? {
        OFFSET_COMMIT_KEY => {
            let group_id = key.string()?;
            let topic = key.string()?;
            let partition = key.i32()?;
            let offset = match &record.value {
                None => None,
                Some(bytes) => {
                    let mut v = Reader { bytes };
                    v.i16()?;
                    let committed_offset = v.i64()?;
                    let leader_epoch = v.i32()?;
                    v.string()?;
                    let commit_timestamp = v.i64()?;
                    Some(CommittedOffset { committed_offset, leader_epoch, commit_timestamp })
                }
            };
            Some(CoordinatorRecord::OffsetCommit {
                group_id,
                topic_partition: TopicPartition::new(topic, partition),
                offset,
            })
        }
        GROUP_METADATA_KEY => {
            let group_id = key.string()?;
            let value = match &record.value {
                None => None,
                Some(bytes) => Some(serde_json::from_slice(bytes).ok()?),
            };
            Some(CoordinatorRecord::GroupMetadata { group_id, value })
        }
        key_type @ CONSUMER_GROUP_METADATA_KEY..=CONSUMER_GROUP_CURRENT_MEMBER_ASSIGNMENT_KEY => {
            fn value<V: for<'de> Deserialize<'de>>(record: &Record) -> Option<Option<V>> {
                match &record.value {
                    None => Some(None),
                    Some(bytes) => serde_json::from_slice(bytes).ok().map(Some),
                }
            }
            let group_id = key.string()?;
            match key_type {
                CONSUMER_GROUP_METADATA_KEY => {
                    Some(CoordinatorRecord::ConsumerGroupMetadata { group_id, epoch: value(record)? })
                }
                CONSUMER_GROUP_TARGET_ASSIGNMENT_METADATA_KEY => {
                    Some(CoordinatorRecord::ConsumerGroupTargetAssignmentMetadata {
                        group_id,
                        assignment_epoch: value(record)?,
                    })
                }
                CONSUMER_GROUP_MEMBER_METADATA_KEY => Some(CoordinatorRecord::ConsumerGroupMemberMetadata {
                    group_id,
                    member_id: key.string()?,
                    value: value(record)?,
                }),
                CONSUMER_GROUP_TARGET_ASSIGNMENT_MEMBER_KEY => {
                    Some(CoordinatorRecord::ConsumerGroupTargetAssignmentMember {
                        group_id,
                        member_id: key.string()?,
                        partitions: value(record)?,
                    })
                }
                CONSUMER_GROUP_CURRENT_MEMBER_ASSIGNMENT_KEY => {
                    Some(CoordinatorRecord::ConsumerGroupCurrentMemberAssignment {
                        group_id,
                        member_id: key.string()?,
                        value: value(record)?,
                    })
                }
                _ => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinator_partition_matches_kafka_vectors() {
        assert_eq!(java_string_hash("my-group"), -1906497762);
        assert_eq!(partition_for_group("my-group", 50), 12);
        assert_eq!(partition_for_group("payments", 50), 13);
        assert_eq!(partition_for_group("group-1", 50), 49);
        assert_eq!(partition_for_group("", 50), 0);
        assert_eq!(kafka_abs(i32::MIN), 0);
    }

    #[test]
    fn offset_commit_key_is_kafkas_layout() {
        let r = offset_commit_record("g", &TopicPartition::new("t", 3), None, 0);
        assert_eq!(r.key.as_deref(), Some(&[0, 1, 0, 1, b'g', 0, 1, b't', 0, 0, 0, 3][..]));
        assert_eq!(r.value, None);
    }

    /// The value bytes follow Kafka's `OffsetCommitValue.json` schema at version 3 (not yet
    /// flexible, so big-endian fixed fields with an i16-length string): version, `offset`,
    /// `leaderEpoch` (KIP-320, since version 3), `metadata`, `commitTimestamp`. The expected bytes
    /// were written out by hand from that schema.
    #[test]
    fn offset_commit_value_is_kafkas_version_3_layout_with_the_leader_epoch() {
        let offset = CommittedOffset { committed_offset: 42, leader_epoch: 5, commit_timestamp: 1234 };
        let r = offset_commit_record("g", &TopicPartition::new("t", 3), Some(offset), 1234);
        #[rustfmt::skip]
        let expected: &[u8] = &[
            0, 3,                       // value version 3
            0, 0, 0, 0, 0, 0, 0, 42,    // offset
            0, 0, 0, 5,                 // leaderEpoch
            0, 0,                       // metadata ""
            0, 0, 0, 0, 0, 0, 4, 210,   // commitTimestamp 1234
        ];
        assert_eq!(r.value.as_deref(), Some(expected));
        assert!(matches!(
            decode(&r),
            Some(CoordinatorRecord::OffsetCommit { offset: Some(CommittedOffset { leader_epoch: 5, .. }), .. })
        ));
    }

    #[test]
    fn records_round_trip() {
        let tp = TopicPartition::new("orders", 7);
        let offset = CommittedOffset { committed_offset: 42, leader_epoch: -1, commit_timestamp: 1234 };
        let r = offset_commit_record("g1", &tp, Some(offset), 1234);
        assert_eq!(r.value.as_ref().map(Vec::len), Some(2 + 8 + 4 + 2 + 8));
        assert_eq!(
            decode(&r),
            Some(CoordinatorRecord::OffsetCommit {
                group_id: "g1".into(),
                topic_partition: tp.clone(),
                offset: Some(offset)
            })
        );
        let value = GroupMetadataValue {
            protocol_type: "consumer".into(),
            generation_id: 3,
            protocol_name: Some("range".into()),
            leader: Some("m1".into()),
            members: vec![MemberMetadata {
                member_id: "m1".into(),
                group_instance_id: None,
                client: "client-4".into(),
                session_timeout_ms: 45_000,
                rebalance_timeout_ms: 300_000,
                subscription: Subscription {
                    topics: vec!["orders".into()],
                    owned_partitions: vec![],
                    generation_id: -1,
                },
                assignment: vec![tp],
            }],
        };
        let r = group_metadata_record("g1", Some(&value), 5);
        assert_eq!(decode(&r), Some(CoordinatorRecord::GroupMetadata { group_id: "g1".into(), value: Some(value) }));
        let bad = Record { timestamp: 0, key: Some(vec![0, 1, 0, 9]), value: None, headers: Vec::new() };
        assert_eq!(decode(&bad), None, "truncated keys are ignored, not a panic");
    }
}
