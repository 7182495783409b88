//! Narration: typed facts the engine emits as things happen, and how much each matters
//! ([`Salience`]). The front ends turn each fact into a Korean or English sentence
//! (`kafkalab-narration`); the engine itself holds no language text.

use crate::log::CompressionType;
use crate::protocol::metadata::ConfigResource;
use crate::protocol::{AcknowledgeType, ElectionType, ErrorCode, TopicPartition, TxnState};
use crate::sim::network::DropReason;
use crate::sim::{Millis, NodeId};
use serde::Serialize;

/// One thing that happened, in Kafka's terms. The variant order is part of the trace hash (a fact
/// hashes its discriminant): add new facts at the end.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "fact", rename_all = "snake_case")]
pub enum Fact {
    BrokerStarted {
        broker: i32,
    },
    BrokerStopped {
        broker: i32,
    },
    TopicCreated {
        topic: String,
        partitions: i32,
        replication_factor: i32,
    },
    /// The controller chose a partition leader (`leader` -1: the partition is offline).
    LeaderElected {
        topic_partition: TopicPartition,
        leader: i32,
        previous_leader: i32,
        leader_epoch: i32,
        isr: Vec<i32>,
        /// An out-of-sync replica was chosen (`unclean.leader.election.enable`): data may be lost.
        unclean: bool,
    },
    IsrChanged {
        topic_partition: TopicPartition,
        isr: Vec<i32>,
        removed: Vec<i32>,
        added: Vec<i32>,
    },
    ControllerElected {
        broker: i32,
        epoch: i32,
    },
    ControllerResigned {
        broker: i32,
        epoch: i32,
    },
    BrokerRegistered {
        broker: i32,
        broker_epoch: i64,
    },
    BrokerFenced {
        broker: i32,
        controller: i32,
    },
    BrokerUnfenced {
        broker: i32,
        controller: i32,
    },
    /// A follower cut its log back to where it agrees with its leader.
    LogTruncated {
        topic_partition: TopicPartition,
        broker: i32,
        from_offset: i64,
        to_offset: i64,
        leader_epoch: i32,
    },
    NodeIsolated {
        node: NodeId,
    },
    ProducerStarted {
        producer: u32,
        name: String,
    },
    ProducerIdAssigned {
        producer: u32,
        producer_id: i64,
        producer_epoch: i16,
    },
    MetadataUpdated {
        client: u32,
        partitions: usize,
    },
    /// A leader appended a batch to its log.
    BatchAppended {
        topic_partition: TopicPartition,
        broker: i32,
        base_offset: i64,
        last_offset: i64,
        leader_epoch: i32,
    },
    /// The idempotent producer's retry was recognised by its sequence number and not written again.
    DuplicateBatch {
        topic_partition: TopicPartition,
        broker: i32,
        producer_id: i64,
        base_sequence: i32,
        base_offset: i64,
    },
    /// A batch was acknowledged to the producer (`base_offset` is -1 for acks=0).
    ProduceAcked {
        producer: u32,
        topic_partition: TopicPartition,
        base_offset: i64,
        records: usize,
    },
    /// A produce attempt failed; `will_retry` says whether the producer tries again.
    ProduceFailed {
        producer: u32,
        topic_partition: TopicPartition,
        error: ErrorCode,
        attempt: u32,
        will_retry: bool,
    },
    HighWatermarkAdvanced {
        topic_partition: TopicPartition,
        broker: i32,
        high_watermark: i64,
    },
    SegmentRolled {
        topic_partition: TopicPartition,
        broker: i32,
        base_offset: i64,
    },
    SegmentsDeleted {
        topic_partition: TopicPartition,
        broker: i32,
        segments: usize,
        log_start_offset: i64,
    },
    LogCompacted {
        topic_partition: TopicPartition,
        broker: i32,
        records_removed: u64,
    },
    MessageDropped {
        from: NodeId,
        to: NodeId,
        kind: &'static str,
        reason: DropReason,
    },
    LinkCut {
        from: NodeId,
        to: NodeId,
    },
    LinkHealed {
        from: NodeId,
        to: NodeId,
    },
    NodeSlowed {
        node: NodeId,
        extra_ms: Millis,
    },

