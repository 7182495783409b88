//! The consumer group protocol (KIP-848) for real clients: ConsumerGroupHeartbeat into the
//! engine's coordinator over the simulated network, ConsumerGroupDescribe and the consumer
//! groups in ListGroups read from it, and OffsetFetch v8-v9, whose v9 carries the member id and
//! epoch the coordinator checks. Assignments travel as topic ids (`topic_ids.rs`), which the
//! bridge's Metadata gives out too.

use crate::connection::{Close, Connection};
use crate::topic_ids::kafka_string;
use kafka_protocol::messages::*;
use kafka_protocol::protocol::StrBytes;
use kafkalab_engine::group::coordinator::consumer::{
    ConsumerGroup, LEAVE_GROUP_MEMBER_EPOCH, LEAVE_GROUP_STATIC_MEMBER_EPOCH,
};
use kafkalab_engine::group::coordinator::GroupCoordinator;
use kafkalab_engine::protocol::{ErrorCode, GroupMessage, Message, TopicPartition as Tp};
use std::collections::BTreeSet;

/// Kafka's wire codes the engine's table does not need.
mod code {
    pub const INVALID_REQUEST: i16 = 42;
    pub const INVALID_GROUP_ID: i16 = 24;
    pub const GROUP_ID_NOT_FOUND: i16 = 69;
}

/// `ConsumerGroupHeartbeatRequest.CONSUMER_GENERATED_MEMBER_ID_REQUIRED_VERSION` (KIP-1082).
const CONSUMER_GENERATED_MEMBER_ID_REQUIRED_VERSION: i16 = 1;

/// ConsumerGroupDescribe's `MemberType` (v1, KIP-1099).
const CLASSIC_MEMBER: i8 = 0;
const CONSUMER_MEMBER: i8 = 1;

fn s(text: impl Into<String>) -> StrBytes {
    StrBytes::from_string(text.into())
}

fn wire(error: ErrorCode) -> i16 {
    error.code().unwrap_or(-1)
}

/// `GroupCoordinatorService.throwIfConsumerGroupHeartbeatRequestIsInvalid` (Kafka 4.x), with
/// regular expressions refused as Kafka refused them before it resolved them: the simulated
/// coordinator subscribes by names only.
fn validate_heartbeat(request: &ConsumerGroupHeartbeatRequest, version: i16) -> Result<(), String> {
    let empty = |text: Option<&StrBytes>| text.is_some_and(|t| t.trim().is_empty());
    if (version >= CONSUMER_GENERATED_MEMBER_ID_REQUIRED_VERSION
        || request.member_epoch > 0
        || request.member_epoch == LEAVE_GROUP_MEMBER_EPOCH)
        && empty(Some(&request.member_id))
    {
        return Err("MemberId can't be empty.".into());
    }
    if empty(Some(&request.group_id.0)) {
        return Err("GroupId can't be empty.".into());
    }
    if empty(request.instance_id.as_ref()) {
        return Err("InstanceId can't be empty.".into());
    }
    if empty(request.rack_id.as_ref()) {
        return Err("RackId can't be empty.".into());
    }
    // An empty regex subscribes to nothing by regex (librdkafka sends one with its topic names).
    if request.subscribed_topic_regex.as_ref().is_some_and(|regex| !regex.is_empty()) {
        return Err("SubscribedTopicRegex is not supported yet.".into());
    }
    if request.member_epoch == 0 {
        if request.rebalance_timeout_ms == -1 {
            return Err("RebalanceTimeoutMs must be provided in first request.".into());
        }
        if request.topic_partitions.as_ref().is_none_or(|owned| !owned.is_empty()) {
            return Err("TopicPartitions must be empty when (re-)joining.".into());
        }
        if request.subscribed_topic_names.is_none() {
            return Err(
                "Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.".into()
            );
        }
    } else if request.member_epoch == LEAVE_GROUP_STATIC_MEMBER_EPOCH {
        if request.instance_id.is_none() {
            return Err("InstanceId can't be null.".into());
        }
    } else if request.member_epoch < LEAVE_GROUP_STATIC_MEMBER_EPOCH {
        return Err("MemberEpoch is invalid.".into());
    }
    Ok(())
}

