//! Each Kafka API the bridge serves: the request decoded by `kafka-protocol`, turned into engine
//! messages sent over the simulated network (or, for admin APIs, into actions and reads of the
//! broker's state), and the engine's answer turned into the response.

use crate::connection::{Close, Connection};
use crate::consumer_group;
use crate::txn;
use crate::versions::{supported, SUPPORTED_APIS};
use bytes::{Bytes, BytesMut};
use kafka_protocol::messages::*;
use kafka_protocol::protocol::{Decodable, Encodable, StrBytes};
use kafkalab_engine::broker::BrokerState;
use kafkalab_engine::cluster::{Action, ActionError};
use kafkalab_engine::controller::CreateTopicError;
use kafkalab_engine::group::offsets::OFFSETS_TOPIC;
use kafkalab_engine::log::RecordBatch;
use kafkalab_engine::protocol::metadata::ConfigResource;
use kafkalab_engine::protocol::{
    Acks, ClientMessage, ErrorCode, FetchPartition, GroupMessage, IsolationLevel, JoinGroupProtocol, Message,
    OffsetCommitPartition, Subscription, TopicPartition as Tp, TxnMessage,
};

/// Kafka's wire codes the engine's table does not need.
mod code {
    pub const UNSUPPORTED_VERSION: i16 = 35;
    pub const LEADER_NOT_AVAILABLE: i16 = 5;
    pub const INVALID_REQUIRED_ACKS: i16 = 21;
    pub const INVALID_TOPIC_EXCEPTION: i16 = 17;
    pub const TOPIC_ALREADY_EXISTS: i16 = 36;
    pub const INVALID_PARTITIONS: i16 = 37;
    pub const INVALID_REPLICATION_FACTOR: i16 = 38;
    pub const INVALID_REPLICA_ASSIGNMENT: i16 = 39;
    pub const INVALID_CONFIG: i16 = 40;
    pub const NOT_CONTROLLER: i16 = 41;
    pub const INVALID_REQUEST: i16 = 42;
    pub const UNKNOWN_TOPIC_OR_PARTITION: i16 = 3;
    pub const INCONSISTENT_GROUP_PROTOCOL: i16 = 23;
    pub const NOT_COORDINATOR: i16 = 16;
    pub const INVALID_RECORD: i16 = 87;
    pub const CORRUPT_MESSAGE: i16 = 2;
    pub const UNSUPPORTED_COMPRESSION_TYPE: i16 = 76;
    pub const UNKNOWN_TOPIC_ID: i16 = 100;
}

/// The simulated cluster's id, as Metadata and DescribeCluster name it.
const CLUSTER_ID: &str = "kafkalab-simulated-cluster";

fn s(text: impl Into<String>) -> StrBytes {
    StrBytes::from_string(text.into())
}

fn wire(error: ErrorCode) -> i16 {
    error.code().unwrap_or(-1)
}

fn malformed(what: &str, key: ApiKey, version: i16, error: impl std::fmt::Display) -> Close {
    Close::Malformed(format!("{what} of {key:?} v{version} does not decode: {error}"))
}

/// Serves one request frame; `None` when Kafka sends no response (Produce with acks=0).
pub async fn handle(conn: &mut Connection, frame: Bytes) -> Result<Option<Bytes>, Close> {
    if frame.len() < 8 {
        return Err(Close::Malformed(format!("a {}-byte frame is shorter than a request header", frame.len())));
    }
    let raw_key = i16::from_be_bytes([frame[0], frame[1]]);
    let version = i16::from_be_bytes([frame[2], frame[3]]);
    let correlation_id = i32::from_be_bytes([frame[4], frame[5], frame[6], frame[7]]);
    let Ok(key) = ApiKey::try_from(raw_key) else {
        return Err(Close::Malformed(format!("unknown API key {raw_key} (correlation id {correlation_id})")));
    };
    if !supported(key, version) {
        return unsupported(key, version, correlation_id).map(Some);
    }
    let mut buf = frame;
    let header = RequestHeader::decode(&mut buf, key.request_header_version(version))
        .map_err(|e| malformed("the header", key, version, e))?;
    let request = RequestKind::decode(key, &mut buf, version).map_err(|e| malformed("the body", key, version, e))?;
    let client_id = header.client_id.map(|c| c.to_string()).unwrap_or_default();
    let response = match request {
        RequestKind::ApiVersions(_) => ResponseKind::ApiVersions(api_versions(0)),
        RequestKind::Metadata(r) => ResponseKind::Metadata(metadata(conn, r).await?),
        RequestKind::CreateTopics(r) => ResponseKind::CreateTopics(create_topics(conn, r)),
        RequestKind::DeleteTopics(r) => ResponseKind::DeleteTopics(delete_topics(conn, r)),
        RequestKind::InitProducerId(r) => ResponseKind::InitProducerId(init_producer_id(conn, r, version).await?),
        RequestKind::Produce(r) => match produce(conn, r).await? {
            Some(response) => ResponseKind::Produce(response),
            None => return Ok(None),
        },
        RequestKind::Fetch(r) => ResponseKind::Fetch(fetch(conn, r, version).await?),
        RequestKind::ListOffsets(r) => ResponseKind::ListOffsets(list_offsets(conn, r, version).await?),
        RequestKind::FindCoordinator(r) => ResponseKind::FindCoordinator(find_coordinator(conn, r, version).await?),
        RequestKind::JoinGroup(r) => ResponseKind::JoinGroup(join_group(conn, r, client_id, version).await?),
        RequestKind::SyncGroup(r) => ResponseKind::SyncGroup(sync_group(conn, r).await?),
        RequestKind::Heartbeat(r) => ResponseKind::Heartbeat(heartbeat(conn, r).await?),
        RequestKind::LeaveGroup(r) => ResponseKind::LeaveGroup(leave_group(conn, r, version).await?),
        RequestKind::OffsetCommit(r) => ResponseKind::OffsetCommit(offset_commit(conn, r).await?),
        RequestKind::OffsetFetch(r) if version >= 8 => {
            ResponseKind::OffsetFetch(consumer_group::offset_fetch_groups(conn, r).await?)
        }
        RequestKind::OffsetFetch(r) => ResponseKind::OffsetFetch(offset_fetch(conn, r, version).await?),
        RequestKind::DescribeGroups(r) => ResponseKind::DescribeGroups(describe_groups(conn, r)),
        RequestKind::ListGroups(r) => ResponseKind::ListGroups(list_groups(conn, r)),
        RequestKind::DescribeConfigs(r) => ResponseKind::DescribeConfigs(describe_configs(conn, r)),
        RequestKind::ConsumerGroupHeartbeat(r) => ResponseKind::ConsumerGroupHeartbeat(
            consumer_group::consumer_group_heartbeat(conn, r, client_id, version).await?,
        ),
        RequestKind::ConsumerGroupDescribe(r) => {
            ResponseKind::ConsumerGroupDescribe(consumer_group::consumer_group_describe(conn, r))
        }
        RequestKind::AddPartitionsToTxn(r) => {
            ResponseKind::AddPartitionsToTxn(txn::add_partitions_to_txn(conn, r, version).await?)
        }
        RequestKind::AddOffsetsToTxn(r) => {
            ResponseKind::AddOffsetsToTxn(txn::add_offsets_to_txn(conn, r, version).await?)
        }
        RequestKind::TxnOffsetCommit(r) => ResponseKind::TxnOffsetCommit(txn::txn_offset_commit(conn, r).await?),
        RequestKind::EndTxn(r) => ResponseKind::EndTxn(txn::end_txn(conn, r, version).await?),
        other => {
            // `supported` admits only the APIs above.
            return Err(Close::Malformed(format!("{key:?} is listed as served but has no handler: {other:?}")));
        }
    };
    encode_response(key, version, correlation_id, &response).map(Some)
}