    // ---- consumer groups: the coordinator's side ----
    /// A broker became leader of a `__consumer_offsets` partition and replayed its log.
    CoordinatorLoaded {
        broker: i32,
        offsets_partition: i32,
        leader_epoch: i32,
        groups: usize,
        offsets: usize,
    },
    /// A broker stopped leading a `__consumer_offsets` partition and dropped its groups.
    CoordinatorUnloaded {
        broker: i32,
        offsets_partition: i32,
        groups: usize,
    },
    MemberJoined {
        group: String,
        member_id: String,
        group_instance_id: Option<String>,
        coordinator: i32,
    },
    /// KIP-345: a known `group.instance.id` rejoined; the old member id is fenced.
    StaticMemberReplaced {
        group: String,
        group_instance_id: String,
        old_member_id: String,
        new_member_id: String,
        rebalance: bool,
    },
    MemberRemoved {
        group: String,
        member_id: String,
        reason: RemovalReason,
    },
    RebalanceStarted {
        group: String,
        generation_id: i32,
        reason: RebalanceReason,
    },
    /// The join phase ended: a new generation with its leader and chosen assignor.
    JoinCompleted {
        group: String,
        generation_id: i32,
        protocol_name: Option<String>,
        leader: String,
        members: Vec<String>,
    },
    /// The leader's assignment is persisted and sent: the group is Stable.
    GenerationStable {
        group: String,
        generation_id: i32,
        assignment: Vec<(String, Vec<TopicPartition>)>,
    },
    /// An offset commit is replicated to the ISR of its `__consumer_offsets` partition.
    OffsetsCommitted {
        group: String,
        member_id: String,
        generation_id: i32,
        offsets: Vec<(TopicPartition, i64)>,
    },
    /// The coordinator refused a request with one of Kafka's group error codes.
    GroupRequestRejected {
        group: String,
        member_id: String,
        request: &'static str,
        error: ErrorCode,
    },

    // ---- consumer groups: the consumer's side ----
    ConsumerStarted {
        consumer: u32,
        client: NodeId,
        group: String,
        group_instance_id: Option<String>,
    },
    /// The process died without LeaveGroup or commit.
    ConsumerCrashed {
        consumer: u32,
        in_flight_records: usize,
        processed_before_crash: usize,
    },
    ConsumerClosed {
        consumer: u32,
    },
    CoordinatorFound {
        consumer: u32,
        group: String,
        coordinator: i32,
    },
    PartitionsRevoked {
        consumer: u32,
        group: String,
        partitions: Vec<TopicPartition>,
    },
    /// `partitions` are the newly added ones (what `onPartitionsAssigned` gets); `assignment` is
    /// everything the member owns after it, so an empty `partitions` can say idle or "keeps …".
    PartitionsAssigned {
        consumer: u32,
        group: String,
        generation_id: i32,
        partitions: Vec<TopicPartition>,
        assignment: Vec<TopicPartition>,
    },
    /// The member lost its partitions without a chance to commit (fenced or expired).
    PartitionsLost {
        consumer: u32,
        group: String,
        partitions: Vec<TopicPartition>,
        error: ErrorCode,
    },
    /// A fetch position was set: from the committed offset, `auto.offset.reset`, or a seek.
    PositionSet {
        consumer: u32,
        topic_partition: TopicPartition,
        offset: i64,
        source: PositionSource,
    },
    /// `auto.offset.reset=none` and nothing committed: Kafka's NoOffsetForPartitionException.
    NoOffsetForPartition {
        consumer: u32,
        topic_partition: TopicPartition,
    },
    ConsumerPolled {
        consumer: u32,
        records: usize,
        partitions: Vec<TopicPartition>,
    },
    RecordsProcessed {
        consumer: u32,
        group: String,
        topic_partition: TopicPartition,
        first_offset: i64,
        last_offset: i64,
        count: usize,
    },
    /// At-least-once: records this group had already processed were processed again.
    DuplicatesProcessed {
        consumer: u32,
        group: String,
        topic_partition: TopicPartition,
        first_offset: i64,
        last_offset: i64,
        count: usize,
    },
    /// At-most-once: the group's position moved past records nobody processed.
    RecordsSkipped {
        consumer: u32,
        group: String,
        topic_partition: TopicPartition,
        from_offset: i64,
        to_offset: i64,
    },
    CommitSent {
        consumer: u32,
        group: String,
        offsets: Vec<(TopicPartition, i64)>,
        sync: bool,
    },
    CommitFailed {
        consumer: u32,
        group: String,
        error: ErrorCode,
    },
    /// `max.poll.interval.ms` passed between two polls: the member leaves the group.
    PollIntervalExceeded {
        consumer: u32,
        group: String,
        max_poll_interval_ms: Millis,
    },
    /// A request got no answer within `request.timeout.ms` (a JoinGroup: the rebalance timeout
    /// plus 5 s); the client drops the connection and everything in flight on it.
    RequestTimedOut {
        consumer: u32,
        broker: i32,
        request: String,
        timeout_ms: Millis,
    },
    /// The consumer must rejoin (after REBALANCE_IN_PROGRESS, or to release revoked partitions).
    RejoinRequested {
        consumer: u32,
        group: String,
        error: ErrorCode,
    },