/// ConsumerGroupHeartbeat: checked as Kafka's group coordinator service checks it, then the
/// engine's `consumerGroupHeartbeat` on the connection's broker. Owned partitions come as topic
/// ids and the assignment goes back as topic ids. A v0 join without a member id gets one from
/// the coordinator, as in Kafka; from v1 the client generates it.
pub async fn consumer_group_heartbeat(
    conn: &mut Connection,
    request: ConsumerGroupHeartbeatRequest,
    client_id: String,
    version: i16,
) -> Result<ConsumerGroupHeartbeatResponse, Close> {
    if let Err(message) = validate_heartbeat(&request, version) {
        return Ok(ConsumerGroupHeartbeatResponse::default()
            .with_error_code(code::INVALID_REQUEST)
            .with_error_message(Some(s(message))));
    }
    let group_id = request.group_id.0.to_string();
    let member_id = if request.member_id.is_empty() {
        kafka_string(conn.bridge.topic_ids.borrow_mut().fresh())
    } else {
        request.member_id.to_string()
    };
    // An id the bridge never gave out names no partition the member can own: Kafka would find it
    // in no assignment either.
    let owned = request.topic_partitions.as_ref().map(|topics| {
        let ids = conn.bridge.topic_ids.borrow();
        topics
            .iter()
            .filter_map(|t| ids.name_of(t.topic_id).map(|name| (name.to_string(), &t.partitions)))
            .flat_map(|(name, partitions)| partitions.iter().map(move |p| Tp::new(name.clone(), *p)))
            .collect()
    });
    let ask = GroupMessage::ConsumerGroupHeartbeatRequest {
        group_id: group_id.clone(),
        member_id,
        member_epoch: request.member_epoch,
        group_instance_id: request.instance_id.as_ref().map(|i| i.to_string()),
        rebalance_timeout_ms: u64::try_from(request.rebalance_timeout_ms).ok(),
        subscribed_topic_names: request
            .subscribed_topic_names
            .as_ref()
            .map(|names| names.iter().map(|n| n.0.to_string()).collect()),
        server_assignor: request.server_assignor.as_ref().map(|a| a.to_string()),
        owned_partitions: owned,
    };
    let Message::Group(GroupMessage::ConsumerGroupHeartbeatResponse {
        error,
        member_id,
        member_epoch,
        heartbeat_interval_ms,
        assignment,
        ..
    }) = conn.ask(ask, "ConsumerGroupHeartbeatResponse").await?
    else {
        unreachable!("ask returns the kind it waited for")
    };
    if error != ErrorCode::None {
        return Ok(ConsumerGroupHeartbeatResponse::default().with_error_code(wire(error)));
    }
    // The engine's members know their connection, not the client id ConsumerGroupDescribe shows.
    if member_epoch >= 0 {
        conn.bridge.member_clients.borrow_mut().insert((group_id, member_id.clone()), client_id);
    } else {
        conn.bridge.member_clients.borrow_mut().remove(&(group_id, member_id.clone()));
    }
    let assignment = assignment.map(|partitions| {
        consumer_group_heartbeat_response::Assignment::default().with_topic_partitions(
            by_topic(&partitions)
                .into_iter()
                .map(|(topic, partitions)| {
                    consumer_group_heartbeat_response::TopicPartitions::default()
                        .with_topic_id(conn.bridge.topic_ids.borrow_mut().id_of(&topic))
                        .with_partitions(partitions)
                })
                .collect(),
        )
    });
    Ok(ConsumerGroupHeartbeatResponse::default()
        .with_member_id(Some(s(member_id)))
        .with_member_epoch(member_epoch)
        .with_heartbeat_interval_ms(i32::try_from(heartbeat_interval_ms).unwrap_or(i32::MAX))
        .with_assignment(assignment))
}