fn encode_response(key: ApiKey, version: i16, correlation_id: i32, response: &ResponseKind) -> Result<Bytes, Close> {
    let mut body = BytesMut::new();
    let header = ResponseHeader::default().with_correlation_id(correlation_id);
    header
        .encode(&mut body, key.response_header_version(version))
        .and_then(|_| response.encode(&mut body, version))
        .map_err(|e| Close::Malformed(format!("cannot encode the {key:?} v{version} response: {e}")))?;
    let mut framed = BytesMut::with_capacity(body.len() + 4);
    framed.extend_from_slice(&(body.len() as i32).to_be_bytes());
    framed.extend_from_slice(&body);
    Ok(framed.freeze())
}

fn api_versions(error_code: i16) -> ApiVersionsResponse {
    ApiVersionsResponse::default().with_error_code(error_code).with_api_keys(
        SUPPORTED_APIS
            .iter()
            .map(|(key, min, max)| {
                api_versions_response::ApiVersion::default()
                    .with_api_key(*key as i16)
                    .with_min_version(*min)
                    .with_max_version(*max)
            })
            .collect(),
    )
}

/// A request for an API or version the bridge does not serve. ApiVersions is answered in v0
/// with UNSUPPORTED_VERSION and the served versions, as Kafka answers it; the other APIs whose
/// response has a request-wide error code get UNSUPPORTED_VERSION in the version asked for.
/// The rest cannot carry an error without parsing the request, and Kafka closes the connection
/// on such a request: so does the bridge, with a log line.
fn unsupported(key: ApiKey, version: i16, correlation_id: i32) -> Result<Bytes, Close> {
    if key == ApiKey::ApiVersions {
        let response = ResponseKind::ApiVersions(api_versions(code::UNSUPPORTED_VERSION));
        return encode_response(key, 0, correlation_id, &response);
    }
    let e = code::UNSUPPORTED_VERSION;
    let response = match key {
        ApiKey::Fetch if version >= 7 => ResponseKind::Fetch(FetchResponse::default().with_error_code(e)),
        ApiKey::FindCoordinator if version < 4 => {
            ResponseKind::FindCoordinator(FindCoordinatorResponse::default().with_error_code(e))
        }
        ApiKey::JoinGroup => ResponseKind::JoinGroup(JoinGroupResponse::default().with_error_code(e)),
        ApiKey::Heartbeat => ResponseKind::Heartbeat(HeartbeatResponse::default().with_error_code(e)),
        ApiKey::LeaveGroup => ResponseKind::LeaveGroup(LeaveGroupResponse::default().with_error_code(e)),
        ApiKey::SyncGroup => ResponseKind::SyncGroup(SyncGroupResponse::default().with_error_code(e)),
        ApiKey::ListGroups => ResponseKind::ListGroups(ListGroupsResponse::default().with_error_code(e)),
        ApiKey::InitProducerId => ResponseKind::InitProducerId(InitProducerIdResponse::default().with_error_code(e)),
        ApiKey::SaslHandshake => ResponseKind::SaslHandshake(SaslHandshakeResponse::default().with_error_code(e)),
        ApiKey::SaslAuthenticate => {
            ResponseKind::SaslAuthenticate(SaslAuthenticateResponse::default().with_error_code(e))
        }
        ApiKey::AddOffsetsToTxn => ResponseKind::AddOffsetsToTxn(AddOffsetsToTxnResponse::default().with_error_code(e)),
        ApiKey::EndTxn => ResponseKind::EndTxn(EndTxnResponse::default().with_error_code(e)),
        // v4+ (broker to broker, KIP-890) has a request-wide error code.
        ApiKey::AddPartitionsToTxn if version >= 4 => {
            ResponseKind::AddPartitionsToTxn(AddPartitionsToTxnResponse::default().with_error_code(e))
        }
        ApiKey::DescribeCluster => ResponseKind::DescribeCluster(DescribeClusterResponse::default().with_error_code(e)),
        ApiKey::ConsumerGroupHeartbeat => {
            ResponseKind::ConsumerGroupHeartbeat(ConsumerGroupHeartbeatResponse::default().with_error_code(e))
        }
        ApiKey::GetTelemetrySubscriptions => ResponseKind::GetTelemetrySubscriptions(
            GetTelemetrySubscriptionsResponse::default().with_error_code(e),
        ),
        _ => {
            return Err(Close::Malformed(format!(
                "{key:?} v{version} is not served (ApiVersions lists what is) and its response has no request-wide error code"
            )))
        }
    };
    if !(key.valid_versions().min..=key.valid_versions().max).contains(&version) {
        return Err(Close::Malformed(format!("{key:?} v{version} is not a version of that API")));
    }
    encode_response(key, version, correlation_id, &response)
}