    // ---- observations (the delivery audit); new variants go last: the trace hashes the index ----
    /// Acknowledged records the partition's leader no longer holds (an unclean election, or a
    /// leader with `acks=1` records its successor never got): Kafka lost them.
    AckedRecordsLost {
        topic_partition: TopicPartition,
        first_offset: i64,
        last_offset: i64,
        /// The leader epoch they were written in.
        leader_epoch: i32,
        acked_at_ms: Millis,
    },
    /// A message reached a node that does not serve it (a broker got a response meant for a
    /// client, a client got a request). A simulator bug: the invariant checker reports it.
    MessageMisrouted {
        from: NodeId,
        to: NodeId,
        kind: &'static str,
    },

    // ---- facts added later; new variants go last: the trace hashes the index ----
    /// The producer process crashed: `lost_records` sends it had not completed never learn
    /// their outcome (some of them may be in the log).
    ProducerCrashed {
        producer: u32,
        lost_records: usize,
    },
    // ---- KRaft in Kafka 4.x (issue 15) ----
    /// KIP-996: a voter that lost its leader became prospective: it asks for pre-votes in
    /// `epoch` without bumping it. `leader` is the leader it followed (-1: none).
    ControllerProspective {
        broker: i32,
        epoch: i32,
        leader: i32,
    },
    /// A prospective heard from the leader of its epoch (a refused pre-vote or a fetch answer)
    /// and follows it again: the quorum kept its leader and epoch.
    ControllerLeaderFound {
        broker: i32,
        leader: i32,
        epoch: i32,
    },
    /// A graceful stop began: the broker asks the controller, in its heartbeat, to move its
    /// leaderships away first (KIP-841 `wantShutDown`).
    ControlledShutdownRequested {
        broker: i32,
    },
    /// The broker stopped cleanly after the controller granted its controlled shutdown.
    BrokerShutDown {
        broker: i32,
    },

    // ---- the consumer group protocol (KIP-848); new variants go last ----
    /// The group epoch moved: membership, a subscription or the subscribed topics changed, so a
    /// new target assignment is due. No member stops consuming for it.
    GroupEpochBumped {
        group: String,
        group_epoch: i32,
        reason: RebalanceReason,
    },
    /// The coordinator ran its server-side assignor for the group epoch.
    TargetAssignmentComputed {
        group: String,
        group_epoch: i32,
        assignor: &'static str,
        assignment: Vec<(String, Vec<TopicPartition>)>,
    },
    /// A member moved towards the target (`CurrentAssignmentBuilder`): it must revoke first
    /// (`UnrevokedPartitions`, its epoch unchanged), waits for partitions others still own
    /// (`UnreleasedPartitions`), or is `Stable` in the target epoch.
    MemberReconciled {
        group: String,
        member_id: String,
        member_epoch: i32,
        state: ReconcileState,
        assigned: Vec<TopicPartition>,
        pending_revocation: Vec<TopicPartition>,
    },
    /// A group changed protocol: an empty one when a member of the other kind joined; a live
    /// one online (`group.consumer.migration.policy`) when a consumer-protocol member joined a
    /// classic group, or the last one left a group of classic members.
    GroupConverted {
        group: String,
        to_consumer_protocol: bool,
    },

    // ---- replication (issue 15); new variants go last: the trace hashes the index ----
    /// The controller changed a partition's eligible leader replicas (KIP-966): replicas that
    /// left the ISR while it was below the min ISR, still safe to elect; and the last known
    /// leader, remembered once the ISR emptied.
    EligibleLeaderReplicasChanged {
        topic_partition: TopicPartition,
        elr: Vec<i32>,
        last_known_elr: Vec<i32>,
    },

