//! The transactional producer (Kafka's `TransactionManager`, transactions version 2): find the
//! transaction coordinator, InitProducerId with the `transactional.id` (which fences an older
//! instance), then begin, send, and commit or abort. Partitions join the transaction implicitly
//! when their leader verifies the first batch (KIP-890); the coordinator bumps the epoch at
//! every transaction end and returns it in the EndTxn answer.
//!
//! One transaction request is in flight at a time, as in Kafka.

use super::{Producer, ProducerIdState, Timer};
use crate::narration::Fact;
use crate::node::Outbox;
use crate::protocol::{ClientMessage, ErrorCode, GroupMessage, OffsetCommitPartition, TxnMessage};
use crate::sim::{Millis, NodeId};
use rand::Rng;
use serde::Serialize;

/// The client side of a transaction (`TransactionManager.State`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TxnClientState {
    /// `initTransactions` runs: finding the coordinator, getting the producer id and epoch.
    Initializing,
    Ready,
    InTransaction,
    CommittingTransaction,
    AbortingTransaction,
    /// A send in the transaction failed: it can only be aborted.
    AbortableError,
    /// Fenced by a newer producer with the same transactional id (or the coordinator's
    /// timeout): nothing more can be done.
    FatalError,
}

/// What a transaction request in flight asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TxnRequest {
    FindCoordinator,
    InitProducerId,
    AddOffsets,
    FindGroupCoordinator,
    TxnOffsetCommit,
    EndTxn { committed: bool },
}

/// The consumer's group metadata (`ConsumerGroupMetadata`) that `sendOffsetsToTransaction`
/// passes, so the group coordinator can fence a zombie member (KIP-447).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupMetadata {
    pub group_id: String,
    pub generation_id: i32,
    pub member_id: String,
    pub group_instance_id: Option<String>,
}

/// Offsets on their way into the transaction: AddOffsetsToTxn, then (once the group's
/// coordinator is known) TxnOffsetCommit.
#[derive(Debug, Clone)]
struct PendingOffsets {
    group: GroupMetadata,
    offsets: Vec<OffsetCommitPartition>,
    added: bool,
    group_coordinator: i32,
}

#[derive(Debug, Clone)]
pub struct TransactionManager {
    pub transactional_id: String,
    pub state: TxnClientState,
    /// The coordinator as last found (-1: unknown).
    pub coordinator: i32,
    /// The request in flight: token, broker, what it asks.
    in_flight: Option<(u64, i32, TxnRequest)>,
    /// After a retriable error, wait until then.
    retry_at: Millis,
    /// Whether anything was sent in this transaction (else commit needs no EndTxn).
    pub transaction_started: bool,
    /// Transactions committed and aborted by this process.
    pub committed: u64,
    pub aborted: u64,
    pending_offsets: Option<PendingOffsets>,
}

impl TransactionManager {
    pub fn new(transactional_id: String) -> Self {
        TransactionManager {
            transactional_id,
            state: TxnClientState::Initializing,
            coordinator: -1,
            in_flight: None,
            retry_at: 0,
            transaction_started: false,
            committed: 0,
            aborted: 0,
            pending_offsets: None,
        }
    }

    pub fn is_ending(&self) -> bool {
        matches!(self.state, TxnClientState::CommittingTransaction | TxnClientState::AbortingTransaction)
    }

    pub fn request_is_live(&self, token: u64) -> bool {
        self.in_flight.is_some_and(|(t, _, _)| t == token)
    }
}

/// Why an application call on the transaction was refused (Kafka's IllegalStateException and
/// friends).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxnCallError {
    NotTransactional,
    /// The call does not fit the transaction's state (e.g. commit outside a transaction).
    InvalidState(TxnClientState),
}

impl Producer {
    pub fn transaction(&self) -> Option<&TransactionManager> {
        self.txn.as_ref()
    }

    /// `beginTransaction()`: the sends that follow belong to the transaction.
    pub fn begin_transaction(&mut self) -> Result<(), TxnCallError> {
        let txn = self.txn.as_mut().ok_or(TxnCallError::NotTransactional)?;
        match txn.state {
            TxnClientState::Ready | TxnClientState::Initializing => {
                txn.state = TxnClientState::InTransaction;
                txn.transaction_started = false;
                Ok(())
            }
            state => Err(TxnCallError::InvalidState(state)),
        }
    }