/// Metadata: the leaders and epochs as the connection's broker knows them (asked over the
/// simulated network), replicas and ISR from the cluster metadata, every live broker with the
/// port it listens on, each topic's id (v10+; asked for by id from v12).
async fn metadata(conn: &mut Connection, request: MetadataRequest) -> Result<MetadataResponse, Close> {
    let Message::Client(ClientMessage::MetadataResponse { partitions }) =
        conn.ask(ClientMessage::MetadataRequest, "MetadataResponse").await?
    else {
        unreachable!("ask returns the kind it waited for")
    };
    let bridge = conn.bridge.clone();
    let world = bridge.world.borrow();
    let image = world.metadata();
    let brokers = world
        .broker_ids()
        .into_iter()
        .filter(|id| world.broker_state(*id) == Some(BrokerState::Alive))
        .map(|id| {
            metadata_response::MetadataResponseBroker::default()
                .with_node_id(BrokerId(id))
                .with_host(s(bridge.host()))
                .with_port(i32::from(bridge.port_of(id)))
                .with_rack(image.racks.get(&id).map(|r| s(r.clone())))
        })
        .collect();
    let mut topics: Vec<String> = partitions.iter().map(|p| p.topic_partition.topic.to_string()).collect();
    topics.dedup();
    let mut ids = bridge.topic_ids.borrow_mut();
    ids.retain(|name| image.topics.contains_key(name));
    // v12 asks by topic id (a null name); an id the bridge did not give out is UNKNOWN_TOPIC_ID.
    let wanted: Vec<Result<String, uuid::Uuid>> = match &request.topics {
        None => topics.iter().cloned().map(Ok).collect(),
        Some(list) => list
            .iter()
            .map(|t| match &t.name {
                Some(name) => Ok(name.0.to_string()),
                None => ids.name_of(t.topic_id).map(str::to_string).ok_or(t.topic_id),
            })
            .collect(),
    };
    let topics = wanted
        .into_iter()
        .map(|name| {
            let name = match name {
                Ok(name) => name,
                Err(id) => {
                    return metadata_response::MetadataResponseTopic::default()
                        .with_name(None)
                        .with_topic_id(id)
                        .with_error_code(code::UNKNOWN_TOPIC_ID)
                }
            };
            let known: Vec<_> = partitions.iter().filter(|p| p.topic_partition.topic == name).collect();
            let topic = metadata_response::MetadataResponseTopic::default()
                .with_name(Some(TopicName(s(name.clone()))))
                .with_is_internal(name == OFFSETS_TOPIC || name.starts_with("__"));
            if known.is_empty() {
                return topic.with_error_code(code::UNKNOWN_TOPIC_OR_PARTITION);
            }
            topic.with_topic_id(ids.id_of(&name)).with_partitions(
                known
                    .iter()
                    .map(|p| {
                        let registration = image.partition(&p.topic_partition);
                        let (replicas, isr) =
                            registration.map_or((vec![], vec![]), |r| (r.replicas.clone(), r.isr.clone()));
                        let offline: Vec<BrokerId> = replicas
                            .iter()
                            .filter(|b| world.broker_state(**b) == Some(BrokerState::Dead))
                            .map(|b| BrokerId(*b))
                            .collect();
                        metadata_response::MetadataResponsePartition::default()
                            .with_error_code(if p.leader < 0 { code::LEADER_NOT_AVAILABLE } else { 0 })
                            .with_partition_index(p.topic_partition.partition)
                            .with_leader_id(BrokerId(p.leader))
                            .with_leader_epoch(p.leader_epoch)
                            .with_replica_nodes(replicas.into_iter().map(BrokerId).collect())
                            .with_isr_nodes(isr.into_iter().map(BrokerId).collect())
                            .with_offline_replicas(offline)
                    })
                    .collect(),
            )
        })
        .collect();
    Ok(MetadataResponse::default()
        .with_brokers(brokers)
        .with_cluster_id(Some(s(CLUSTER_ID)))
        .with_controller_id(BrokerId(world.active_controller().unwrap_or(-1)))
        .with_topics(topics))
}

/// The Kafka error of an admin action that failed.
fn action_error(error: &ActionError) -> (i16, String) {
    let text = error.to_string();
    let code = match error {
        ActionError::CreateTopic(e) => match e {
            CreateTopicError::InvalidTopic(_) | CreateTopicError::InternalTopicDeletion(_) => {
                code::INVALID_TOPIC_EXCEPTION
            }
            CreateTopicError::TopicAlreadyExists(_) => code::TOPIC_ALREADY_EXISTS,
            CreateTopicError::InvalidPartitions(_) | CreateTopicError::PartitionsNotIncreased { .. } => {
                code::INVALID_PARTITIONS
            }
            CreateTopicError::InvalidReplicationFactor { .. } => code::INVALID_REPLICATION_FACTOR,
            CreateTopicError::NotController => code::NOT_CONTROLLER,
            CreateTopicError::InvalidReplicaAssignment(_) => code::INVALID_REPLICA_ASSIGNMENT,
            CreateTopicError::UnknownTopic(_) => code::UNKNOWN_TOPIC_OR_PARTITION,
        },
        ActionError::UnknownTopic(_) => code::UNKNOWN_TOPIC_OR_PARTITION,
        ActionError::Config(_) => code::INVALID_CONFIG,
        ActionError::NoActiveController => code::NOT_CONTROLLER,
        _ => code::INVALID_REQUEST,
    };
    (code, text)
}

/// CreateTopics, as the active controller runs it (an admin action of the world).
fn create_topics(conn: &mut Connection, request: CreateTopicsRequest) -> CreateTopicsResponse {
    let mut world = conn.bridge.world.borrow_mut();
    let results = request
        .topics
        .into_iter()
        .map(|topic| {
            let name = topic.name.0.to_string();
            let configs: Vec<(String, String)> = topic
                .configs
                .iter()
                .filter_map(|c| c.value.as_ref().map(|v| (c.name.to_string(), v.to_string())))
                .collect();
            // -1: the broker defaults `num.partitions` and `default.replication.factor`, both 1.
            let partitions = if topic.num_partitions == -1 { 1 } else { topic.num_partitions };
            let rf = if topic.replication_factor == -1 { 1 } else { i32::from(topic.replication_factor) };
            let action = if topic.assignments.is_empty() {
                Action::CreateTopic { name: name.clone(), partitions, replication_factor: rf, configs }
            } else {
                let mut assignment: Vec<_> = topic.assignments.iter().collect();
                assignment.sort_by_key(|a| a.partition_index);
                Action::CreateTopicWithAssignment {
                    name: name.clone(),
                    assignment: assignment.iter().map(|a| a.broker_ids.iter().map(|b| b.0).collect()).collect(),
                    configs,
                }
            };
            let result = create_topics_response::CreatableTopicResult::default().with_name(TopicName(s(name)));
            if request.validate_only {
                return result.with_num_partitions(partitions).with_replication_factor(rf as i16);
            }
            match world.apply(action) {
                Ok(_) => result.with_num_partitions(partitions).with_replication_factor(rf as i16),
                Err(e) => {
                    let (code, message) = action_error(&e);
                    result.with_error_code(code).with_error_message(Some(s(message)))
                }
            }
        })
        .collect();
    CreateTopicsResponse::default().with_topics(results)
}