    // ---- transactions (KIP-98, transactions version 2); new variants go last ----
    /// A broker became leader of a `__transaction_state` partition, replayed its log and
    /// resumed the markers of `completing` prepared transactions.
    TxnCoordinatorLoaded {
        broker: i32,
        txn_partition: i32,
        coordinator_epoch: i32,
        transactions: usize,
        completing: usize,
    },
    /// A transactional id's state changed at its coordinator (the record is committed, except
    /// for PrepareEpochFence, which lives in memory while the fencing abort is written).
    TxnStateChanged {
        broker: i32,
        transactional_id: String,
        producer_id: i64,
        producer_epoch: i16,
        from: TxnState,
        to: TxnState,
    },
    /// The coordinator aborts a transaction open longer than its `transaction.timeout.ms`.
    TransactionTimedOut {
        broker: i32,
        transactional_id: String,
        producer_id: i64,
        timeout_ms: Millis,
    },
    /// A partition leader appended a COMMIT or ABORT marker.
    TxnMarkerWritten {
        topic_partition: TopicPartition,
        broker: i32,
        producer_id: i64,
        committed: bool,
        offset: i64,
    },
    /// A transactional producer learned it is fenced: a newer instance (or the coordinator's
    /// timeout) bumped its epoch. It can do nothing more.
    ProducerFenced {
        producer: u32,
        transactional_id: String,
        producer_epoch: i16,
        error: ErrorCode,
    },
    /// A transactional producer's transaction ended: committed or aborted, from its side.
    TransactionEnded {
        producer: u32,
        transactional_id: String,
        committed: bool,
        producer_epoch: i16,
    },
    /// KIP-392: a partition leader told a consumer to fetch from `replica`, a follower in the
    /// consumer's `client.rack`; the consumer now reads there (up to that follower's HW).
    PreferredReadReplicaChosen {
        consumer: u32,
        topic_partition: TopicPartition,
        leader: i32,
        replica: i32,
        rack: String,
    },
    /// KIP-392: a consumer stopped reading from its preferred read replica and fetches from the
    /// leader again, which may name another one.
    PreferredReadReplicaCleared {
        consumer: u32,
        topic_partition: TopicPartition,
        replica: i32,
        reason: ReadReplicaFallback,
    },
    /// An idempotent producer without `transactional.id` bumped its epoch itself after a
    /// sequence gap (KIP-360, `TransactionManager.bumpIdempotentEpochAndResetIdIfNeeded`):
    /// `partitions` restart their sequences at 0, the others keep theirs until their batches finish.
    ProducerEpochBumped {
        producer: u32,
        producer_id: i64,
        producer_epoch: i16,
        partitions: Vec<TopicPartition>,
    },
    /// KIP-320: after a leader change, the new leader's end of the position's epoch is at or
    /// past the consumer's position, so it fetches on (`SubscriptionState.completeValidation`).
    PositionValidated {
        consumer: u32,
        topic_partition: TopicPartition,
        offset: i64,
        leader_epoch: i32,
    },
    /// KIP-320: the new leader's log ends the position's epoch (`offset_epoch`) at `end_offset`,
    /// below the consumer's position: the records it read there are gone (an unclean election).
    /// `reset_to`: the diverging offset the position moved back to (`auto.offset.reset` set),
    /// else None: the position is reset by the policy, or the application gets a
    /// `LogTruncationException` (`auto.offset.reset=none`).
    LogTruncationDetected {
        consumer: u32,
        topic_partition: TopicPartition,
        position: i64,
        offset_epoch: i32,
        end_offset: i64,
        reset_to: Option<i64>,
    },

    // ---- share groups (issue 14, KIP-932); new variants go last: the trace hashes the index ----
    /// A member joined a share group; the simple assignor spread the partitions again.
    ShareMemberJoined {
        group: String,
        member_id: String,
        group_epoch: i32,
        members: usize,
    },
    /// A member left a share group, or its `group.share.session.timeout.ms` passed.
    ShareMemberLeft {
        group: String,
        member_id: String,
        group_epoch: i32,
        expired: bool,
    },
    /// A share consumer got its partitions (shared with other members when there are more
    /// members than partitions).
    ShareAssignmentReceived {
        consumer: u32,
        group: String,
        partitions: Vec<TopicPartition>,
    },
    /// A partition leader handed records to a share group member under an acquisition lock:
    /// (offset, delivery count).
    ShareRecordsAcquired {
        broker: i32,
        group: String,
        member_id: String,
        topic_partition: TopicPartition,
        records: Vec<(i64, u32)>,
        lock_until: Millis,
    },
    /// A member acknowledged records it held: accepted (done), released (for another delivery)
    /// or rejected (archived).
    ShareRecordsAcknowledged {
        group: String,
        member_id: String,
        topic_partition: TopicPartition,
        kind: AcknowledgeType,
        offsets: Vec<i64>,
    },
    /// Acquisition locks ran out (`group.share.record.lock.duration.ms`) or the member closed
    /// its session: the records can go to another member.
    ShareLocksReleased {
        group: String,
        member_id: String,
        topic_partition: TopicPartition,
        offsets: Vec<i64>,
        expired: bool,
    },
    /// A record will not be delivered again: rejected, or released at
    /// `group.share.delivery.count.limit`.
    ShareRecordArchived {
        group: String,
        topic_partition: TopicPartition,
        offset: i64,
        delivery_count: u32,
    },
    /// A partition leader initialised its share partition for a group: from the state the
    /// share coordinator persisted in `__share_group_state` (`persisted`), or, when there was
    /// none, at `share.auto.offset.reset`.
    SharePartitionInitialized {
        broker: i32,
        group: String,
        topic_partition: TopicPartition,
        leader_epoch: i32,
        start_offset: i64,
        /// Records between the SPSO and the SPEO with a persisted state.
        in_flight: usize,
        persisted: bool,
    },