    /// `commitTransaction()` (or, with `committed` false, `abortTransaction()`): flush, then
    /// EndTxn. A transaction with a failed send can only be aborted; asked to commit, it aborts.
    pub fn end_transaction(
        &mut self,
        committed: bool,
        now: Millis,
        rng: &mut impl Rng,
        out: &mut Outbox<Timer>,
    ) -> Result<(), TxnCallError> {
        let txn = self.txn.as_mut().ok_or(TxnCallError::NotTransactional)?;
        let commit = match txn.state {
            TxnClientState::InTransaction => committed,
            TxnClientState::AbortableError => false,
            state => return Err(TxnCallError::InvalidState(state)),
        };
        txn.state = if commit { TxnClientState::CommittingTransaction } else { TxnClientState::AbortingTransaction };
        if !commit {
            txn.pending_offsets = None;
            // Kafka fails the batches not yet sent with TransactionAbortedException.
            let unsent = std::mem::take(&mut self.accumulator);
            let waiting: Vec<u64> = self.waiting_for_metadata.drain(..).map(|(id, _, _)| id).collect();
            for batch in unsent.batches().cloned().collect::<Vec<_>>() {
                self.fail_batch(batch, ErrorCode::InvalidTxnState);
            }
            for send_id in waiting {
                self.complete(send_id, None, super::SendOutcome::Failed { error: ErrorCode::InvalidTxnState });
            }
        }
        self.run_sender(now, rng, out);
        Ok(())
    }

    /// `sendOffsetsToTransaction(offsets, groupMetadata)`: the group's offsets commit with the
    /// transaction. This model sends AddOffsetsToTxn first, as transactions version 1 does (a
    /// version 2 client lets the group coordinator add the partition).
    pub fn send_offsets_to_transaction(
        &mut self,
        group: GroupMetadata,
        offsets: Vec<OffsetCommitPartition>,
        now: Millis,
        rng: &mut impl Rng,
        out: &mut Outbox<Timer>,
    ) -> Result<(), TxnCallError> {
        let txn = self.txn.as_mut().ok_or(TxnCallError::NotTransactional)?;
        if txn.state != TxnClientState::InTransaction || txn.pending_offsets.is_some() {
            return Err(TxnCallError::InvalidState(txn.state));
        }
        txn.transaction_started = true;
        txn.pending_offsets = Some(PendingOffsets { group, offsets, added: false, group_coordinator: -1 });
        self.run_sender(now, rng, out);
        Ok(())
    }

    /// Whether sends may be drained now: a transactional producer sends only in a transaction.
    pub(super) fn may_send_in_transaction(&self) -> bool {
        self.txn.as_ref().is_none_or(|t| {
            matches!(
                t.state,
                TxnClientState::InTransaction
                    | TxnClientState::CommittingTransaction
                    | TxnClientState::AbortingTransaction
            )
        })
    }

    /// Whether the accumulator must be flushed now (commitTransaction flushes, not waiting for linger).
    pub(super) fn flushing(&self) -> bool {
        self.txn.as_ref().is_some_and(|t| t.state == TxnClientState::CommittingTransaction)
    }