/// Partitions grouped by topic, topics and partitions in order.
fn by_topic<'a>(partitions: impl IntoIterator<Item = &'a Tp>) -> Vec<(String, Vec<i32>)> {
    let sorted: BTreeSet<&Tp> = partitions.into_iter().collect();
    let mut topics: Vec<(String, Vec<i32>)> = Vec::new();
    for tp in sorted {
        match topics.last_mut() {
            Some((topic, partitions)) if *topic == tp.topic => partitions.push(tp.partition),
            _ => topics.push((tp.topic.to_string(), vec![tp.partition])),
        }
    }
    topics
}

/// ConsumerGroupDescribe, read from the connection's broker's group coordinator, as
/// `ConsumerGroup.asDescribedGroup` describes a group: a classic group, or none, is
/// GROUP_ID_NOT_FOUND (an admin client then asks DescribeGroups).
pub fn consumer_group_describe(
    conn: &Connection,
    request: ConsumerGroupDescribeRequest,
) -> ConsumerGroupDescribeResponse {
    let world = conn.bridge.world.borrow();
    let coordinator = world.broker(conn.broker).map(|b| &b.volatile.group_coordinator);
    let groups = request
        .group_ids
        .iter()
        .map(|id| {
            let group_id = id.0.to_string();
            let described = consumer_group_describe_response::DescribedGroup::default().with_group_id(id.clone());
            if group_id.trim().is_empty() {
                return described.with_error_code(code::INVALID_GROUP_ID);
            }
            let Some(coordinator) = coordinator.filter(|c| c.is_coordinator_for(&group_id)) else {
                return described.with_error_code(wire(ErrorCode::NotCoordinator));
            };
            let Some(group) = coordinator.consumer_groups.get(&group_id) else {
                let message = if coordinator.groups.contains_key(&group_id) {
                    format!("Group {group_id} is not a consumer group.")
                } else {
                    format!("Group {group_id} not found.")
                };
                return described.with_error_code(code::GROUP_ID_NOT_FOUND).with_error_message(Some(s(message)));
            };
            describe(conn, coordinator, group, described)
        })
        .collect();
    ConsumerGroupDescribeResponse::default().with_groups(groups)
}

fn describe(
    conn: &Connection,
    coordinator: &GroupCoordinator,
    group: &ConsumerGroup,
    described: consumer_group_describe_response::DescribedGroup,
) -> consumer_group_describe_response::DescribedGroup {
    let clients = conn.bridge.member_clients.borrow();
    let mut ids = conn.bridge.topic_ids.borrow_mut();
    let mut assignment = |partitions: Vec<(String, Vec<i32>)>| {
        consumer_group_describe_response::Assignment::default().with_topic_partitions(
            partitions
                .into_iter()
                .map(|(topic, partitions)| {
                    consumer_group_describe_response::TopicPartitions::default()
                        .with_topic_id(ids.id_of(&topic))
                        .with_topic_name(TopicName(s(topic)))
                        .with_partitions(partitions)
                })
                .collect(),
        )
    };
    // `preferredServerAssignor`, else the first of `group.consumer.assignors`.
    let assignor = group.assignor.or(coordinator.config.group_consumer_assignors.first().copied());
    let members = group
        .members
        .values()
        .map(|m| {
            let target = group.target_assignment.get(&m.member_id).map(by_topic).unwrap_or_default();
            consumer_group_describe_response::Member::default()
                .with_member_id(s(m.member_id.clone()))
                .with_instance_id(m.instance_id.clone().map(s))
                .with_member_epoch(m.member_epoch)
                .with_client_id(s(clients
                    .get(&(group.group_id.clone(), m.member_id.clone()))
                    .cloned()
                    .unwrap_or_default()))
                .with_client_host(s(format!("/{}", conn.bridge.host())))
                .with_subscribed_topic_names(m.subscribed_topics.iter().map(|t| TopicName(s(t.clone()))).collect())
                .with_assignment(assignment(by_topic(&m.assigned)))
                .with_target_assignment(assignment(target))
                .with_member_type(if m.classic.is_some() { CLASSIC_MEMBER } else { CONSUMER_MEMBER })
        })
        .collect();
    described
        .with_group_state(s(group.state().name()))
        .with_group_epoch(group.group_epoch)
        .with_assignment_epoch(group.target_assignment_epoch)
        .with_assignor_name(s(assignor.map_or("", |a| a.name())))
        .with_members(members)
}