    // ---- partition reassignment and leader election (issue 16, KIP-455, KIP-460) ----
    /// The controller started moving a partition (AlterPartitionReassignments): its replicas are
    /// now the target plus the replicas being removed; the adding ones start as followers and
    /// must catch up into the ISR before anything is removed.
    PartitionReassignmentStarted {
        topic_partition: TopicPartition,
        target: Vec<i32>,
        adding: Vec<i32>,
        removing: Vec<i32>,
    },
    /// Every new replica joined the ISR: the assignment is the target, the removed replicas
    /// left the replicas and the ISR.
    PartitionReassignmentCompleted {
        topic_partition: TopicPartition,
        replicas: Vec<i32>,
        removed: Vec<i32>,
    },
    /// A reassignment was cancelled: back to the original replicas, the adding ones dropped.
    PartitionReassignmentCancelled {
        topic_partition: TopicPartition,
        replicas: Vec<i32>,
    },
    /// A broker no longer among a partition's replicas stopped fetching it and deleted its log.
    ReplicaDeleted {
        broker: i32,
        topic_partition: TopicPartition,
        log_end_offset: i64,
    },
    /// The controller answered an ElectLeaders request: the partitions that got a new leader,
    /// those that needed none, and those that failed with their error.
    LeaderElectionAnswered {
        election: ElectionType,
        elected: Vec<TopicPartition>,
        not_needed: Vec<TopicPartition>,
        failed: Vec<(TopicPartition, ErrorCode)>,
    },
    /// The active controller accepted DeleteTopics: the topic's `RemoveTopicRecord` is appended.
    TopicDeleted {
        topic: String,
        partitions: i32,
    },
    /// A broker applied a `RemoveTopicRecord`: it stopped its replicas of the topic and deleted
    /// their logs.
    ReplicasDeleted {
        broker: i32,
        topic: String,
        partitions: Vec<i32>,
    },
    /// A group coordinator deleted a group's committed offsets (of a deleted topic, or
    /// `kafka-consumer-groups --delete-offsets`) and wrote their tombstones.
    OffsetsDeleted {
        broker: i32,
        group: String,
        topic_partitions: Vec<TopicPartition>,
    },
    /// A group coordinator deleted an empty group (DeleteGroups, `kafka-consumer-groups
    /// --delete`): its records and committed offsets got tombstones.
    GroupDeleted {
        broker: i32,
        group: String,
    },
    /// The active controller wrote a dynamic config change (a `ConfigRecord`, from
    /// IncrementalAlterConfigs, `kafka-configs --alter`); `value` None deletes the config.
    DynamicConfigChanged {
        controller: i32,
        resource: ConfigResource,
        name: String,
        value: Option<String>,
    },
    /// A broker applied a dynamic config change from the metadata log: it acts on it from now on
    /// (each broker when it has seen the record).
    DynamicConfigApplied {
        broker: i32,
        resource: ConfigResource,
        name: String,
        value: Option<String>,
    },
    /// The application restarted a producer or consumer with one config changed: a Kafka client
    /// reads its configs once, when it is constructed.
    ClientRestartedWithConfig {
        client: u32,
        name: String,
        key: String,
        value: String,
    },