    /// The transaction manager's part of the sender loop: find the coordinator, get the
    /// producer id, and end the transaction once every batch is done. Returns whether the
    /// producer id is ready for batches.
    pub(super) fn run_transaction_manager(&mut self, now: Millis, rng: &mut impl Rng, out: &mut Outbox<Timer>) -> bool {
        let Some(txn) = self.txn.as_ref() else { return true };
        if txn.state == TxnClientState::FatalError {
            return false;
        }
        if txn.in_flight.is_some() {
            return self.pid_state == ProducerIdState::Ready;
        }
        if now < txn.retry_at {
            self.schedule_wakeup(txn.retry_at, out);
            return self.pid_state == ProducerIdState::Ready;
        }
        let next = if txn.coordinator < 0 {
            Some(TxnRequest::FindCoordinator)
        } else if self.pid_state != ProducerIdState::Ready {
            Some(TxnRequest::InitProducerId)
        } else if let Some(pending) = &txn.pending_offsets {
            Some(if !pending.added {
                TxnRequest::AddOffsets
            } else if pending.group_coordinator < 0 {
                TxnRequest::FindGroupCoordinator
            } else {
                TxnRequest::TxnOffsetCommit
            })
        } else if txn.is_ending()
            && self.accumulator.batches().next().is_none()
            && self.waiting_for_metadata.is_empty()
            && self.in_flight.is_empty()
        {
            let committed = txn.state == TxnClientState::CommittingTransaction;
            if !txn.transaction_started {
                self.transaction_ended(committed, self.producer_epoch, out);
                return true;
            }
            Some(TxnRequest::EndTxn { committed })
        } else {
            None
        };
        if let Some(request) = next {
            self.send_txn_request(request, now, rng, out);
        }
        self.pid_state == ProducerIdState::Ready
    }

    fn send_txn_request(&mut self, request: TxnRequest, now: Millis, rng: &mut impl Rng, out: &mut Outbox<Timer>) {
        let Some(txn) = self.txn.as_mut() else { return };
        let transactional_id = txn.transactional_id.clone();
        let (producer_id, producer_epoch) = (self.producer_id, self.producer_epoch);
        let any_broker = |rng: &mut dyn rand::RngCore| {
            (!self.bootstrap.is_empty()).then(|| self.bootstrap[rng.random_range(0..self.bootstrap.len())])
        };
        let (broker, message): (i32, crate::protocol::Message) = match request {
            TxnRequest::FindCoordinator => {
                let Some(broker) = any_broker(rng) else { return };
                (broker, TxnMessage::FindCoordinatorRequest { transactional_id }.into())
            }
            TxnRequest::AddOffsets => {
                let Some(pending) = &txn.pending_offsets else { return };
                let group_id = pending.group.group_id.clone();
                (
                    txn.coordinator,
                    TxnMessage::AddOffsetsToTxnRequest { transactional_id, producer_id, producer_epoch, group_id }
                        .into(),
                )
            }
            TxnRequest::FindGroupCoordinator => {
                let Some(pending) = &txn.pending_offsets else { return };
                let Some(broker) = any_broker(rng) else { return };
                (broker, ClientMessage::FindCoordinatorRequest { key: pending.group.group_id.clone() }.into())
            }
            TxnRequest::TxnOffsetCommit => {
                let Some(pending) = &txn.pending_offsets else { return };
                let group = pending.group.clone();
                (
                    pending.group_coordinator,
                    GroupMessage::TxnOffsetCommitRequest {
                        correlation_id: self.wakeup_token + 1,
                        transactional_id,
                        group_id: group.group_id,
                        producer_id,
                        producer_epoch,
                        generation_id: group.generation_id,
                        member_id: group.member_id,
                        group_instance_id: group.group_instance_id,
                        offsets: pending.offsets.clone(),
                    }
                    .into(),
                )
            }
            TxnRequest::InitProducerId => {
                self.pid_state = ProducerIdState::Requested;
                (
                    txn.coordinator,
                    TxnMessage::InitProducerIdRequest {
                        transactional_id,
                        transaction_timeout_ms: self.config.transaction_timeout_ms,
                    }
                    .into(),
                )
            }
            TxnRequest::EndTxn { committed } => (
                txn.coordinator,
                TxnMessage::EndTxnRequest {
                    transactional_id,
                    producer_id,
                    producer_epoch,
                    committed,
                    transaction_v2: true,
                }
                .into(),
            ),
        };
        self.wakeup_token += 1;
        let token = self.wakeup_token;
        if let Some(txn) = self.txn.as_mut() {
            txn.in_flight = Some((token, broker, request));
        }
        out.send(NodeId::Broker(broker), message);
        out.timer(now + self.config.request_timeout_ms, Timer::TxnRequestTimeout { token });
    }