/// DeleteTopics by name; the topic's id is forgotten, so a topic created again gets a new one.
fn delete_topics(conn: &mut Connection, request: DeleteTopicsRequest) -> DeleteTopicsResponse {
    let mut names: Vec<String> = request.topic_names.iter().map(|n| n.0.to_string()).collect();
    names.extend(request.topics.iter().filter_map(|t| t.name.as_ref().map(|n| n.0.to_string())));
    let mut world = conn.bridge.world.borrow_mut();
    let responses = names
        .into_iter()
        .map(|name| {
            let result =
                delete_topics_response::DeletableTopicResult::default().with_name(Some(TopicName(s(name.clone()))));
            match world.apply(Action::DeleteTopics { topics: vec![name.clone()] }) {
                Ok(_) => {
                    conn.bridge.topic_ids.borrow_mut().retain(|topic| topic != name);
                    result
                }
                Err(e) => {
                    let (code, message) = action_error(&e);
                    result.with_error_code(code).with_error_message(Some(s(message)))
                }
            }
        })
        .collect();
    DeleteTopicsResponse::default().with_responses(responses)
}

/// InitProducerId for an idempotent producer (no `transactional.id`): the broker allocates.
/// With a `transactional.id` the transaction coordinator answers (`txn::init_producer_id`).
async fn init_producer_id(
    conn: &mut Connection,
    request: InitProducerIdRequest,
    version: i16,
) -> Result<InitProducerIdResponse, Close> {
    if let Some(transactional_id) = &request.transactional_id {
        return txn::init_producer_id(conn, transactional_id.0.to_string(), &request, version).await;
    }
    let ask = ClientMessage::InitProducerIdRequest {
        producer_id: request.producer_id.0,
        producer_epoch: request.producer_epoch,
    };
    match conn.ask(ask, "InitProducerIdResponse").await? {
        Message::Client(ClientMessage::InitProducerIdResponse { producer_id, producer_epoch }) => {
            Ok(InitProducerIdResponse::default()
                .with_producer_id(ProducerId(producer_id))
                .with_producer_epoch(producer_epoch))
        }
        _ => unreachable!("ask returns the kind it waited for"),
    }
}

/// The Kafka error for bytes the log cannot take as one RecordBatch v2.
fn batch_error(error: &kafkalab_engine::log::BatchError) -> i16 {
    use kafkalab_engine::log::BatchError as E;
    match error {
        E::Truncated { .. }
        | E::LengthTooSmall { .. }
        | E::BadMagic { .. }
        | E::BadCrc { .. }
        | E::Decompression(_) => code::CORRUPT_MESSAGE,
        E::UnknownCompression { .. } => code::UNSUPPORTED_COMPRESSION_TYPE,
        // Kafka takes one batch per partition in a produce request (INVALID_RECORD otherwise).
        _ => code::INVALID_RECORD,
    }
}

/// Produce: each partition's bytes decoded into the batch the log stores as it is; one engine
/// ProduceRequest with the valid ones; acks=0 gets no answer, as in Kafka.
async fn produce(conn: &mut Connection, request: ProduceRequest) -> Result<Option<ProduceResponse>, Close> {
    let acks = match request.acks {
        0 => Acks::None,
        1 => Acks::Leader,
        -1 => Acks::All,
        _ => {
            let responses = request
                .topic_data
                .iter()
                .map(|t| {
                    produce_response::TopicProduceResponse::default()
                        .with_name(t.name.clone())
                        .with_partition_responses(
                            t.partition_data
                                .iter()
                                .map(|p| {
                                    produce_response::PartitionProduceResponse::default()
                                        .with_index(p.index)
                                        .with_error_code(code::INVALID_REQUIRED_ACKS)
                                        .with_base_offset(-1)
                                })
                                .collect(),
                        )
                })
                .collect();
            return Ok(Some(ProduceResponse::default().with_responses(responses)));
        }
    };
    let mut rejected: Vec<(Tp, i16, String)> = Vec::new();
    let mut batches = Vec::new();
    for topic in &request.topic_data {
        for partition in &topic.partition_data {
            let tp = Tp::new(topic.name.0.to_string(), partition.index);
            match partition.records.as_deref().map(RecordBatch::decode) {
                Some(Ok(batch)) => batches.push((tp, batch)),
                Some(Err(e)) => rejected.push((tp, batch_error(&e), e.to_string())),
                None => rejected.push((tp, code::INVALID_RECORD, "no records".into())),
            }
        }
    }
    let correlation_id = conn.correlation_id();
    let message = ClientMessage::ProduceRequest {
        correlation_id,
        // A transactional batch's leader verifies the transaction with its coordinator (KIP-890).
        transactional_id: request.transactional_id.as_ref().map(|t| t.0.to_string()),
        acks,
        timeout_ms: request.timeout_ms.max(0) as u64,
        batches,
    };
    if acks == Acks::None {
        conn.tell(message)?;
        return Ok(None);
    }
    let answered = match conn.ask(message, "ProduceResponse").await? {
        Message::Client(ClientMessage::ProduceResponse { partitions, .. }) => partitions,
        _ => unreachable!("ask returns the kind it waited for"),
    };
    let log_start = |tp: &Tp| conn.bridge.world.borrow().metadata().partition(tp).map_or(-1, |_| 0);
    let responses = request
        .topic_data
        .iter()
        .map(|topic| {
            produce_response::TopicProduceResponse::default().with_name(topic.name.clone()).with_partition_responses(
                topic
                    .partition_data
                    .iter()
                    .map(|p| {
                        let tp = Tp::new(topic.name.0.to_string(), p.index);
                        let response = produce_response::PartitionProduceResponse::default().with_index(p.index);
                        if let Some((_, code, message)) = rejected.iter().find(|(r, _, _)| *r == tp) {
                            return response
                                .with_error_code(*code)
                                .with_base_offset(-1)
                                .with_error_message(Some(s(message.clone())));
                        }
                        match answered.iter().find(|a| a.topic_partition == tp) {
                            Some(a) => response
                                .with_error_code(wire(a.error))
                                .with_base_offset(a.base_offset)
                                .with_log_start_offset(log_start(&tp)),
                            None => {
                                response.with_error_code(wire(ErrorCode::UnknownTopicOrPartition)).with_base_offset(-1)
                            }
                        }
                    })
                    .collect(),
            )
        })
        .collect();
    Ok(Some(ProduceResponse::default().with_responses(responses)))
}