    // ---- Kafka Streams (issue 18) ----
    /// A Streams instance got an aggregating task whose in-memory store is empty: the
    /// `StoreChangelogReader` restores it from the changelog partition, from `start_offset` to
    /// `end_offset` (the changelog's end when restoration began), before the task processes.
    StreamsRestoreStarted {
        application_id: String,
        instance: String,
        task: String,
        store: String,
        changelog: TopicPartition,
        start_offset: i64,
        end_offset: i64,
    },
    /// One restore poll applied `records` changelog records to the store; it is at `position`.
    StreamsRestoreProgressed {
        application_id: String,
        task: String,
        store: String,
        records: usize,
        position: i64,
        end_offset: i64,
    },
    /// The store caught up with the changelog (`StateRestoreListener.onRestoreEnd`): the task is
    /// RUNNING and processes the records waiting for it.
    StreamsRestoreCompleted {
        application_id: String,
        instance: String,
        task: String,
        store: String,
        restored: u64,
        entries: usize,
    },
    /// A task updated its store: the entry's new value goes to the changelog and the sink.
    StreamsStoreUpdated {
        application_id: String,
        task: String,
        store: String,
        key: String,
        window: Option<(i64, i64)>,
        value: i64,
    },
    /// A task did not aggregate a record (`dropped-records`): for an expired window, its end is
    /// at or before stream time minus the grace period.
    StreamsRecordDropped {
        application_id: String,
        task: String,
        topic_partition: TopicPartition,
        offset: i64,
        timestamp: i64,
        reason: StreamsDropReason,
        window: Option<(i64, i64)>,
        stream_time: i64,
        grace_ms: i64,
    },
    /// A Streams instance's process died: its in-memory stores are gone with it.
    StreamsInstanceCrashed {
        application_id: String,
        instance: String,
        tasks: Vec<String>,
        entries_lost: usize,
    },
    /// A declared listener threw on a record's delivery `attempt` (Spring wraps the exception in
    /// `ListenerExecutionFailedException` and hands it to the container's error handler).
    ListenerFailed {
        consumer: u32,
        topic_partition: TopicPartition,
        offset: i64,
        attempt: u32,
        exception: String,
    },
    /// `DefaultErrorHandler`: the consumer thread sleeps `back_off_ms` (no `poll()` meanwhile),
    /// then seeks the partition back to `offset` so the record is delivered again (`retry`).
    ErrorHandlerBackOff {
        consumer: u32,
        topic_partition: TopicPartition,
        offset: i64,
        retry: u32,
        back_off_ms: Millis,
        exponential: bool,
        /// `FixedBackOff.UNLIMITED_ATTEMPTS`: the partition cannot get past this record.
        unlimited: bool,
    },
    /// `DefaultErrorHandler`'s back-off is exhausted: the recoverer ran
    /// (`DeadLetterPublishingRecoverer` to `dead_letter_topic`, or Spring's logging one) and the
    /// partition moves past the record.
    RecordRecovered {
        consumer: u32,
        topic_partition: TopicPartition,
        offset: i64,
        attempts: u32,
        dead_letter_topic: Option<String>,
    },
    /// `@RetryableTopic`: the failed record was published to its next retry topic (to be
    /// processed again after `delay_ms`) or to the DLT; the partition goes on meanwhile.
    RecordForwarded {
        consumer: u32,
        topic_partition: TopicPartition,
        offset: i64,
        attempt: u32,
        destination: String,
        delay_ms: Millis,
        dlt: bool,
    },
    /// A retry topic's record is not due yet (`KafkaBackoffException`): the listener container
    /// pauses that partition and seeks back to it until `until_ms`.
    RetryTopicPartitionPaused {
        consumer: u32,
        topic_partition: TopicPartition,
        offset: i64,
        until_ms: Millis,
    },
    /// The leader stored a produced batch in the topic's `compression.type`, not the producer's
    /// codec (`LogValidator` decompressed and recompressed it); `size_bytes` is the stored size.
    BatchRecompressed {
        topic_partition: TopicPartition,
        broker: i32,
        base_offset: i64,
        from: CompressionType,
        to: CompressionType,
        size_bytes: u64,
    },
}

/// Why a Streams task did not aggregate a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StreamsDropReason {
    /// Later than its window's end plus the grace period (`logSkippedRecordForExpiredWindow`).
    ExpiredWindow,
    /// A null key cannot be grouped (`Skipping record due to null key`).
    NullKey,
    /// A sum's value is not an integer (a deserialization error, handled by logging and
    /// continuing as `LogAndContinueExceptionHandler` does).
    NotANumber,
}

/// How much a fact matters to someone watching the cluster. Both front ends read it: routine
/// traffic is folded away unless asked for, and faults, elections and rebalances get a mark on
/// the app's timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Salience {
    /// Per-record traffic and the requests around it (appends, acks, polls, commits).
    Routine,
    /// Worth telling, but not one of the marked moments below.
    Notable,
    /// Something broke: a broker, a link, a node's speed, a consumer process.
    Fault,
    /// A partition leader or the active controller was chosen.
    Election,
    /// A consumer group started or finished a rebalance.
    Rebalance,
}

impl Salience {
    pub fn is_routine(self) -> bool {
        self == Salience::Routine
    }
}