    /// A transaction request got no answer, or its connection broke: look the coordinator up
    /// again and retry after `retry.backoff.ms`.
    pub(super) fn abandon_txn_request(&mut self, now: Millis) {
        let backoff = self.config.retry_backoff_ms;
        let Some(txn) = self.txn.as_mut() else { return };
        if let Some((_, _, request)) = txn.in_flight.take() {
            if request == TxnRequest::InitProducerId {
                self.pid_state = ProducerIdState::Missing;
            }
            txn.coordinator = -1;
            txn.retry_at = now + backoff;
        }
    }

    pub(super) fn txn_request_broker(&self) -> Option<i32> {
        self.txn.as_ref().and_then(|t| t.in_flight.map(|(_, broker, _)| broker))
    }

    /// The answers of the group coordinator (and of the broker asked to find it) to
    /// `sendOffsetsToTransaction`. Returns false for a message this producer did not ask for.
    pub(super) fn on_group_offsets_response(
        &mut self,
        from: i32,
        message: &crate::protocol::Message,
        now: Millis,
        out: &mut Outbox<Timer>,
    ) -> bool {
        let backoff = self.config.retry_backoff_ms;
        let Some(txn) = self.txn.as_mut() else { return false };
        let Some((_, broker, request)) = txn.in_flight else { return false };
        let Some(pending) = txn.pending_offsets.as_mut() else { return false };
        use crate::protocol::Message;
        let error = match (request, message) {
            (
                TxnRequest::FindGroupCoordinator,
                Message::Client(ClientMessage::FindCoordinatorResponse { key, error, node_id }),
            ) if *key == pending.group.group_id && broker == from => {
                if *error == ErrorCode::None {
                    pending.group_coordinator = *node_id;
                }
                *error
            }
            (TxnRequest::TxnOffsetCommit, Message::Group(GroupMessage::TxnOffsetCommitResponse { partitions, .. }))
                if broker == from =>
            {
                let error =
                    partitions.iter().map(|(_, e)| *e).find(|e| *e != ErrorCode::None).unwrap_or(ErrorCode::None);
                match error {
                    ErrorCode::None => txn.pending_offsets = None,
                    ErrorCode::NotCoordinator | ErrorCode::CoordinatorNotAvailable => pending.group_coordinator = -1,
                    _ => {}
                }
                error
            }
            _ => return false,
        };
        txn.in_flight = None;
        match error {
            ErrorCode::None => {}
            ErrorCode::ProducerFenced | ErrorCode::InvalidProducerEpoch => self.fence(error, out),
            // The member is no longer in the group's generation: the transaction cannot commit
            // these offsets (Kafka's CommitFailedException); the application aborts.
            ErrorCode::IllegalGeneration
            | ErrorCode::UnknownMemberId
            | ErrorCode::FencedInstanceId
            | ErrorCode::RebalanceInProgress => {
                txn.pending_offsets = None;
                txn.state = TxnClientState::AbortableError;
            }
            _ => txn.retry_at = now + backoff,
        }
        true
    }