/// Fetch without sessions (session id 0 in every answer: the client sends full fetches).
async fn fetch(conn: &mut Connection, request: FetchRequest, version: i16) -> Result<FetchResponse, Close> {
    let partitions: Vec<FetchPartition> = request
        .topics
        .iter()
        .flat_map(|t| {
            t.partitions.iter().map(|p| FetchPartition {
                topic_partition: Tp::new(t.topic.0.to_string(), p.partition),
                fetch_offset: p.fetch_offset,
                last_fetched_epoch: -1,
                current_leader_epoch: p.current_leader_epoch,
            })
        })
        .collect();
    let ask = ClientMessage::ConsumerFetchRequest {
        isolation_level: if request.isolation_level == 1 {
            IsolationLevel::ReadCommitted
        } else {
            IsolationLevel::ReadUncommitted
        },
        max_wait_ms: request.max_wait_ms.max(0) as u64,
        min_bytes: request.min_bytes.max(0) as u64,
        max_bytes: request.max_bytes.max(0) as u64,
        partitions,
        rack_id: request.rack_id.to_string(),
    };
    let answered = match conn.ask(ask, "FetchResponse").await? {
        Message::Client(ClientMessage::ConsumerFetchResponse { partitions }) => partitions,
        _ => unreachable!("ask returns the kind it waited for"),
    };
    let responses = request
        .topics
        .iter()
        .map(|t| {
            fetch_response::FetchableTopicResponse::default().with_topic(t.topic.clone()).with_partitions(
                t.partitions
                    .iter()
                    .map(|p| {
                        let tp = Tp::new(t.topic.0.to_string(), p.partition);
                        let data = fetch_response::PartitionData::default().with_partition_index(p.partition);
                        let Some(a) = answered.iter().find(|a| a.topic_partition == tp) else {
                            return data.with_error_code(wire(ErrorCode::UnknownTopicOrPartition));
                        };
                        let mut records = BytesMut::new();
                        for batch in &a.batches {
                            records.extend_from_slice(&batch.encode());
                        }
                        data.with_error_code(wire(a.error))
                            .with_high_watermark(a.high_watermark)
                            .with_last_stable_offset(a.last_stable_offset)
                            .with_log_start_offset(a.log_start_offset)
                            .with_preferred_read_replica(BrokerId(
                                // A v11 field (KIP-392).
                                a.preferred_read_replica.filter(|_| version >= 11).unwrap_or(-1),
                            ))
                            .with_aborted_transactions((request.isolation_level == 1).then(|| {
                                a.aborted_transactions
                                    .iter()
                                    .map(|t| {
                                        fetch_response::AbortedTransaction::default()
                                            .with_producer_id(ProducerId(t.producer_id))
                                            .with_first_offset(t.first_offset)
                                    })
                                    .collect()
                            }))
                            .with_records(Some(records.freeze()))
                    })
                    .collect(),
            )
        })
        .collect();
    Ok(FetchResponse::default().with_session_id(0).with_responses(responses))
}

async fn list_offsets(
    conn: &mut Connection,
    request: ListOffsetsRequest,
    version: i16,
) -> Result<ListOffsetsResponse, Close> {
    let partitions = request
        .topics
        .iter()
        .flat_map(|t| t.partitions.iter().map(|p| (Tp::new(t.name.0.to_string(), p.partition_index), p.timestamp)))
        .collect();
    let ask = ClientMessage::ListOffsetsRequest {
        isolation_level: if request.isolation_level == 1 {
            IsolationLevel::ReadCommitted
        } else {
            IsolationLevel::ReadUncommitted
        },
        partitions,
    };
    let answered = match conn.ask(ask, "ListOffsetsResponse").await? {
        Message::Client(ClientMessage::ListOffsetsResponse { partitions }) => partitions,
        _ => unreachable!("ask returns the kind it waited for"),
    };
    let topics = request
        .topics
        .iter()
        .map(|t| {
            list_offsets_response::ListOffsetsTopicResponse::default().with_name(t.name.clone()).with_partitions(
                t.partitions
                    .iter()
                    .map(|p| {
                        let tp = Tp::new(t.name.0.to_string(), p.partition_index);
                        let response = list_offsets_response::ListOffsetsPartitionResponse::default()
                            .with_partition_index(p.partition_index);
                        match answered.iter().find(|a| a.topic_partition == tp) {
                            Some(a) => response
                                .with_error_code(wire(a.error))
                                .with_timestamp(a.timestamp)
                                .with_offset(a.offset)
                                // The leader epoch is a v4 field.
                                .with_leader_epoch(if version >= 4 { a.leader_epoch } else { -1 }),
                            None => response.with_error_code(wire(ErrorCode::UnknownTopicOrPartition)),
                        }
                    })
                    .collect(),
            )
        })
        .collect();
    Ok(ListOffsetsResponse::default().with_topics(topics))
}

/// FindCoordinator for groups (key type 0) and transactional ids (1); v4+ batches keys.
async fn find_coordinator(
    conn: &mut Connection,
    request: FindCoordinatorRequest,
    version: i16,
) -> Result<FindCoordinatorResponse, Close> {
    let keys = if version >= 4 { request.coordinator_keys.clone() } else { vec![request.key.clone()] };
    let mut coordinators = Vec::new();
    for key in keys {
        let (error, node_id) = if request.key_type == 1 {
            match conn
                .ask(
                    TxnMessage::FindCoordinatorRequest { transactional_id: key.to_string() },
                    "FindCoordinatorResponse",
                )
                .await?
            {
                Message::Txn(TxnMessage::FindCoordinatorResponse { error, node_id, .. }) => (error, node_id),
                // The transaction coordinator's answer has the same name as the group's.
                Message::Client(ClientMessage::FindCoordinatorResponse { error, node_id, .. }) => (error, node_id),
                _ => unreachable!("ask returns the kind it waited for"),
            }
        } else {
            match conn
                .ask(ClientMessage::FindCoordinatorRequest { key: key.to_string() }, "FindCoordinatorResponse")
                .await?
            {
                Message::Client(ClientMessage::FindCoordinatorResponse { error, node_id, .. }) => (error, node_id),
                Message::Txn(TxnMessage::FindCoordinatorResponse { error, node_id, .. }) => (error, node_id),
                _ => unreachable!("ask returns the kind it waited for"),
            }
        };
        let (host, port) = if node_id >= 0 {
            (conn.bridge.host(), i32::from(conn.bridge.port_of(node_id)))
        } else {
            (String::new(), -1)
        };
        coordinators.push(
            find_coordinator_response::Coordinator::default()
                .with_key(key)
                .with_node_id(BrokerId(node_id))
                .with_host(s(host))
                .with_port(port)
                .with_error_code(wire(error)),
        );
    }
    if version >= 4 {
        return Ok(FindCoordinatorResponse::default().with_coordinators(coordinators));
    }
    let c = coordinators.pop().expect("one key below v4");
    Ok(FindCoordinatorResponse::default()
        .with_error_code(c.error_code)
        .with_node_id(c.node_id)
        .with_host(c.host)
        .with_port(c.port))
}

