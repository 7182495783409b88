//! The transaction APIs (KIP-98) as a transactions version 1 client speaks them: InitProducerId
//! with a `transactional.id`, AddPartitionsToTxn (v0-3), AddOffsetsToTxn, TxnOffsetCommit and
//! EndTxn (v0-4). Each becomes the engine's transaction (or group) message, sent over the
//! simulated network to the connection's broker, which answers NOT_COORDINATOR unless it leads
//! the id's `__transaction_state` partition (or the group's `__consumer_offsets` partition).
//!
//! Transactions version 2 (KIP-890 part 2: EndTxn v5 bumps the epoch, partitions are added
//! implicitly on produce) is not advertised: ApiVersions carries no `transaction.version`
//! feature and EndTxn stops at v4, so clients fall back to version 1.

use crate::api::{commit_error, commit_partitions};
use crate::connection::{Close, Connection};
use kafka_protocol::messages::*;
use kafkalab_engine::protocol::{ErrorCode, GroupMessage, Message, TopicPartition as Tp, TxnMessage};

/// Kafka's wire codes the engine's table does not need.
mod code {
    pub const UNKNOWN_TOPIC_OR_PARTITION: i16 = 3;
    pub const OPERATION_NOT_ATTEMPTED: i16 = 55;
}

/// The wire code of an engine error in a response of `version`, where PRODUCER_FENCED exists
/// from `fenced_since` on: older versions get INVALID_PRODUCER_EPOCH, as Kafka answers them.
fn wire(error: ErrorCode, version: i16, fenced_since: i16) -> i16 {
    let error = if error == ErrorCode::ProducerFenced && version < fenced_since {
        ErrorCode::InvalidProducerEpoch
    } else {
        error
    };
    error.code().unwrap_or(-1)
}

/// InitProducerId with a `transactional.id`, to its transaction coordinator: a new id gets a
/// producer id; a known one gets its epoch bumped, which fences the older producer; an open
/// transaction is aborted first and the answer is CONCURRENT_TRANSACTIONS (the client retries).
/// PRODUCER_FENCED is a v4 error (INVALID_PRODUCER_EPOCH before).
pub async fn init_producer_id(
    conn: &mut Connection,
    transactional_id: String,
    request: &InitProducerIdRequest,
    version: i16,
) -> Result<InitProducerIdResponse, Close> {
    let ask = TxnMessage::InitProducerIdRequest {
        transactional_id,
        // A negative timeout is as invalid as 0: INVALID_TRANSACTION_TIMEOUT.
        transaction_timeout_ms: request.transaction_timeout_ms.max(0) as u64,
    };
    let Message::Txn(TxnMessage::InitProducerIdResponse { error, producer_id, producer_epoch }) =
        conn.ask(ask, "InitProducerIdResponse").await?
    else {
        unreachable!("ask returns the kind it waited for")
    };
    Ok(InitProducerIdResponse::default()
        .with_error_code(wire(error, version, 4))
        .with_producer_id(ProducerId(producer_id))
        .with_producer_epoch(producer_epoch))
}

/// AddPartitionsToTxn v0-3, from the producer: the partitions join its transaction (the first
/// one starts it). As in Kafka, unknown partitions fail with UNKNOWN_TOPIC_OR_PARTITION and the
/// others with OPERATION_NOT_ATTEMPTED, without asking the coordinator; otherwise every
/// partition carries the coordinator's answer. PRODUCER_FENCED is a v2 error.
pub async fn add_partitions_to_txn(
    conn: &mut Connection,
    request: AddPartitionsToTxnRequest,
    version: i16,
) -> Result<AddPartitionsToTxnResponse, Close> {
    let partitions: Vec<Tp> = request
        .v3_and_below_topics
        .iter()
        .flat_map(|t| t.partitions.iter().map(|p| Tp::new(t.name.0.to_string(), *p)))
        .collect();
    let unknown: Vec<&Tp> = {
        let world = conn.bridge.world.borrow();
        partitions.iter().filter(|tp| world.metadata().partition(tp).is_none()).collect()
    };
    let error_of = |tp: &Tp, answer: i16| {
        if unknown.is_empty() {
            answer
        } else if unknown.contains(&tp) {
            code::UNKNOWN_TOPIC_OR_PARTITION
        } else {
            code::OPERATION_NOT_ATTEMPTED
        }
    };
    let answer = if unknown.is_empty() {
        let correlation_id = conn.correlation_id();
        let ask = TxnMessage::AddPartitionsToTxnRequest {
            correlation_id,
            transactional_id: request.v3_and_below_transactional_id.0.to_string(),
            producer_id: request.v3_and_below_producer_id.0,
            producer_epoch: request.v3_and_below_producer_epoch,
            partitions: partitions.clone(),
        };
        let Message::Txn(TxnMessage::AddPartitionsToTxnResponse { error, .. }) =
            conn.ask(ask, "AddPartitionsToTxnResponse").await?
        else {
            unreachable!("ask returns the kind it waited for")
        };
        wire(error, version, 2)
    } else {
        0
    };
    let results = request
        .v3_and_below_topics
        .iter()
        .map(|t| {
            add_partitions_to_txn_response::AddPartitionsToTxnTopicResult::default()
                .with_name(t.name.clone())
                .with_results_by_partition(
                    t.partitions
                        .iter()
                        .map(|p| {
                            add_partitions_to_txn_response::AddPartitionsToTxnPartitionResult::default()
                                .with_partition_index(*p)
                                .with_partition_error_code(error_of(&Tp::new(t.name.0.to_string(), *p), answer))
                        })
                        .collect(),
                )
        })
        .collect();
    Ok(AddPartitionsToTxnResponse::default().with_results_by_topic_v3_and_below(results))
}