    /// The answers of the transaction coordinator (and of the broker asked to find it).
    pub(super) fn on_txn_response(&mut self, from: i32, message: TxnMessage, now: Millis, out: &mut Outbox<Timer>) {
        let Some(txn) = self.txn.as_mut() else {
            out.fact(Fact::MessageMisrouted {
                from: NodeId::Broker(from),
                to: NodeId::Client(self.node),
                kind: message.kind(),
            });
            return;
        };
        let Some((token, broker, request)) = txn.in_flight else { return };
        if broker != from {
            return;
        }
        txn.in_flight = None;
        let backoff = self.config.retry_backoff_ms;
        let error = match (request, message) {
            (TxnRequest::FindCoordinator, TxnMessage::FindCoordinatorResponse { error, node_id, .. }) => {
                if error == ErrorCode::None {
                    txn.coordinator = node_id;
                }
                error
            }
            (TxnRequest::InitProducerId, TxnMessage::InitProducerIdResponse { error, producer_id, producer_epoch }) => {
                if error == ErrorCode::None {
                    txn.state = match txn.state {
                        TxnClientState::Initializing => TxnClientState::Ready,
                        state => state,
                    };
                    self.producer_id = producer_id;
                    self.producer_epoch = producer_epoch;
                    self.pid_state = ProducerIdState::Ready;
                    self.sequences.clear();
                    for batch in self.accumulator.batches_mut() {
                        batch.base_sequence = None;
                        batch.producer_epoch = producer_epoch;
                    }
                    out.fact(Fact::ProducerIdAssigned { producer: self.id, producer_id, producer_epoch });
                } else {
                    self.pid_state = ProducerIdState::Missing;
                }
                error
            }
            (TxnRequest::EndTxn { committed }, TxnMessage::EndTxnResponse { error, producer_epoch, .. }) => {
                if error == ErrorCode::None {
                    self.transaction_ended(committed, producer_epoch, out);
                }
                error
            }
            (TxnRequest::AddOffsets, TxnMessage::AddOffsetsToTxnResponse { error }) => {
                if let (ErrorCode::None, Some(pending)) = (error, txn.pending_offsets.as_mut()) {
                    pending.added = true;
                }
                error
            }
            // A late answer to an earlier request on this connection (abandoned after its
            // timeout) is dropped, as Kafka drops answers it no longer waits for.
            (_, _) => {
                txn.in_flight = Some((token, broker, request));
                return;
            }
        };
        match error {
            ErrorCode::None => {}
            ErrorCode::ProducerFenced | ErrorCode::InvalidProducerEpoch | ErrorCode::InvalidProducerIdMapping => {
                self.fence(error, out)
            }
            ErrorCode::NotCoordinator | ErrorCode::CoordinatorNotAvailable => {
                if let Some(txn) = self.txn.as_mut() {
                    txn.coordinator = -1;
                    txn.retry_at = now + backoff;
                }
            }
            ErrorCode::InvalidTxnState => self.transactional_send_failed(error, out),
            // CONCURRENT_TRANSACTIONS and other retriable answers: the same request again later.
            _ => {
                if let Some(txn) = self.txn.as_mut() {
                    txn.retry_at = now + backoff;
                }
            }
        }
    }

    /// The transaction ended: the epoch the coordinator bumped it to, and fresh sequences.
    fn transaction_ended(&mut self, committed: bool, producer_epoch: i16, out: &mut Outbox<Timer>) {
        let Some(txn) = self.txn.as_mut() else { return };
        txn.state = TxnClientState::Ready;
        txn.transaction_started = false;
        if committed {
            txn.committed += 1;
        } else {
            txn.aborted += 1;
        }
        let transactional_id = txn.transactional_id.clone();
        self.producer_epoch = producer_epoch;
        self.sequences.clear();
        out.fact(Fact::TransactionEnded { producer: self.id, transactional_id, committed, producer_epoch });
    }

    /// A send in the transaction failed for good: the transaction can only be aborted, or, if
    /// the producer was fenced, nothing more can be done.
    pub(super) fn transactional_send_failed(&mut self, error: ErrorCode, out: &mut Outbox<Timer>) {
        let Some(txn) = self.txn.as_mut() else { return };
        match error {
            ErrorCode::InvalidProducerEpoch | ErrorCode::ProducerFenced => self.fence(error, out),
            _ => {
                if matches!(txn.state, TxnClientState::InTransaction | TxnClientState::CommittingTransaction) {
                    txn.state = TxnClientState::AbortableError;
                }
            }
        }
    }

    fn fence(&mut self, error: ErrorCode, out: &mut Outbox<Timer>) {
        let Some(txn) = self.txn.as_mut() else { return };
        if txn.state == TxnClientState::FatalError {
            return;
        }
        txn.state = TxnClientState::FatalError;
        txn.in_flight = None;
        let transactional_id = txn.transactional_id.clone();
        out.fact(Fact::ProducerFenced {
            producer: self.id,
            transactional_id,
            producer_epoch: self.producer_epoch,
            error,
        });
        // Everything still waiting fails: a fenced producer can only be closed.
        let unsent = std::mem::take(&mut self.accumulator);
        for batch in unsent.batches().cloned().collect::<Vec<_>>() {
            self.fail_batch(batch, error);
        }
        self.stream = None;
    }
}