/// `ConsumerProtocolSubscription` bytes (the version is their first two bytes).
fn parse_subscription(metadata: &Bytes) -> Option<Subscription> {
    let mut buf = metadata.clone();
    if buf.len() < 2 {
        return None;
    }
    let version = i16::from_be_bytes([buf[0], buf[1]]).min(3);
    let _ = bytes::Buf::get_i16(&mut buf);
    let parsed = ConsumerProtocolSubscription::decode(&mut buf, version).ok()?;
    Some(Subscription {
        topics: parsed.topics.iter().map(|t| t.to_string()).collect(),
        owned_partitions: parsed
            .owned_partitions
            .iter()
            .flat_map(|t| t.partitions.iter().map(|p| Tp::new(t.topic.0.to_string(), *p)))
            .collect(),
        generation_id: parsed.generation_id,
    })
}

/// A subscription as `ConsumerProtocolSubscription` v0 bytes, for a member whose own bytes the
/// bridge does not have (one that joined before this connection's process saw it).
fn encode_subscription(subscription: &Subscription) -> Bytes {
    let mut buf = BytesMut::new();
    buf.extend_from_slice(&0i16.to_be_bytes());
    let message =
        ConsumerProtocolSubscription::default().with_topics(subscription.topics.iter().map(|t| s(t.clone())).collect());
    message.encode(&mut buf, 0).expect("a v0 subscription always encodes");
    buf.freeze()
}

fn encode_assignment(assignment: &[Tp]) -> Bytes {
    let mut topics: Vec<consumer_protocol_assignment::TopicPartition> = Vec::new();
    for tp in assignment {
        match topics.iter_mut().find(|t| t.topic.0.as_str() == tp.topic) {
            Some(t) => t.partitions.push(tp.partition),
            None => topics.push(
                consumer_protocol_assignment::TopicPartition::default()
                    .with_topic(TopicName(s(tp.topic.clone())))
                    .with_partitions(vec![tp.partition]),
            ),
        }
    }
    let mut buf = BytesMut::new();
    buf.extend_from_slice(&0i16.to_be_bytes());
    ConsumerProtocolAssignment::default()
        .with_assigned_partitions(topics)
        .encode(&mut buf, 0)
        .expect("a v0 assignment always encodes");
    buf.freeze()
}

fn parse_assignment(bytes: &Bytes) -> Option<Vec<Tp>> {
    let mut buf = bytes.clone();
    if buf.len() < 2 {
        return Some(Vec::new());
    }
    let version = i16::from_be_bytes([buf[0], buf[1]]).min(3);
    let _ = bytes::Buf::get_i16(&mut buf);
    let parsed = ConsumerProtocolAssignment::decode(&mut buf, version).ok()?;
    Some(
        parsed
            .assigned_partitions
            .iter()
            .flat_map(|t| t.partitions.iter().map(|p| Tp::new(t.topic.0.to_string(), *p)))
            .collect(),
    )
}

async fn join_group(
    conn: &mut Connection,
    request: JoinGroupRequest,
    client_id: String,
    version: i16,
) -> Result<JoinGroupResponse, Close> {
    let group_id = request.group_id.0.to_string();
    let member_id = request.member_id.to_string();
    if request.protocol_type.as_str() != "consumer" {
        return Ok(JoinGroupResponse::default().with_error_code(code::INCONSISTENT_GROUP_PROTOCOL));
    }
    let mut protocols = Vec::new();
    for p in &request.protocols {
        let Some(metadata) = parse_subscription(&p.metadata) else {
            return Ok(JoinGroupResponse::default().with_error_code(code::INCONSISTENT_GROUP_PROTOCOL));
        };
        protocols.push(JoinGroupProtocol { name: p.name.to_string(), metadata });
        if !member_id.is_empty() {
            conn.bridge
                .subscriptions
                .borrow_mut()
                .insert((group_id.clone(), member_id.clone(), p.name.to_string()), p.metadata.clone());
        }
    }
    let session_timeout_ms = request.session_timeout_ms.max(0) as u64;
    let ask = GroupMessage::JoinGroupRequest {
        group_id: group_id.clone(),
        member_id,
        group_instance_id: request.group_instance_id.map(|i| i.to_string()),
        client_id,
        session_timeout_ms,
        rebalance_timeout_ms: if request.rebalance_timeout_ms < 0 {
            session_timeout_ms
        } else {
            request.rebalance_timeout_ms as u64
        },
        protocol_type: request.protocol_type.to_string(),
        protocols,
    };
    let Message::Group(GroupMessage::JoinGroupResponse {
        error,
        generation_id,
        protocol_name,
        leader,
        member_id,
        skip_assignment,
        members,
        ..
    }) = conn.ask(ask, "JoinGroupResponse").await?
    else {
        unreachable!("ask returns the kind it waited for")
    };
    let subscriptions = conn.bridge.subscriptions.borrow();
    let members = members
        .iter()
        .map(|m| {
            let key = (group_id.clone(), m.member_id.clone(), protocol_name.clone().unwrap_or_default());
            join_group_response::JoinGroupResponseMember::default()
                .with_member_id(s(m.member_id.clone()))
                .with_group_instance_id(m.group_instance_id.clone().map(s))
                .with_metadata(subscriptions.get(&key).cloned().unwrap_or_else(|| encode_subscription(&m.metadata)))
        })
        .collect();
    Ok(JoinGroupResponse::default()
        .with_error_code(wire(error))
        .with_generation_id(generation_id)
        .with_protocol_type(Some(s("consumer")))
        .with_protocol_name(protocol_name.map(s))
        .with_leader(s(leader))
        // A v9 field (KIP-814).
        .with_skip_assignment(skip_assignment && version >= 9)
        .with_member_id(s(member_id))
        .with_members(members))
}