impl Fact {
    /// How much this fact matters. No wildcard arm: a new fact kind must be classified.
    /// The group whose rebalance this fact is a step of: what the group panel lists under the
    /// group's rebalance steps (the app's and the live page's alike).
    pub fn rebalance_step_group(&self) -> Option<&str> {
        match self {
            Fact::RebalanceStarted { group, .. }
            | Fact::JoinCompleted { group, .. }
            | Fact::GenerationStable { group, .. }
            | Fact::MemberRemoved { group, .. }
            | Fact::MemberJoined { group, .. }
            | Fact::GroupEpochBumped { group, .. }
            | Fact::TargetAssignmentComputed { group, .. }
            | Fact::MemberReconciled { group, .. } => Some(group),
            _ => None,
        }
    }

    pub fn salience(&self) -> Salience {
        match self {
            Fact::BatchAppended { .. }
            | Fact::ProduceAcked { .. }
            | Fact::HighWatermarkAdvanced { .. }
            | Fact::ConsumerPolled { .. }
            | Fact::RecordsProcessed { .. }
            | Fact::CommitSent { .. }
            | Fact::OffsetsCommitted { .. }
            | Fact::MetadataUpdated { .. }
            | Fact::MessageDropped { .. }
            | Fact::CoordinatorFound { .. } => Salience::Routine,
            Fact::BrokerStopped { .. }
            | Fact::LinkCut { .. }
            | Fact::NodeIsolated { .. }
            | Fact::NodeSlowed { .. }
            | Fact::ConsumerCrashed { .. }
            | Fact::ProducerCrashed { .. }
            | Fact::BrokerFenced { .. }
            | Fact::AckedRecordsLost { .. }
            | Fact::MessageMisrouted { .. } => Salience::Fault,
            Fact::LeaderElected { .. } | Fact::ControllerElected { .. } => Salience::Election,
            Fact::RebalanceStarted { .. } | Fact::GenerationStable { .. } | Fact::GroupEpochBumped { .. } => {
                Salience::Rebalance
            }
            Fact::BrokerStarted { .. }
            | Fact::TopicCreated { .. }
            | Fact::IsrChanged { .. }
            | Fact::ControllerResigned { .. }
            | Fact::BrokerRegistered { .. }
            | Fact::BrokerUnfenced { .. }
            | Fact::LogTruncated { .. }
            | Fact::ProducerStarted { .. }
            | Fact::ProducerIdAssigned { .. }
            | Fact::ProducerEpochBumped { .. }
            | Fact::PositionValidated { .. }
            | Fact::LogTruncationDetected { .. }
            | Fact::DuplicateBatch { .. }
            | Fact::ProduceFailed { .. }
            | Fact::SegmentRolled { .. }
            | Fact::SegmentsDeleted { .. }
            | Fact::LogCompacted { .. }
            | Fact::LinkHealed { .. }
            | Fact::CoordinatorLoaded { .. }
            | Fact::CoordinatorUnloaded { .. }
            | Fact::MemberJoined { .. }
            | Fact::StaticMemberReplaced { .. }
            | Fact::MemberRemoved { .. }
            | Fact::JoinCompleted { .. }
            | Fact::GroupRequestRejected { .. }
            | Fact::ConsumerStarted { .. }
            | Fact::ConsumerClosed { .. }
            | Fact::PartitionsRevoked { .. }
            | Fact::PartitionsAssigned { .. }
            | Fact::PartitionsLost { .. }
            | Fact::PositionSet { .. }
            | Fact::NoOffsetForPartition { .. }
            | Fact::DuplicatesProcessed { .. }
            | Fact::RecordsSkipped { .. }
            | Fact::CommitFailed { .. }
            | Fact::PollIntervalExceeded { .. }
            | Fact::RequestTimedOut { .. }
            | Fact::RejoinRequested { .. }
            | Fact::ControllerProspective { .. }
            | Fact::ControllerLeaderFound { .. }
            | Fact::ControlledShutdownRequested { .. }
            | Fact::BrokerShutDown { .. }
            | Fact::TargetAssignmentComputed { .. }
            | Fact::MemberReconciled { .. }
            | Fact::GroupConverted { .. }
            | Fact::EligibleLeaderReplicasChanged { .. }
            | Fact::TxnCoordinatorLoaded { .. }
            | Fact::TxnStateChanged { .. }
            | Fact::TransactionTimedOut { .. }
            | Fact::TxnMarkerWritten { .. }
            | Fact::ProducerFenced { .. }
            | Fact::TransactionEnded { .. }
            | Fact::PreferredReadReplicaChosen { .. }
            | Fact::PreferredReadReplicaCleared { .. }
            | Fact::ShareAssignmentReceived { .. }
            | Fact::ShareLocksReleased { .. }
            | Fact::ShareRecordArchived { .. }
            | Fact::SharePartitionInitialized { .. }
            | Fact::PartitionReassignmentStarted { .. }
            | Fact::PartitionReassignmentCompleted { .. }
            | Fact::PartitionReassignmentCancelled { .. }
            | Fact::ReplicaDeleted { .. }
            | Fact::LeaderElectionAnswered { .. }
            | Fact::DynamicConfigChanged { .. }
            | Fact::DynamicConfigApplied { .. }
            | Fact::ClientRestartedWithConfig { .. }
            | Fact::BatchRecompressed { .. } => Salience::Notable,
            Fact::ShareMemberJoined { .. } | Fact::ShareMemberLeft { .. } => Salience::Rebalance,
            Fact::ShareRecordsAcquired { .. } | Fact::ShareRecordsAcknowledged { .. } => Salience::Routine,
            Fact::TopicDeleted { .. }
            | Fact::ReplicasDeleted { .. }
            | Fact::OffsetsDeleted { .. }
            | Fact::GroupDeleted { .. } => Salience::Notable,
            Fact::StreamsRestoreProgressed { .. } | Fact::StreamsStoreUpdated { .. } => Salience::Routine,
            Fact::StreamsRestoreStarted { .. }
            | Fact::StreamsRestoreCompleted { .. }
            | Fact::StreamsRecordDropped { .. } => Salience::Notable,
            Fact::StreamsInstanceCrashed { .. } => Salience::Fault,
            Fact::ListenerFailed { .. }
            | Fact::ErrorHandlerBackOff { .. }
            | Fact::RecordRecovered { .. }
            | Fact::RecordForwarded { .. }
            | Fact::RetryTopicPartitionPaused { .. } => Salience::Notable,
        }
    }
}