/// The consumer groups a ListGroups answer adds to the classic ones: type `consumer`, protocol
/// type `consumer`, the state as `ConsumerGroupState` names it. Filters compare ignoring case,
/// as Kafka's `listGroups` does.
pub fn listed_consumer_groups(
    coordinator: &GroupCoordinator,
    request: &ListGroupsRequest,
) -> Vec<list_groups_response::ListedGroup> {
    let wanted = |filter: &[StrBytes], value: &str| {
        filter.is_empty() || filter.iter().any(|f| f.trim().eq_ignore_ascii_case(value))
    };
    coordinator
        .consumer_groups
        .values()
        .filter(|g| coordinator.is_coordinator_for(&g.group_id))
        .filter(|g| wanted(&request.states_filter, g.state().name()) && wanted(&request.types_filter, "consumer"))
        .map(|g| {
            list_groups_response::ListedGroup::default()
                .with_group_id(GroupId(s(g.group_id.clone())))
                .with_protocol_type(s("consumer"))
                .with_group_state(s(g.state().name()))
                .with_group_type(s("consumer"))
        })
        .collect()
}

/// OffsetFetch v8-v9: a batch of groups, one coordinator round trip each. From v9 a
/// consumer-protocol member names itself and its epoch, and the coordinator answers
/// UNKNOWN_MEMBER_ID or STALE_MEMBER_EPOCH for the group (`ConsumerGroup.validateOffsetFetch`).
pub async fn offset_fetch_groups(
    conn: &mut Connection,
    request: OffsetFetchRequest,
) -> Result<OffsetFetchResponse, Close> {
    let mut groups = Vec::new();
    for group in &request.groups {
        let group_id = group.group_id.0.to_string();
        let partitions: Vec<Tp> = match &group.topics {
            Some(topics) => topics
                .iter()
                .flat_map(|t| t.partition_indexes.iter().map(|p| Tp::new(t.name.0.to_string(), *p)))
                .collect(),
            None => {
                let world = conn.bridge.world.borrow();
                world
                    .broker(conn.broker)
                    .and_then(|b| b.volatile.group_coordinator.offsets.get(&group_id))
                    .map(|o| o.keys().cloned().collect())
                    .unwrap_or_default()
            }
        };
        // A null member id with a negative epoch is an admin or a classic client: not checked.
        let member = match (&group.member_id, group.member_epoch) {
            (None, epoch) if epoch < 0 => None,
            (member_id, epoch) => Some((member_id.as_ref().map(|m| m.to_string()).unwrap_or_default(), epoch)),
        };
        let ask = GroupMessage::OffsetFetchRequest { group_id, partitions: partitions.clone(), member };
        let Message::Group(GroupMessage::OffsetFetchResponse { error, offsets, .. }) =
            conn.ask(ask, "OffsetFetchResponse").await?
        else {
            unreachable!("ask returns the kind it waited for")
        };
        let described =
            offset_fetch_response::OffsetFetchResponseGroup::default().with_group_id(group.group_id.clone());
        if error != ErrorCode::None {
            groups.push(described.with_error_code(wire(error)));
            continue;
        }
        let topics = by_topic(&partitions)
            .into_iter()
            .map(|(topic, indexes)| {
                offset_fetch_response::OffsetFetchResponseTopics::default()
                    .with_name(TopicName(s(topic.clone())))
                    .with_partitions(
                        indexes
                            .into_iter()
                            .map(|partition| {
                                let found = offsets.iter().find(|o| {
                                    o.topic_partition.topic == topic && o.topic_partition.partition == partition
                                });
                                offset_fetch_response::OffsetFetchResponsePartitions::default()
                                    .with_partition_index(partition)
                                    .with_committed_offset(found.map_or(-1, |o| o.committed_offset))
                                    .with_committed_leader_epoch(found.map_or(-1, |o| o.committed_leader_epoch))
                                    .with_metadata(Some(s("")))
                            })
                            .collect(),
                    )
            })
            .collect();
        groups.push(described.with_topics(topics));
    }
    Ok(OffsetFetchResponse::default().with_groups(groups))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn join(member_id: &str) -> ConsumerGroupHeartbeatRequest {
        ConsumerGroupHeartbeatRequest::default()
            .with_group_id(GroupId(s("g")))
            .with_member_id(s(member_id))
            .with_member_epoch(0)
            .with_rebalance_timeout_ms(300_000)
            .with_subscribed_topic_names(Some(vec![TopicName(s("t"))]))
            .with_topic_partitions(Some(vec![]))
    }

    /// `GroupCoordinatorServiceTest.testConsumerGroupHeartbeatWithException`-style refusals,
    /// in Kafka's order and with its messages.
    #[test]
    fn invalid_heartbeats_are_refused_with_kafkas_messages() {
        assert_eq!(validate_heartbeat(&join("m"), 1), Ok(()));
        // v0 lets the coordinator generate the member id; v1 wants the client's.
        assert_eq!(validate_heartbeat(&join(""), 0), Ok(()));
        assert_eq!(validate_heartbeat(&join(""), 1), Err("MemberId can't be empty.".into()));
        let refused = [
            (join("m").with_group_id(GroupId(s(""))), "GroupId can't be empty."),
            (join("m").with_instance_id(Some(s(" "))), "InstanceId can't be empty."),
            (join("m").with_rack_id(Some(s(""))), "RackId can't be empty."),
            (join("m").with_subscribed_topic_regex(Some(s("t.*"))), "SubscribedTopicRegex is not supported yet."),
            (join("m").with_rebalance_timeout_ms(-1), "RebalanceTimeoutMs must be provided in first request."),
            (join("m").with_topic_partitions(None), "TopicPartitions must be empty when (re-)joining."),
            (
                join("m").with_subscribed_topic_names(None),
                "Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.",
            ),
            (join("m").with_member_epoch(-2), "InstanceId can't be null."),
            (join("m").with_member_epoch(-3), "MemberEpoch is invalid."),
        ];
        for (request, message) in refused {
            assert_eq!(validate_heartbeat(&request, 1), Err(message.to_string()));
        }
        // librdkafka joins with its topic names and an empty regex: no regex subscription.
        assert_eq!(validate_heartbeat(&join("m").with_subscribed_topic_regex(Some(s(""))), 1), Ok(()));
        // A leave and a heartbeat carry only what changed.
        let heartbeat = ConsumerGroupHeartbeatRequest::default().with_group_id(GroupId(s("g"))).with_member_id(s("m"));
        assert_eq!(validate_heartbeat(&heartbeat.clone().with_member_epoch(3), 1), Ok(()));
        assert_eq!(validate_heartbeat(&heartbeat.with_member_epoch(-1), 1), Ok(()));
    }

    #[test]
    fn partitions_are_grouped_by_topic_in_order() {
        let partitions = [Tp::new("b", 1), Tp::new("a", 2), Tp::new("b", 0), Tp::new("a", 0)];
        assert_eq!(by_topic(&partitions), vec![("a".to_string(), vec![0, 2]), ("b".to_string(), vec![0, 1])]);
    }
}