async fn sync_group(conn: &mut Connection, request: SyncGroupRequest) -> Result<SyncGroupResponse, Close> {
    let mut assignments = Vec::new();
    for a in &request.assignments {
        let Some(partitions) = parse_assignment(&a.assignment) else {
            return Ok(SyncGroupResponse::default().with_error_code(code::INCONSISTENT_GROUP_PROTOCOL));
        };
        assignments.push((a.member_id.to_string(), partitions));
    }
    let ask = GroupMessage::SyncGroupRequest {
        group_id: request.group_id.0.to_string(),
        generation_id: request.generation_id,
        member_id: request.member_id.to_string(),
        group_instance_id: request.group_instance_id.map(|i| i.to_string()),
        assignments,
    };
    let Message::Group(GroupMessage::SyncGroupResponse { error, assignment, .. }) =
        conn.ask(ask, "SyncGroupResponse").await?
    else {
        unreachable!("ask returns the kind it waited for")
    };
    Ok(SyncGroupResponse::default()
        .with_error_code(wire(error))
        .with_protocol_type(request.protocol_type)
        .with_protocol_name(request.protocol_name)
        .with_assignment(if error == ErrorCode::None { encode_assignment(&assignment) } else { Bytes::new() }))
}

async fn heartbeat(conn: &mut Connection, request: HeartbeatRequest) -> Result<HeartbeatResponse, Close> {
    let ask = GroupMessage::HeartbeatRequest {
        group_id: request.group_id.0.to_string(),
        generation_id: request.generation_id,
        member_id: request.member_id.to_string(),
        group_instance_id: request.group_instance_id.map(|i| i.to_string()),
    };
    let Message::Group(GroupMessage::HeartbeatResponse { error, .. }) = conn.ask(ask, "HeartbeatResponse").await?
    else {
        unreachable!("ask returns the kind it waited for")
    };
    Ok(HeartbeatResponse::default().with_error_code(wire(error)))
}

/// LeaveGroup: one member below v3, a batch of members from v3 (each left in turn).
async fn leave_group(
    conn: &mut Connection,
    request: LeaveGroupRequest,
    version: i16,
) -> Result<LeaveGroupResponse, Close> {
    let group_id = request.group_id.0.to_string();
    let leaving: Vec<(String, Option<String>)> = if version >= 3 {
        request
            .members
            .iter()
            .map(|m| (m.member_id.to_string(), m.group_instance_id.as_ref().map(|i| i.to_string())))
            .collect()
    } else {
        vec![(request.member_id.to_string(), None)]
    };
    let mut members = Vec::new();
    for (member_id, group_instance_id) in leaving {
        let ask = GroupMessage::LeaveGroupRequest {
            group_id: group_id.clone(),
            member_id: member_id.clone(),
            group_instance_id: group_instance_id.clone(),
        };
        let Message::Group(GroupMessage::LeaveGroupResponse { error, .. }) =
            conn.ask(ask, "LeaveGroupResponse").await?
        else {
            unreachable!("ask returns the kind it waited for")
        };
        members.push(
            leave_group_response::MemberResponse::default()
                .with_member_id(s(member_id))
                .with_group_instance_id(group_instance_id.map(s))
                .with_error_code(wire(error)),
        );
    }
    let top = if version >= 3 {
        // A coordinator error (e.g. NOT_COORDINATOR) is the request's; a member's own stays its.
        members
            .iter()
            .map(|m| m.error_code)
            .find(|c| *c == code::NOT_COORDINATOR || *c == wire(ErrorCode::CoordinatorNotAvailable))
            .unwrap_or(0)
    } else {
        members.first().map_or(0, |m| m.error_code)
    };
    Ok(LeaveGroupResponse::default().with_error_code(top).with_members(if version >= 3 { members } else { Vec::new() }))
}

/// An OffsetCommit's or TxnOffsetCommit's partitions (topic, partition, offset, leader epoch) as
/// the engine's commit.
pub(crate) fn commit_partitions<'a>(
    partitions: impl Iterator<Item = (&'a TopicName, i32, i64, i32)>,
) -> Vec<OffsetCommitPartition> {
    partitions
        .map(|(topic, partition, committed_offset, committed_leader_epoch)| OffsetCommitPartition {
            topic_partition: Tp::new(topic.0.to_string(), partition),
            committed_offset,
            committed_leader_epoch,
        })
        .collect()
}

/// The coordinator's answer for one committed partition; one it did not answer is unknown.
pub(crate) fn commit_error(answers: &[(Tp, ErrorCode)], topic: &TopicName, partition: i32) -> ErrorCode {
    answers
        .iter()
        .find(|(tp, _)| tp.partition == partition && tp.topic == topic.0.as_str())
        .map_or(ErrorCode::UnknownTopicOrPartition, |(_, e)| *e)
}

async fn offset_commit(conn: &mut Connection, request: OffsetCommitRequest) -> Result<OffsetCommitResponse, Close> {
    let offsets = commit_partitions(request.topics.iter().flat_map(|t| {
        t.partitions.iter().map(|p| (&t.name, p.partition_index, p.committed_offset, p.committed_leader_epoch))
    }));
    let correlation_id = conn.correlation_id();
    let ask = GroupMessage::OffsetCommitRequest {
        correlation_id,
        group_id: request.group_id.0.to_string(),
        generation_id: request.generation_id_or_member_epoch,
        member_id: request.member_id.to_string(),
        group_instance_id: request.group_instance_id.map(|i| i.to_string()),
        offsets,
    };
    let Message::Group(GroupMessage::OffsetCommitResponse { partitions, .. }) =
        conn.ask(ask, "OffsetCommitResponse").await?
    else {
        unreachable!("ask returns the kind it waited for")
    };
    let topics = request
        .topics
        .iter()
        .map(|t| {
            offset_commit_response::OffsetCommitResponseTopic::default().with_name(t.name.clone()).with_partitions(
                t.partitions
                    .iter()
                    .map(|p| {
                        let error = commit_error(&partitions, &t.name, p.partition_index);
                        offset_commit_response::OffsetCommitResponsePartition::default()
                            .with_partition_index(p.partition_index)
                            .with_error_code(wire(error))
                    })
                    .collect(),
            )
        })
        .collect();
    Ok(OffsetCommitResponse::default().with_topics(topics))
}