/// Why a coordinator started a rebalance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RebalanceReason {
    /// A new member joined (from Empty this waits `group.initial.rebalance.delay.ms`).
    MemberJoined,
    MemberLeft,
    SessionTimeout,
    /// The leader, or a member with a changed subscription, rejoined.
    MemberRejoined,
    /// A member did not send SyncGroup within the rebalance timeout.
    SyncTimeout,
    /// The assignment could not be persisted.
    PersistFailed,
    /// A consumer-protocol member changed its subscription or server-side assignor.
    SubscriptionChanged,
    /// A subscribed topic's partition count changed.
    MetadataChanged,
    /// A consumer-protocol member did not revoke within its rebalance timeout and was fenced.
    RebalanceTimeout,
}

/// A consumer-protocol member's reconciliation state on the coordinator (Kafka's `MemberState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReconcileState {
    Stable,
    UnrevokedPartitions,
    UnreleasedPartitions,
}

impl ReconcileState {
    /// Kafka's name, as `kafka-consumer-groups --describe --members --verbose` would show it.
    pub fn name(self) -> &'static str {
        match self {
            ReconcileState::Stable => "STABLE",
            ReconcileState::UnrevokedPartitions => "UNREVOKED_PARTITIONS",
            ReconcileState::UnreleasedPartitions => "UNRELEASED_PARTITIONS",
        }
    }
}

/// Why a coordinator removed a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RemovalReason {
    /// No heartbeat for `session.timeout.ms`.
    SessionTimeout,
    LeaveGroup,
    /// Did not rejoin within the rebalance timeout.
    NotRejoined,
    /// Did not send SyncGroup within the rebalance timeout.
    NotSynced,
    /// Its `group.instance.id` was taken over by a new member id.
    Fenced,
    /// A consumer-protocol member did not revoke within its rebalance timeout.
    RevocationTimeout,
}

/// Why a consumer left its preferred read replica (KIP-392, Kafka's `clearPreferredReadReplica`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReadReplicaFallback {
    /// The fetch from it failed: the connection broke or the request timed out
    /// (`AbstractFetch.handleFetchFailure`).
    FetchFailed,
    /// It answered with an error (`FetchCollector.handleInitializeErrors`), for example
    /// NOT_LEADER_OR_FOLLOWER or OFFSET_OUT_OF_RANGE.
    Error { error: ErrorCode },
    /// `metadata.max.age.ms` passed since the leader named it: the leader is asked again.
    Expired,
}

/// Where a consumer's fetch position came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PositionSource {
    Committed,
    ResetEarliest,
    ResetLatest,
    Seek,
    SeekTimestamp,
}