/// AddOffsetsToTxn: the group's `__consumer_offsets` partition joins the transaction, before
/// TxnOffsetCommit goes to the group coordinator. PRODUCER_FENCED is a v2 error.
pub async fn add_offsets_to_txn(
    conn: &mut Connection,
    request: AddOffsetsToTxnRequest,
    version: i16,
) -> Result<AddOffsetsToTxnResponse, Close> {
    let ask = TxnMessage::AddOffsetsToTxnRequest {
        transactional_id: request.transactional_id.0.to_string(),
        producer_id: request.producer_id.0,
        producer_epoch: request.producer_epoch,
        group_id: request.group_id.0.to_string(),
    };
    let Message::Txn(TxnMessage::AddOffsetsToTxnResponse { error }) = conn.ask(ask, "AddOffsetsToTxnResponse").await?
    else {
        unreachable!("ask returns the kind it waited for")
    };
    Ok(AddOffsetsToTxnResponse::default().with_error_code(wire(error, version, 2)))
}

/// TxnOffsetCommit, to the group coordinator: the offsets are pending until the transaction's
/// marker on `__consumer_offsets` decides them. Below v3 there is no generation or member id
/// (-1 and empty: the commit is not checked against the group, as in Kafka).
pub async fn txn_offset_commit(
    conn: &mut Connection,
    request: TxnOffsetCommitRequest,
) -> Result<TxnOffsetCommitResponse, Close> {
    let offsets = commit_partitions(request.topics.iter().flat_map(|t| {
        t.partitions.iter().map(|p| (&t.name, p.partition_index, p.committed_offset, p.committed_leader_epoch))
    }));
    let correlation_id = conn.correlation_id();
    let ask = GroupMessage::TxnOffsetCommitRequest {
        correlation_id,
        transactional_id: request.transactional_id.0.to_string(),
        group_id: request.group_id.0.to_string(),
        producer_id: request.producer_id.0,
        producer_epoch: request.producer_epoch,
        generation_id: request.generation_id,
        member_id: request.member_id.to_string(),
        group_instance_id: request.group_instance_id.as_ref().map(|i| i.to_string()),
        offsets,
    };
    let Message::Group(GroupMessage::TxnOffsetCommitResponse { partitions, .. }) =
        conn.ask(ask, "TxnOffsetCommitResponse").await?
    else {
        unreachable!("ask returns the kind it waited for")
    };
    let topics = request
        .topics
        .iter()
        .map(|t| {
            txn_offset_commit_response::TxnOffsetCommitResponseTopic::default()
                .with_name(t.name.clone())
                .with_partitions(
                    t.partitions
                        .iter()
                        .map(|p| {
                            // A fenced producer's offsets are INVALID_PRODUCER_EPOCH, as Kafka's
                            // group coordinator answers them.
                            let error = match commit_error(&partitions, &t.name, p.partition_index) {
                                ErrorCode::ProducerFenced => ErrorCode::InvalidProducerEpoch,
                                e => e,
                            };
                            txn_offset_commit_response::TxnOffsetCommitResponsePartition::default()
                                .with_partition_index(p.partition_index)
                                .with_error_code(error.code().unwrap_or(-1))
                        })
                        .collect(),
                )
        })
        .collect();
    Ok(TxnOffsetCommitResponse::default().with_topics(topics))
}

/// EndTxn v0-4 (transactions version 1): the coordinator writes PrepareCommit or PrepareAbort
/// and answers; the markers follow, and the id's next request gets CONCURRENT_TRANSACTIONS until
/// they are written. The producer keeps its epoch. PRODUCER_FENCED is a v2 error.
pub async fn end_txn(conn: &mut Connection, request: EndTxnRequest, version: i16) -> Result<EndTxnResponse, Close> {
    let ask = TxnMessage::EndTxnRequest {
        transactional_id: request.transactional_id.0.to_string(),
        producer_id: request.producer_id.0,
        producer_epoch: request.producer_epoch,
        committed: request.committed,
        transaction_v2: false,
    };
    let Message::Txn(TxnMessage::EndTxnResponse { error, producer_id, producer_epoch }) =
        conn.ask(ask, "EndTxnResponse").await?
    else {
        unreachable!("ask returns the kind it waited for")
    };
    Ok(EndTxnResponse::default()
        .with_error_code(wire(error, version, 2))
        .with_producer_id(ProducerId(producer_id))
        .with_producer_epoch(producer_epoch))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Kafka answers PRODUCER_FENCED only to versions that know it (InitProducerId 4+, the
    /// other transaction APIs 2+); older versions get INVALID_PRODUCER_EPOCH.
    #[test]
    fn producer_fenced_is_invalid_producer_epoch_for_older_versions() {
        assert_eq!(wire(ErrorCode::ProducerFenced, 3, 4), 47);
        assert_eq!(wire(ErrorCode::ProducerFenced, 4, 4), 90);
        assert_eq!(wire(ErrorCode::ProducerFenced, 1, 2), 47);
        assert_eq!(wire(ErrorCode::ProducerFenced, 2, 2), 90);
        assert_eq!(wire(ErrorCode::ConcurrentTransactions, 0, 2), 51);
        assert_eq!(wire(ErrorCode::None, 0, 2), 0);
    }
}