/// OffsetFetch for one group (v1-v7). All topics (null) reads what the group committed.
async fn offset_fetch(
    conn: &mut Connection,
    request: OffsetFetchRequest,
    version: i16,
) -> Result<OffsetFetchResponse, Close> {
    let group_id = request.group_id.0.to_string();
    let partitions: Vec<Tp> = match &request.topics {
        Some(topics) => {
            topics.iter().flat_map(|t| t.partition_indexes.iter().map(|p| Tp::new(t.name.0.to_string(), *p))).collect()
        }
        None => {
            let world = conn.bridge.world.borrow();
            world
                .broker(conn.broker)
                .and_then(|b| b.volatile.group_coordinator.offsets.get(&group_id))
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default()
        }
    };
    let ask = GroupMessage::OffsetFetchRequest { group_id, partitions: partitions.clone(), member: None };
    let Message::Group(GroupMessage::OffsetFetchResponse { error, offsets, .. }) =
        conn.ask(ask, "OffsetFetchResponse").await?
    else {
        unreachable!("ask returns the kind it waited for")
    };
    let mut topics: Vec<offset_fetch_response::OffsetFetchResponseTopic> = Vec::new();
    for tp in &partitions {
        let found = offsets.iter().find(|o| o.topic_partition == *tp);
        let partition = offset_fetch_response::OffsetFetchResponsePartition::default()
            .with_partition_index(tp.partition)
            .with_committed_offset(found.map_or(-1, |o| o.committed_offset))
            .with_committed_leader_epoch(found.map_or(-1, |o| o.committed_leader_epoch))
            .with_metadata(Some(s("")))
            // v1 has no request-wide error code: each partition carries the group's.
            .with_error_code(if version < 2 { wire(error) } else { 0 });
        match topics.iter_mut().find(|t| t.name.0.as_str() == tp.topic) {
            Some(t) => t.partitions.push(partition),
            None => topics.push(
                offset_fetch_response::OffsetFetchResponseTopic::default()
                    .with_name(TopicName(s(tp.topic.clone())))
                    .with_partitions(vec![partition]),
            ),
        }
    }
    let top = if version >= 2 { wire(error) } else { 0 };
    Ok(OffsetFetchResponse::default().with_error_code(top).with_topics(topics))
}

/// DescribeGroups from the connection's broker's group coordinator (read, not a round trip).
fn describe_groups(conn: &mut Connection, request: DescribeGroupsRequest) -> DescribeGroupsResponse {
    let world = conn.bridge.world.borrow();
    let subscriptions = conn.bridge.subscriptions.borrow();
    let coordinator = world.broker(conn.broker).map(|b| &b.volatile.group_coordinator);
    let groups = request
        .groups
        .iter()
        .map(|id| {
            let group_id = id.0.to_string();
            let described = describe_groups_response::DescribedGroup::default().with_group_id(id.clone());
            let Some(coordinator) = coordinator.filter(|c| c.is_coordinator_for(&group_id)) else {
                return described.with_error_code(wire(ErrorCode::NotCoordinator));
            };
            let Some(group) = coordinator.groups.get(&group_id) else {
                return described.with_group_state(s("Dead"));
            };
            let protocol = group.protocol_name.clone().unwrap_or_default();
            described
                .with_group_state(s(group.state.name()))
                .with_protocol_type(s(group.protocol_type.clone().unwrap_or_default()))
                .with_protocol_data(s(protocol.clone()))
                .with_members(
                    group
                        .members
                        .iter()
                        .map(|m| {
                            let key = (group_id.clone(), m.member_id.clone(), protocol.clone());
                            describe_groups_response::DescribedGroupMember::default()
                                .with_member_id(s(m.member_id.clone()))
                                .with_group_instance_id(m.group_instance_id.clone().map(s))
                                .with_client_id(s(m.client_id.clone()))
                                .with_client_host(s(format!("/{}", conn.bridge.host())))
                                .with_member_metadata(subscriptions.get(&key).cloned().unwrap_or_default())
                                .with_member_assignment(encode_assignment(&m.assignment))
                        })
                        .collect(),
                )
        })
        .collect();
    DescribeGroupsResponse::default().with_groups(groups)
}

/// ListGroups: the classic and consumer groups the connection's broker coordinates.
fn list_groups(conn: &mut Connection, request: ListGroupsRequest) -> ListGroupsResponse {
    let world = conn.bridge.world.borrow();
    let Some(coordinator) = world.broker(conn.broker).map(|b| &b.volatile.group_coordinator) else {
        return ListGroupsResponse::default().with_error_code(wire(ErrorCode::CoordinatorNotAvailable));
    };
    let groups = coordinator
        .groups
        .values()
        .filter(|g| coordinator.is_coordinator_for(&g.group_id))
        .filter(|g| {
            request.states_filter.is_empty() || request.states_filter.iter().any(|f| f.as_str() == g.state.name())
        })
        .filter(|_| {
            request.types_filter.is_empty()
                || request.types_filter.iter().any(|f| f.as_str().eq_ignore_ascii_case("classic"))
        })
        .map(|g| {
            list_groups_response::ListedGroup::default()
                .with_group_id(GroupId(s(g.group_id.clone())))
                .with_protocol_type(s(g.protocol_type.clone().unwrap_or_default()))
                .with_group_state(s(g.state.name()))
                .with_group_type(s("classic"))
        })
        .chain(consumer_group::listed_consumer_groups(coordinator, &request))
        .collect();
    ListGroupsResponse::default().with_groups(groups)
}

/// DescribeConfigs of a topic (resource type 2) or a broker (4): the configs set on it.
fn describe_configs(conn: &mut Connection, request: DescribeConfigsRequest) -> DescribeConfigsResponse {
    let world = conn.bridge.world.borrow();
    let image = world.metadata();
    let results = request
        .resources
        .iter()
        .map(|r| {
            let name = r.resource_name.to_string();
            let result = describe_configs_response::DescribeConfigsResult::default()
                .with_resource_type(r.resource_type)
                .with_resource_name(r.resource_name.clone());
            // The configs set on the resource (its dynamic configs, a topic's creation configs
            // among them): config source 1 DYNAMIC_TOPIC_CONFIG, 2 DYNAMIC_BROKER_CONFIG.
            let (resource, source) = match r.resource_type {
                2 if image.topics.contains_key(&name) => (ConfigResource::Topic(name), 1),
                2 => return result.with_error_code(code::UNKNOWN_TOPIC_OR_PARTITION),
                4 => match name.parse() {
                    Ok(id) if world.broker(id).is_some() => (ConfigResource::Broker(id), 2),
                    _ => return result.with_error_code(code::INVALID_REQUEST),
                },
                _ => return result.with_error_code(code::INVALID_REQUEST),
            };
            let pairs: Vec<(String, String, i8)> = image
                .configs
                .get(&resource)
                .map(|c| c.iter().map(|(k, v)| (k.clone(), v.clone(), source)).collect())
                .unwrap_or_default();
            let keys = r.configuration_keys.as_ref();
            result.with_configs(
                pairs
                    .into_iter()
                    .filter(|(k, _, _)| keys.is_none_or(|keys| keys.iter().any(|w| w.as_str() == k)))
                    .map(|(k, v, source)| {
                        describe_configs_response::DescribeConfigsResourceResult::default()
                            .with_name(s(k))
                            .with_value(Some(s(v)))
                            .with_config_source(source)
                    })
                    .collect(),
            )
        })
        .collect();
    DescribeConfigsResponse::default().with_results(results)
}
