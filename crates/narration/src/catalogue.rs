//! The narration's catalogue: every phrase of a fact's sentence, in Korean and English, and the
//! two ways text is filled in ([`fill`], [`count`]) that the app's UI catalogue shares.

use crate::Lang;

/// Defines [`Phrase`], `Phrase::ALL` and [`phrase`]. One line per phrase holding both languages:
/// a phrase without a translation does not compile.
macro_rules! catalogue {
    ($($key:ident => ($ko:expr, $en:expr $(,)?)),* $(,)?) => {
        /// Every phrase of the narration. Placeholders `{0}`, `{1}`... are filled with [`fill`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Phrase { $($key),* }

        impl Phrase {
            /// Every phrase, for tests that check the catalogue (and the glossary's terms).
            pub const ALL: &'static [Phrase] = &[$(Phrase::$key),*];
        }

        /// The text of `phrase` in `lang`.
        pub fn phrase(lang: Lang, phrase: Phrase) -> &'static str {
            let (ko, en) = match phrase { $(Phrase::$key => ($ko, $en)),* };
            match lang {
                Lang::Ko => ko,
                Lang::En => en,
            }
        }
    };
}

catalogue! {
        Broker => ("브로커 {0}", "Broker {0}"),
        ClientName => ("클라이언트 {0}", "client {0}"),
        ConsumerName => ("컨슈머 {0}", "consumer {0}"),
        ProducerName => ("프로듀서 {0}", "producer {0}"),
        Yes => ("예", "yes"),
        RetryPlanned => ("재시도 예정", "will retry"),
        RetryAbandoned => ("재시도 안 함", "giving up"),
        NoPartitions => ("없음", "none"),
        NoPartitionsIdle => ("없음(유휴)", "none (idle)"),
        CountRecords => ("레코드 {0}개", "{0} record|{0} records"),
        CountGroups => ("그룹 {0}개", "{0} group|{0} groups"),
        CountOffsets => ("오프셋 {0}개", "{0} offset|{0} offsets"),
        CountPartitions => ("파티션 {0}개", "{0} partition|{0} partitions"),
        CountSegments => ("세그먼트 {0}개", "{0} segment|{0} segments"),
        CountMembers => ("멤버 {0}명", "{0} member|{0} members"),
        No => ("아니요", "no"),
        RrMemberJoined => ("새 멤버 참여", "a new member joined"),
        RrMemberLeft => ("멤버 탈퇴", "a member left"),
        RrSessionTimeout => ("세션 타임아웃(하트비트 끊김)", "session timeout (no heartbeats)"),
        RrMemberRejoined => ("멤버 재참여", "a member rejoined"),
        RrSyncTimeout => ("SyncGroup 타임아웃", "SyncGroup timed out"),
        RrPersistFailed => ("할당 저장 실패", "the assignment could not be stored"),
        RmLeaveGroup => ("LeaveGroup 요청", "LeaveGroup request"),
        RmNotRejoined => ("리밸런스 시간 안에 재참여하지 않음", "did not rejoin in time"),
        RrSubscriptionChanged => ("구독 또는 서버 assignor 변경", "a subscription or server-side assignor changed"),
        RrMetadataChanged => ("구독한 토픽의 파티션 수 변경", "a subscribed topic's partition count changed"),
        RrRebalanceTimeout => ("리밸런스 시간 안에 반납(revoke)하지 않음", "did not revoke within the rebalance timeout"),
        RmRevocationTimeout => ("리밸런스 시간 안에 반납(revoke)하지 않아 펜싱", "fenced: did not revoke within the rebalance timeout"),
        RmFenced => ("같은 group.instance.id의 새 멤버로 대체(펜싱)", "fenced by a new member with the same group.instance.id"),
        PsCommitted => ("커밋된 오프셋", "the committed offset"),
        PsEarliest => ("auto.offset.reset=earliest", "auto.offset.reset=earliest"),
        PsLatest => ("auto.offset.reset=latest", "auto.offset.reset=latest"),
        PsSeek => ("seek 호출", "a seek"),
        FBrokerStarted => ("브로커 {0} 프로세스가 시작되었습니다.", "Broker {0} started."),
        FBrokerStopped => ("브로커 {0}이(가) 멈췄습니다(프로세스 종료). 디스크의 로그는 남아 있습니다.", "Broker {0} stopped (its process died); its logs stay on disk."),
        FTopicCreated => ("토픽 {0}이(가) 만들어졌습니다: {1}, 복제 계수 {2}.", "Topic {0} was created: {1}, replication factor {2}."),
        FPartitionOffline => ("{0}의 리더가 없습니다(이전 리더 브로커 {1}). ISR에 살아 있는 레플리카가 없어 파티션이 오프라인입니다.", "{0} has no leader (previous leader broker {1}): no live replica in the ISR, so the partition is offline."),
        FLeaderElectedUnclean => ("언클린 리더 선출: ISR 밖의 브로커 {1}이(가) {0}의 리더가 되었습니다(에포크 {2}, ISR {3}). 확인(ack)된 레코드가 사라질 수 있습니다.", "Unclean election: broker {1}, outside the ISR, became leader of {0} (epoch {2}, ISR {3}); acknowledged records may be lost."),
        FLeaderElectedFirst => ("컨트롤러가 브로커 {1}을(를) {0}의 리더로 정했습니다(에포크 {2}, ISR {3}).", "The controller chose broker {1} as leader of {0} (epoch {2}, ISR {3})."),
        FLeaderElected => ("컨트롤러가 브로커 {1}을(를) {0}의 새 리더로 선출했습니다(에포크 {2}, ISR {3}, 이전 리더 브로커 {4}).", "The controller elected broker {1} as leader of {0} (epoch {2}, ISR {3}; previous leader broker {4})."),
        FIsrShrunk => ("{0}의 ISR이 줄었습니다: {1} 제외, 이제 ISR {2}.", "The ISR of {0} shrank: {1} removed, now {2}."),
        FIsrExpanded => ("{0}의 ISR이 늘었습니다: {1}이(가) 따라잡아 다시 합류, 이제 ISR {2}.", "The ISR of {0} grew: {1} caught up and rejoined, now {2}."),
        FControllerElected => ("브로커 {0}이(가) KRaft 투표로 액티브 컨트롤러가 되었습니다(에포크 {1}).", "Broker {0} won the KRaft vote and is the active controller (epoch {1})."),
        FControllerProspective => ("브로커 {0}이(가) 쿼럼 리더와 연락이 끊겨 예비 후보(prospective)가 되었습니다: 에포크 {1}을(를) 올리지 않고 사전 투표(pre-vote)를 요청합니다.", "Broker {0} lost touch with the quorum leader and became prospective: it asks for pre-votes without bumping epoch {1}."),
        FControllerLeaderFound => ("브로커 {0}이(가) 에포크 {2}의 리더인 브로커 {1}에게서 다시 응답을 받아 팔로워로 돌아갔습니다.", "Broker {0} hears again from broker {1}, the leader of epoch {2}, and follows it."),
        FControlledShutdownRequested => ("브로커 {0}이(가) 정상 종료를 시작합니다: 하트비트로 컨트롤러에 controlled shutdown을 요청해, 멈추기 전에 리더십을 다른 브로커로 옮기게 합니다.", "Broker {0} begins a graceful stop: its heartbeat asks the controller for a controlled shutdown, so leadership moves to other brokers before it stops."),
        FBrokerShutDown => ("브로커 {0}이(가) 리더십을 모두 넘긴 뒤 정상 종료했습니다. 디스크의 로그는 남아 있습니다.", "Broker {0} handed over its leaderships and stopped cleanly; its logs stay on disk."),
        FControllerResigned => ("브로커 {0}이(가) 컨트롤러 자리에서 물러났습니다(에포크 {1}).", "Broker {0} resigned as controller (epoch {1})."),
        FBrokerRegistered => ("브로커 {0}이(가) 컨트롤러에 등록했습니다(브로커 에포크 {1}).", "Broker {0} registered with the controller (broker epoch {1})."),
        FBrokerFenced => ("브로커 {0}의 하트비트가 끊겨 컨트롤러(브로커 {1})가 펜싱했습니다.", "Broker {0} stopped heartbeating; the controller (broker {1}) fenced it."),
        FBrokerUnfenced => ("컨트롤러(브로커 {1})가 브로커 {0}의 펜싱을 풀었습니다.", "The controller (broker {1}) unfenced broker {0}."),
        FAckedRecordsLost => ("{0}: {3} ms부터 확인(ack)된 {1}이(가) 리더에 없습니다(오프셋 {2}, 리더 에포크 {4}): 유실되었습니다.", "{0}: {1} acknowledged since {3} ms are not on the leader (offsets {2}, leader epoch {4}): lost."),
        FMessageMisrouted => ("{0} 메시지({1} → {2})가 그 메시지를 처리하지 않는 노드에 도착했습니다(시뮬레이터 버그).", "A {0} ({1} → {2}) reached a node that does not serve it (a simulator bug)."),
        FLogTruncated => ("브로커 {0}이(가) {1}의 로그를 오프셋 {2}에서 {3}(으)로 잘랐습니다: 리더 에포크 {4}의 리더와 맞추기 위해서입니다.", "Broker {0} truncated its log of {1} from offset {2} to {3}, to agree with the leader of epoch {4}."),
        FNodeIsolated => ("{0}이(가) 네트워크에서 고립되었습니다.", "{0} was isolated from the network."),
        FProducerStarted => ("{0}이(가) 시작되었습니다.", "{0} started."),
        FProducerIdAssigned => ("{0}이(가) 프로듀서 ID {1}, 에포크 {2}을(를) 받았습니다(멱등성).", "{0} got producer id {1}, epoch {2} (idempotence)."),
        FMetadataUpdated => ("{0}이(가) 메타데이터를 갱신했습니다({1}).", "{0} refreshed its metadata ({1})."),
        FBatchAppended => ("브로커 {0}(리더)이(가) {1}에 오프셋 {2}~{3}을(를) 추가했습니다(에포크 {4}).", "Broker {0} (leader) appended offsets {2}-{3} to {1} (epoch {4})."),
        FDuplicateBatch => ("브로커 {0}이(가) {1}의 중복 배치를 알아보고 다시 쓰지 않았습니다(프로듀서 ID {2}, 시퀀스 {3}, 오프셋 {4}).", "Broker {0} recognised a duplicate batch on {1} and did not write it again (producer id {2}, sequence {3}, offset {4})."),
        FProduceAcked => ("{0}: {1}이(가) {2}의 오프셋 {3}에 확인(ack)되었습니다.", "{0}: {1} acknowledged on {2} at offset {3}."),
        FProduceFailedAttempts => ("{0}: {1}(으)로 보내기 실패 {2} (시도 {3}–{4}, {5}).", "{0}: send to {1} failed with {2} (attempts {3}–{4}, {5})."),
        FProduceFailed => ("{0}: {1}(으)로 보내기 실패 {2} (시도 {3}, {4}).", "{0}: send to {1} failed with {2} (attempt {3}, {4})."),
        FHighWatermark => ("{0}의 하이 워터마크가 {1}(으)로 올랐습니다(리더 브로커 {2}): 여기까지 컨슈머가 읽을 수 있습니다.", "The high watermark of {0} rose to {1} (leader broker {2}): consumers can read up to here."),
        FSegmentRolled => ("브로커 {0}: {1}의 새 세그먼트가 오프셋 {2}에서 시작됩니다.", "Broker {0}: {1} rolled a new segment at offset {2}."),
        FSegmentsDeleted => ("브로커 {0}: {1}의 {2}이(가) 보존 기간으로 삭제되었습니다. 로그 시작 오프셋 {3}.", "Broker {0}: retention deleted {2} of {1}; log start offset {3}."),
        FLogCompacted => ("브로커 {0}: {1}을(를) 컴팩션해 {2}을(를) 지웠습니다.", "Broker {0}: compaction removed {2} from {1}."),
        FMessageDroppedCut => ("{0} 메시지({1} → {2})가 끊긴 링크에서 사라졌습니다.", "A {0} ({1} → {2}) was dropped on a cut link."),
        FMessageDroppedLost => ("{0} 메시지({1} → {2})가 네트워크에서 유실되었습니다.", "A {0} ({1} → {2}) was lost on the network."),
        FLinkCut => ("{0}와(과) {1} 사이의 링크가 끊겼습니다.", "The link between {0} and {1} was cut."),
        FLinkHealed => ("{0}와(과) {1} 사이의 링크가 복구되었습니다.", "The link between {0} and {1} was healed."),
        FNodeSlowed => ("{0}의 모든 메시지에 {1} ms 지연이 더해졌습니다.", "{0} now adds {1} ms to every message."),
        FCoordinatorLoaded => ("브로커 {0}이(가) __consumer_offsets-{1}의 리더가 되어(에포크 {2}) {3}, {4}을(를) 읽어 코디네이터가 되었습니다.", "Broker {0} leads __consumer_offsets-{1} (epoch {2}) and loaded {3} and {4} as their coordinator."),
        FCoordinatorUnloaded => ("브로커 {0}이(가) __consumer_offsets-{1}의 리더를 잃어 {2}의 코디네이터에서 내려왔습니다.", "Broker {0} no longer leads __consumer_offsets-{1} and dropped {2}."),
        FMemberJoined => ("멤버 {0}이(가) 그룹 {1}에 참여했습니다(코디네이터 브로커 {2}, group.instance.id {3}).", "Member {0} joined group {1} (coordinator broker {2}, group.instance.id {3})."),
        FStaticMemberReplaced => ("정적 멤버 {0}이(가) 그룹 {1}에 다시 왔습니다: 멤버 ID {2} → {3} (리밸런스: {4}).", "Static member {0} came back to group {1}: member id {2} → {3} (rebalance: {4})."),
        FMemberRemoved => ("멤버 {0}이(가) 그룹 {1}에서 빠졌습니다: {2}.", "Member {0} was removed from group {1}: {2}."),
        FRebalanceStarted => ("그룹 {0}이(가) 리밸런스를 시작했습니다(세대 {1}에서, 이유: {2}). 멤버들은 JoinGroup을 다시 보냅니다.", "Group {0} started a rebalance (from generation {1}; reason: {2}); members send JoinGroup again."),
        FJoinCompleted => ("그룹 {0}의 조인 단계 완료: 세대 {1}, {2}, 리더 {3}, 할당 전략 {4}.", "Group {0} finished joining: generation {1}, {2}, leader {3}, assignor {4}."),
        FGenerationStable => ("그룹 {0}이(가) 세대 {1}에서 안정(Stable) 상태입니다. 할당: {2}.", "Group {0} is Stable in generation {1}. Assignment: {2}."),
        FOffsetsCommitted => ("그룹 {0}의 오프셋 커밋이 복제되었습니다: {1} (멤버 {2}, 세대 {3}).", "Group {0} committed offsets {1} (member {2}, generation {3})."),
        FGroupRequestRejected => ("코디네이터가 {0} 요청을 거절했습니다(멤버 {1}, 그룹 {2}): {3}.", "The coordinator rejected {0} from member {1} of group {2}: {3}."),
        FConsumerStarted => ("{0}이(가) 그룹 {1}(으)로 시작했습니다(group.instance.id {2}).", "{0} started in group {1} (group.instance.id {2})."),
        FConsumerCrashed => ("{0}이(가) 죽었습니다: 커밋도 LeaveGroup도 없이. 처리 중이던 {1}, 그 전에 처리한 {2}.", "{0} crashed: no commit, no LeaveGroup; {1} in flight, {2} processed before."),
        FGroupEpochBumped => ("그룹 {0}의 그룹 에포크가 {1}(으)로 올랐습니다({2}). 새 목표 할당이 필요하지만 어느 멤버도 멈추지 않습니다.", "Group {0}'s group epoch rose to {1} ({2}): a new target assignment is due, and no member stops."),
        FTargetAssignmentComputed => ("코디네이터가 그룹 {0}의 목표 할당을 계산했습니다(에포크 {1}, 서버 assignor {2}): {3}.", "The coordinator computed group {0}'s target assignment (epoch {1}, server-side assignor {2}): {3}."),
        FMemberReconciledStable => ("멤버 {0}이(가) 그룹 {1}의 목표 할당에 도달했습니다: 멤버 에포크 {2}, 파티션 {3}.", "Member {0} reached its target in group {1}: member epoch {2}, partitions {3}."),
        FMemberReconciledUnrevoked => ("멤버 {0}은(는) 먼저 {3}을(를) 반납(revoke)해야 합니다(그룹 {1}). 멤버 에포크 {2}에 머물며 {4}은(는) 계속 소비합니다.", "Member {0} must first revoke {3} (group {1}); it stays at member epoch {2} and keeps consuming {4}."),
        FMemberReconciledUnreleased => ("멤버 {0}이(가) 멤버 에포크 {2}(으)로 올라갔지만, 다른 멤버가 아직 반납(revoke)하지 않은 파티션을 기다립니다(그룹 {1}, 지금 {3}).", "Member {0} moved to member epoch {2} in group {1} but waits for partitions another member has not revoked yet (now {3})."),
        FGroupConvertedToConsumer => ("클래식 그룹 {0}이(가) 컨슈머 프로토콜(KIP-848) 그룹으로 바뀌었습니다. 클래식 멤버가 있으면 할당을 그대로 가진 채 남습니다.", "The classic group {0} became a consumer-protocol (KIP-848) group; any classic members stay, keeping their partitions."),
        FGroupConvertedToClassic => ("컨슈머 프로토콜 그룹 {0}이(가) 클래식 그룹으로 바뀌었습니다. 남은 클래식 멤버가 있으면 다시 참여(rejoin)합니다.", "The consumer-protocol group {0} became a classic group; any remaining classic members rejoin."),
        FProducerCrashed => ("{0}이(가) 죽었습니다: 아직 완료되지 않은 {1}의 결과를 애플리케이션은 알 수 없습니다(일부는 로그에 있을 수 있습니다).", "{0} crashed: the application never learns what became of {1} not yet completed (some may be in the log)."),
        FElrChanged => ("{0}의 ISR이 min.insync.replicas보다 작아, 리더 자격이 남은 레플리카(ELR)는 이제 브로커 {1}입니다. 하이 워터마크가 멈춰 있었으므로 이 레플리카들은 확인(ack)된 레코드를 모두 가지고 있어, ISR이 비어도 깨끗하게 리더로 선출될 수 있습니다.", "The ISR of {0} is below min.insync.replicas, so brokers {1} stay eligible leader replicas (ELR): the high watermark stood still, so they hold every acknowledged record and may be elected cleanly even with an empty ISR."),
        FElrCleared => ("{0}의 ELR(리더 자격이 남은 레플리카)이 비었습니다.", "{0} has no eligible leader replicas left (ELR empty)."),
        FLastKnownLeader => ("{0}의 ISR도 ELR도 비었습니다. 컨트롤러는 마지막 리더 브로커 {1}을(를) 기억해 두었다가, 돌아오면 리더로 세웁니다(디스크에 쓰지 못한 레코드는 잃을 수 있습니다).", "{0} has neither ISR nor ELR left; the controller remembers broker {1}, its last known leader, and makes it leader again when it returns (records it had not flushed may be lost)."),
        FTxnCoordinatorLoaded => ("브로커 {0}이(가) __transaction_state-{1}의 리더가 되어 트랜잭션 로그를 다시 읽었습니다(코디네이터 에포크 {2}, transactional.id {3}개, 마무리할 준비된 트랜잭션 {4}개).", "Broker {0} became leader of __transaction_state-{1} and replayed the transaction log (coordinator epoch {2}, {3} transactional ids, {4} prepared transactions to finish)."),
        FTxnStateChanged => ("트랜잭션 코디네이터(브로커 {0}): {1}의 상태가 바뀌었습니다: {2} → {3} (producer id {4}, 에포크 {5}).", "Transaction coordinator (broker {0}): {1} went {2} → {3} (producer id {4}, epoch {5})."),
        FTransactionTimedOut => ("트랜잭션 코디네이터(브로커 {0}): {1}의 트랜잭션이 열린 지 {2} ms가 지나(transaction.timeout.ms) 중단(abort)하고, 에포크를 올려 프로듀서를 펜싱합니다(producer id {3}).", "Transaction coordinator (broker {0}): the transaction of {1} has been open for {2} ms (transaction.timeout.ms); it aborts it and bumps the epoch, fencing the producer (producer id {3})."),
        FTxnMarkerCommit => ("브로커 {0}이(가) {1}에 producer id {2}의 COMMIT 마커를 썼습니다(오프셋 {3}).", "Broker {0} wrote a COMMIT marker of producer id {2} on {1} (offset {3})."),
        FTxnMarkerAbort => ("브로커 {0}이(가) {1}에 producer id {2}의 ABORT 마커를 썼습니다(오프셋 {3}): read_committed 컨슈머는 이 트랜잭션의 레코드를 건너뜁니다.", "Broker {0} wrote an ABORT marker of producer id {2} on {1} (offset {3}): read_committed consumers skip this transaction's records."),
        FProducerFenced => ("{0}이(가) 펜싱되었습니다({1}, 에포크 {2}, {3}): 같은 transactional.id의 새 인스턴스나 트랜잭션 타임아웃이 에포크를 올렸습니다. 이 프로듀서는 더 쓸 수 없습니다.", "{0} is fenced ({1}, epoch {2}, {3}): a newer instance with the same transactional.id, or the transaction timeout, bumped the epoch. It can write no more."),
        FTransactionCommitted => ("{0}의 트랜잭션이 커밋되었습니다({1}, 다음 에포크 {2}).", "{0} committed its transaction ({1}; next epoch {2})."),
        FTransactionAborted => ("{0}의 트랜잭션이 중단(abort)되었습니다({1}, 다음 에포크 {2}).", "{0} aborted its transaction ({1}; next epoch {2})."),
        FShareMemberJoined => ("멤버 {1}이(가) 셰어 그룹 {0}에 들어왔습니다(그룹 에포크 {2}, 멤버 {3}명): simple 어사이너가 파티션을 다시 나눕니다.", "Member {1} joined share group {0} (group epoch {2}, {3} members): the simple assignor spreads the partitions again."),
        FShareMemberLeft => ("멤버 {1}이(가) 셰어 그룹 {0}을(를) 떠났습니다(그룹 에포크 {2}).", "Member {1} left share group {0} (group epoch {2})."),
        FShareMemberExpired => ("셰어 그룹 {0}: 멤버 {1}의 세션이 만료되어(group.share.session.timeout.ms) 제거되었습니다(그룹 에포크 {2}).", "Share group {0}: member {1} was removed, its session expired (group.share.session.timeout.ms; group epoch {2})."),
        FShareAssignmentReceived => ("{0}이(가) 셰어 그룹 {1}에서 파티션 {2}을(를) 받았습니다(다른 멤버와 함께 쓸 수 있습니다).", "{0} got {2} in share group {1} (possibly shared with other members)."),
        FShareRecordsAcquired => ("브로커 {0}: 셰어 그룹 {1}의 멤버 {2}이(가) {3}의 {4}을(를) 획득했습니다(잠금은 {5} ms까지, 전달 횟수 최대 {6}).", "Broker {0}: member {2} of share group {1} acquired {4} of {3} (locked until {5} ms, delivery count up to {6})."),
        FShareRecordsAccepted => ("셰어 그룹 {0}의 멤버 {1}이(가) {2}의 {3}을(를) 처리 완료(ACCEPT)했습니다.", "Member {1} of share group {0} accepted {3} of {2} (ACCEPT: done)."),
        FShareRecordsReleased => ("셰어 그룹 {0}의 멤버 {1}이(가) {2}의 {3}을(를) 처리하지 못해 돌려주었습니다(RELEASE): 다시 전달됩니다.", "Member {1} of share group {0} released {3} of {2} (RELEASE): they will be delivered again."),
        FShareRecordsRejected => ("셰어 그룹 {0}의 멤버 {1}이(가) {2}의 {3}을(를) 거부했습니다(REJECT): 보관(archived) 처리됩니다.", "Member {1} of share group {0} rejected {3} of {2} (REJECT): they are archived."),
        FShareLocksExpired => ("셰어 그룹 {0}: 멤버 {1}이(가) 잡고 있던 {2}의 {3}의 획득 잠금이 만료되었습니다(group.share.record.lock.duration.ms): 다른 멤버가 받을 수 있습니다.", "Share group {0}: the acquisition locks member {1} held on {3} of {2} expired (group.share.record.lock.duration.ms): another member can get them."),
        FShareLocksClosed => ("셰어 그룹 {0}: 멤버 {1}이(가) 세션을 닫아 {2}의 {3}을(를) 놓았습니다.", "Share group {0}: member {1} closed its session, releasing {3} of {2}."),
        FShareRecordArchived => ("셰어 그룹 {0}: {1}의 오프셋 {2} 레코드는 {3}번 전달된 끝에 보관(archived)되었습니다: 다시 전달되지 않습니다.", "Share group {0}: the record at offset {2} of {1} is archived after {3} deliveries: it will not be delivered again."),
        FSharePartitionLoaded => ("브로커 {0}: {2}을(를) 새로 이끌면서 셰어 그룹 {1}의 상태를 셰어 코디네이터에서 읽어 왔습니다(ReadShareGroupState, 리더 에포크 {3}): SPSO {4}부터, 상태가 기록된 레코드 {5}와 함께 이어 갑니다. 이미 처리된 레코드는 다시 전달되지 않습니다.", "Broker {0} now leads {2} and read share group {1}'s state from the share coordinator (ReadShareGroupState, leader epoch {3}): it continues from SPSO {4} with {5} in a persisted state. Records already acknowledged are not delivered again."),
        FSharePartitionStarted => ("브로커 {0}: 셰어 그룹 {1}의 {2} 상태가 __share_group_state에 없어 share.auto.offset.reset에 따라 오프셋 {4}부터 시작합니다(리더 에포크 {3}).", "Broker {0}: share group {1} has no state for {2} in __share_group_state yet, so it starts at offset {4} (share.auto.offset.reset; leader epoch {3})."),
        FReassignmentStarted => ("컨트롤러가 {0}의 레플리카를 {1}(으)로 옮기기 시작했습니다(KIP-455): 추가할 레플리카 {2}은(는) 팔로워로 따라잡아 ISR에 들어가야 하고, 그때까지 {3}은(는) 그대로 남습니다.", "The controller started moving {0} to replicas {1} (KIP-455): the adding replicas {2} must catch up as followers and join the ISR; until then {3} stay."),
        FReassignmentCompleted => ("{0}의 재할당이 끝났습니다: 새 레플리카가 모두 ISR에 들어와 레플리카는 이제 {1}이고, {2}은(는) 빠졌습니다.", "The reassignment of {0} is complete: every new replica joined the ISR, so the replicas are now {1} and {2} left."),
        FReassignmentCancelled => ("{0}의 재할당이 취소되었습니다: 레플리카는 원래대로 {1}입니다.", "The reassignment of {0} was cancelled: its replicas are back to {1}."),
        FReplicaDeleted => ("브로커 {0}은(는) 더 이상 {1}의 레플리카가 아니어서 가져오기를 멈추고 로그를 지웠습니다(로그 끝 오프셋 {2}).", "Broker {0} is no longer a replica of {1}: it stopped fetching it and deleted its log (log end offset {2})."),
        FLeaderElectionAnswered => ("컨트롤러가 리더 선출 요청({0})에 답했습니다: 새 리더 {1}, 필요 없음 {2}, 실패 {3}.", "The controller answered a leader election request ({0}): new leaders for {1}; not needed for {2}; failed for {3}."),
        FTopicDeleted => ("토픽 {0}이(가) 삭제되었습니다({1}): 컨트롤러가 RemoveTopicRecord를 메타데이터 로그에 썼습니다.", "Topic {0} was deleted ({1}): the controller wrote a RemoveTopicRecord to the metadata log."),
        FReplicasDeleted => ("브로커 {0}이(가) 삭제된 토픽 {1}의 레플리카를 멈추고 로그를 지웠습니다: 파티션 {2}.", "Broker {0} stopped its replicas of deleted topic {1} and deleted their logs: partitions {2}."),
        FOffsetsDeleted => ("브로커 {0}의 그룹 코디네이터가 그룹 {1}의 커밋된 오프셋을 지웠습니다({2}): __consumer_offsets에 툼스톤을 썼습니다.", "The group coordinator on broker {0} deleted group {1}'s committed offsets ({2}) and wrote tombstones to __consumer_offsets."),
        FGroupDeleted => ("브로커 {0}의 그룹 코디네이터가 빈 그룹 {1}을(를) 삭제했습니다: 그룹과 커밋된 오프셋에 툼스톤을 __consumer_offsets에 썼습니다.", "The group coordinator on broker {0} deleted empty group {1}: tombstones for the group and its committed offsets went to __consumer_offsets."),
        FDynamicConfigSet => ("컨트롤러(브로커 {0})가 {1}의 설정 {2}={3}을(를) 메타데이터 로그에 기록했습니다(ConfigRecord). 각 브로커는 이 레코드를 받은 뒤에 적용합니다.", "The controller (broker {0}) wrote {1}'s config {2}={3} to the metadata log (a ConfigRecord); each broker applies it once it has seen the record."),
        FDynamicConfigDeleted => ("컨트롤러(브로커 {0})가 {1}의 설정 {2}을(를) 지웠습니다(ConfigRecord). 이제 기본값을 따릅니다.", "The controller (broker {0}) deleted {1}'s config {2} (a ConfigRecord); the default applies again."),
        FDynamicConfigApplied => ("브로커 {0}이(가) 메타데이터 로그에서 {1}의 {2}={3}을(를) 받아 지금부터 적용합니다.", "Broker {0} saw {1}'s {2}={3} in the metadata log and applies it from now on."),
        FDynamicConfigDeleteApplied => ("브로커 {0}이(가) {1}의 {2} 설정이 지워진 것을 받아 기본값으로 돌아갔습니다.", "Broker {0} saw that {1}'s {2} was deleted and went back to the default."),
        FStreamsRestoreStarted => ("Streams 인스턴스 {0}이(가) 태스크 {1}을(를) 맡았습니다. 인메모리 스토어 {2}이(가) 비어 있어 StoreChangelogReader가 체인지로그 {3}의 오프셋 {4}부터 끝 오프셋 {5}까지 읽어 복원한 뒤에 처리합니다(RESTORING).", "Streams instance {0} took task {1}: its in-memory store {2} is empty, so the StoreChangelogReader restores it from changelog {3}, offset {4} up to end offset {5}, before the task processes anything (RESTORING)."),
        FStreamsRestoreProgressed => ("태스크 {0}: 복원 컨슈머가 {2}을(를) 읽어 {1}에 넣었습니다(오프셋 {3} / 끝 {4}).", "Task {0}: the restore consumer read {2} into {1} (offset {3} of end offset {4})."),
        FStreamsRestoreCompleted => ("{0}의 태스크 {1}이(가) {2} 복원을 마쳤습니다(onRestoreEnd): 체인지로그에서 {3}을(를) 다시 적용해 스토어에 {4}이(가) 있습니다. 태스크는 RUNNING이 되어 기다리던 레코드부터 처리합니다.", "Task {1} on {0} finished restoring {2} (onRestoreEnd): {3} replayed from the changelog, {4} in the store. The task is RUNNING and processes the records that waited."),
        FStreamsStoreUpdatedWindow => ("태스크 {0}이(가) 윈도우 스토어 {1}을(를) 갱신했습니다: 윈도우 {3}의 키 {2} 값은 이제 {4}입니다. 갱신은 체인지로그와 싱크 토픽으로 갑니다.", "Task {0} updated window store {1}: key {2} in window {3} is now {4}; the update goes to the changelog and the sink."),
        FStreamsStoreUpdatedKey => ("태스크 {0}이(가) 스토어 {1}을(를) 갱신했습니다: 키 {2} 값은 이제 {3}입니다. 갱신은 체인지로그와 싱크 토픽으로 갑니다.", "Task {0} updated store {1}: key {2} is now {3}; the update goes to the changelog and the sink."),
        FStreamsLateRecordDropped => ("태스크 {0}이(가) {1}의 레코드(타임스탬프 {2})를 버렸습니다: 스트림 시간 {4}에서 유예 시간 {5}ms를 뺀 시각이 윈도우 {3}의 끝을 지나 윈도우가 닫혔습니다(dropped-records, Skipping record for expired window).", "Task {0} dropped the record at {1} (timestamp {2}): stream time {4} minus the grace period of {5} ms is past the end of its window {3}, so the window is closed (dropped-records, Skipping record for expired window)."),
        FStreamsNullKeyDropped => ("태스크 {0}이(가) {1}의 레코드를 건너뛰었습니다: 키가 null이면 그룹으로 묶을 수 없습니다(dropped-records).", "Task {0} skipped the record at {1}: a null key cannot be grouped (dropped-records)."),
        FStreamsNotANumberDropped => ("태스크 {0}이(가) {1}의 레코드를 건너뛰었습니다: 값이 더할 수 있는 정수가 아닙니다(로그를 남기고 계속, dropped-records).", "Task {0} skipped the record at {1}: its value is not an integer to sum (logged and skipped, dropped-records)."),
        FStreamsInstanceCrashed => ("Streams 인스턴스 {0}이(가) 죽었습니다: 인메모리 스토어(태스크 {1}, {2})가 함께 사라졌습니다. 체인지로그에는 모든 갱신이 남아 있습니다.", "Streams instance {0} died: its in-memory stores (tasks {1}, {2}) died with it. The changelog still holds every update."),
        CountEntries => ("항목 {0}개", "{0} entry|{0} entries"),
        FBatchRecompressed => ("브로커 {0}이(가) {1}의 오프셋 {2} 배치를 프로듀서의 {3} 대신 토픽의 compression.type인 {4}(으)로 다시 압축해 저장했습니다({5}바이트). 브로커가 압축을 풀고 다시 압축하느라 CPU를 씁니다.", "Broker {0} stored {1}'s batch at offset {2} recompressed from the producer's {3} to the topic's compression.type {4} ({5} bytes): the broker spends CPU decompressing and compressing again."),
        FClientRestartedWithConfig => ("애플리케이션이 {0}을(를) {1}={2}(으)로 다시 시작했습니다. 프로듀서와 컨슈머는 설정을 만들 때 한 번만 읽기 때문입니다.", "The application restarted {0} with {1}={2}: a client reads its configs once, when it is created."),
        FListenerFailed => ("{0}의 리스너가 {1} 오프셋 {2}에서 {3}을(를) 던졌습니다({4}번째 전달). Spring은 이를 ListenerExecutionFailedException으로 감싸 컨테이너의 에러 핸들러에 넘깁니다.", "The listener of {0} threw {3} on {1} offset {2} (delivery {4}). Spring wraps it in a ListenerExecutionFailedException and hands it to the container's error handler."),
        FErrorHandlerBackOff => ("DefaultErrorHandler: {0}의 컨슈머 스레드가 {4} {3}ms를 기다린 뒤 {1}을(를) 오프셋 {2}(으)로 되감아(seek) 같은 레코드를 다시 전달합니다(재시도 {5}). 그동안 poll()이 없어 이 파티션은 멈추고 max.poll.interval.ms가 흐릅니다.", "DefaultErrorHandler: the consumer thread of {0} sleeps {3} ms ({4}), then seeks {1} back to offset {2} so the same record is delivered again (retry {5}). Meanwhile there is no poll(): the partition does not progress and max.poll.interval.ms keeps running."),
        FErrorHandlerBackOffForever => ("DefaultErrorHandler: {0}이(가) {3}ms 뒤 {1}을(를) 다시 오프셋 {2}(으)로 되감습니다({4}, 재시도 {5}). 재시도에 끝이 없고 복구기(DLT)도 없어, 이 독이 든 레코드(poison pill) 뒤의 레코드는 영영 처리되지 않습니다.", "DefaultErrorHandler: {0} seeks {1} back to offset {2} again after {3} ms ({4}, retry {5}). The retries never end and there is no recoverer (no DLT): the records behind this poison pill are never processed."),
        FRecordRecoveredDlt => ("{0}의 DefaultErrorHandler가 {3}번 시도 끝에 포기하고 DeadLetterPublishingRecoverer로 {1} 오프셋 {2}의 레코드를 {4}의 같은 파티션에 보냈습니다. kafka_dlt-exception-fqcn, kafka_dlt-exception-message, kafka_dlt-original-topic/-partition/-offset 헤더가 붙고, 파티션은 다음 레코드로 넘어갑니다.", "The DefaultErrorHandler of {0} gave up after {3} attempts: DeadLetterPublishingRecoverer published the record at {1} offset {2} to the same partition of {4}, with the kafka_dlt-exception-fqcn, kafka_dlt-exception-message and kafka_dlt-original-topic/-partition/-offset headers. The partition moves on to the next record."),
        FRecordRecoveredLog => ("{0}의 DefaultErrorHandler가 {3}번 시도 끝에 {1} 오프셋 {2}의 레코드를 ERROR 로그로만 남기고 건너뜁니다(Spring 기본 복구기). 이 레코드는 어디에도 남지 않습니다.", "The DefaultErrorHandler of {0} gave up on {1} offset {2} after {3} attempts: Spring's default recoverer only logs it at ERROR and skips it. The record is kept nowhere."),
        FRecordForwardedRetry => ("@RetryableTopic: {0}이(가) {1} 오프셋 {2}에서 실패한 레코드({3}번째 시도)를 바로 {4}에 보냈습니다. retry_topic-attempts와 retry_topic-backoff-timestamp(지금부터 {5}ms 뒤) 헤더가 붙습니다. 원래 파티션은 막히지 않고 다음 레코드로 넘어갑니다.", "@RetryableTopic: {0} published the record that failed at {1} offset {2} (attempt {3}) to {4} at once, with the retry_topic-attempts and retry_topic-backoff-timestamp (now + {5} ms) headers. The original partition is not blocked: it moves on to the next record."),
        FRecordForwardedDlt => ("@RetryableTopic: {1} 오프셋 {2}의 레코드가 {3}번째 시도에서도 실패해 {0}이(가) DLT {4}에 보냈습니다(kafka_exception-fqcn, kafka_original-topic 등의 헤더). 더는 재시도하지 않습니다.", "@RetryableTopic: the record at {1} offset {2} failed again on attempt {3}; {0} published it to the DLT {4} (with kafka_exception-fqcn, kafka_original-topic and the other headers). No more retries."),
        FRetryTopicPaused => ("{0}: {1} 오프셋 {2}의 레코드는 아직 재시도할 때가 아닙니다(KafkaBackoffException). 리스너 컨테이너가 이 파티션을 {3}ms까지 멈추고(pause) 그 레코드로 되감습니다. 다른 파티션은 계속 흐릅니다.", "{0}: the record at {1} offset {2} is not due for its retry yet (KafkaBackoffException). The listener container pauses this partition until {3} ms and seeks back to the record; the other partitions keep flowing."),
        BackOffFixed => ("고정 간격 FixedBackOff", "FixedBackOff, a fixed interval"),
        BackOffExponential => ("간격이 늘어나는 ExponentialBackOff", "ExponentialBackOff, a growing interval"),
        ConfigOfTopic => ("토픽 {0}", "topic {0}"),
        ConfigOfBroker => ("브로커 {0}", "broker {0}"),
        ConfigOfBrokerDefault => ("클러스터 전체 브로커 기본값", "the cluster-wide broker default"),
        FReadReplicaChosen => ("리더 브로커 {3}이(가) {0}에게 같은 rack {2}의 팔로워 브로커 {4}을(를) 선호 읽기 레플리카로 알려 주었습니다(KIP-392): {0}은(는) 이제 {1}을(를) 그 팔로워에서 읽고, 팔로워의 하이 워터마크까지만 봅니다.", "Leader broker {3} named broker {4}, a follower in rack {2}, the preferred read replica of {0} (KIP-392): {0} now reads {1} from that follower, up to the follower's high watermark."),
        FReadReplicaFailed => ("{0}이(가) 선호 읽기 레플리카 브로커 {2}에서 {1}을(를) 읽지 못해(연결 끊김) 리더에게서 다시 읽습니다.", "{0} could not fetch {1} from broker {2}, its preferred read replica (connection lost); it reads from the leader again."),
        FReadReplicaError => ("선호 읽기 레플리카 브로커 {2}이(가) {0}의 {1} 읽기에 {3}(으)로 답해, {0}은(는) 리더에게서 다시 읽습니다.", "Broker {2}, the preferred read replica of {0} for {1}, answered {3}; {0} reads from the leader again."),
        FReadReplicaExpired => ("{0}: metadata.max.age.ms가 지나 {1}의 선호 읽기 레플리카 브로커 {2}을(를) 내려놓고 리더에게 다시 묻습니다.", "{0}: metadata.max.age.ms passed since broker {2} became the preferred read replica of {1}; it asks the leader again."),
        FProducerEpochBumped => ("{0}이(가) 시퀀스 공백 뒤에 에포크를 스스로 {2}(으)로 올렸습니다(프로듀서 ID {1}, KIP-360): {3}의 배치는 시퀀스 0부터 다시 번호를 받아 재시도하고, 실패시키지 않습니다.", "{0} bumped its epoch to {2} itself after a sequence gap (producer id {1}, KIP-360): the batches of {3} are renumbered from sequence 0 and retried, not failed."),
        FPositionValidated => ("{0}이(가) {1}의 위치 {2}을(를) 리더에게 확인했습니다(리더 변경 뒤 또는 커밋된 오프셋에서 시작할 때; OffsetsForLeaderEpoch, 리더 에포크 {3}, KIP-320): 잘린 레코드가 없어 그대로 읽어 갑니다.", "{0} validated its position {2} on {1} with the leader (after a leader change or when starting from a committed offset; OffsetsForLeaderEpoch, leader epoch {3}, KIP-320): nothing was truncated, it reads on."),
        FLogTruncationReset => ("{0}이(가) {1}의 로그 잘림을 알아챘습니다(KIP-320): 새 리더의 에포크 {3}은(는) 오프셋 {4}에서 끝나는데 위치는 {2}였습니다. 처음 갈라진 오프셋 {4}(으)로 되돌아가 새 리더의 레코드를 읽습니다.", "{0} detected a log truncation on {1} (KIP-320): the new leader ends epoch {3} at offset {4}, below its position {2}. It moves back to {4}, the first offset known to diverge, and reads the new leader's records."),
        FLogTruncationNoReset => ("{0}이(가) {1}의 로그 잘림을 알아챘습니다(KIP-320): 위치 {2}(에포크 {3})의 레코드가 새 리더에 없습니다(끝 오프셋 {4}). auto.offset.reset 정책으로 위치를 다시 정하거나, 정책이 none이면 애플리케이션이 LogTruncationException을 받습니다.", "{0} detected a log truncation on {1} (KIP-320): the records at its position {2} (epoch {3}) are not on the new leader (end offset {4}). auto.offset.reset decides the new position, or with none the application gets a LogTruncationException."),
        FConsumerClosed => ("{0}이(가) 정상 종료했습니다(close).", "{0} closed cleanly."),
        FCoordinatorFound => ("{0}이(가) 그룹 {1}의 코디네이터로 브로커 {2}을(를) 찾았습니다.", "{0} found broker {2} as the coordinator of group {1}."),
        FPartitionsRevoked => ("{0}이(가) 파티션 {1}을(를) 반납(revoke)했습니다(그룹 {2}).", "{0} revoked partitions {1} (group {2})."),
        FPartitionsAssigned => ("{0}이(가) 파티션 {1}을(를) 할당받았습니다(그룹 {2}, 세대 {3}).", "{0} was assigned {1} (group {2}, generation {3})."),
        FPartitionsAssignedNone => ("{0}이(가) 세대 {2}에서 새로 할당받은 파티션이 없습니다(그룹 {1}): {3}은(는) 그대로 가집니다.", "{0} got no new partitions in generation {2} (group {1}): it keeps {3}."),
        FPartitionsAssignedIdle => ("{0}: 할당받은 파티션이 없습니다 (유휴, 그룹 {1}, 세대 {2}).", "{0} was assigned no partitions: idle (group {1}, generation {2})."),
        FPartitionsLost => ("{0}이(가) 커밋할 기회 없이 파티션 {1}을(를) 잃었습니다(그룹 {2}, {3}).", "{0} lost {1} without a chance to commit (group {2}, {3})."),
        FPositionSet => ("{0}: {1}의 다음 읽을 오프셋(position)을 {2}(으)로 정했습니다({3}).", "{0}: position on {1} set to {2} (from {3})."),
        FNoOffset => ("{0}: {1}에 커밋된 오프셋이 없고 auto.offset.reset=none 입니다.", "{0}: no committed offset for {1} and auto.offset.reset=none."),
        FConsumerPolled => ("{0}이(가) poll로 {1}을(를) 받았습니다({2}).", "{0} polled {1} ({2})."),
        FRecordsProcessed => ("{0}이(가) {1}을(를) 처리했습니다({2}, 오프셋 {3}~{4}).", "{0} processed {1} ({2}, offsets {3}-{4})."),
        FDuplicatesProcessed => ("{0}이(가) 이미 처리한 {1}을(를) 다시 처리했습니다({2}, 오프셋 {3}~{4}, 그룹 {5}): 최소 한 번(at-least-once).", "{0} processed {1} again ({2}, offsets {3}-{4}, group {5}): at-least-once."),
        FRecordsSkipped => ("그룹 {0}이(가) {1}의 오프셋 {2}~{3}을(를) 아무도 처리하지 않고 건너뛰었습니다({4}): 최대 한 번(at-most-once).", "Group {0} skipped offsets {2}-{3} of {1} that nobody processed ({4}): at-most-once."),
        FCommitSent => ("{0}이(가) {1}(으)로 {2}을(를) 커밋 요청했습니다(그룹 {3}).", "{0} sent {1} for {2} (group {3})."),
        FCommitFailed => ("{0}의 커밋이 실패했습니다(그룹 {1}): {2}.", "{0}'s commit failed (group {1}): {2}."),
        FPollIntervalExceeded => ("{0}이(가) max.poll.interval.ms({1} ms) 안에 poll하지 않아 그룹 {2}을(를) 떠납니다.", "{0} did not poll within max.poll.interval.ms ({1} ms) and leaves group {2}."),
        FRejoinRequested => ("{0}이(가) 그룹 {1}에 다시 참여해야 합니다({2}).", "{0} must rejoin group {1} ({2})."),
        FRejoinMetadataChanged => ("{0}은(는) 그룹 {1}의 파티션을 배정한 뒤 토픽의 파티션이 바뀐 것을 메타데이터에서 보고, 다시 참여해 리밸런스를 일으킵니다.", "{0} assigned group {1}'s partitions, and its metadata now shows its topics' partitions changed: it rejoins to rebalance."),
        FRequestTimedOut => ("{0}의 {1}이(가) {2} ms 안에 브로커 {3}의 응답을 받지 못해, 그 연결을 끊고 진행 중인 요청을 모두 실패 처리합니다.", "{0}'s {1} got no answer from broker {3} within {2} ms; it drops that connection and fails every request in flight on it."),
}

/// Replaces `{0}`, `{1}`, ... in `template` with `args`. Arguments are inserted as text; then
/// each Korean particle marker (`이(가)`, `을(를)`, `(으)로`...) takes the form the word before it
/// needs, which only the filled-in value decides (English text has no markers).
pub fn fill(template: &str, args: &[&str]) -> String {
    let mut out = template.to_string();
    for (i, arg) in args.iter().enumerate() {
        out = out.replace(&format!("{{{i}}}"), arg);
    }
    kafkalab_narration_ko::resolve(&out)
}

/// A count template (`{0}` filled with `n`) whose English is written `singular|plural`: English
/// says "1 group" but "2 groups"; Korean counts the same either way.
pub fn count(template: &str, n: u64) -> String {
    let form = match template.split_once('|') {
        Some((one, _)) if n == 1 => one,
        Some((_, many)) => many,
        None => template,
    };
    fill(form, &[&n.to_string()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_phrase_has_text_in_every_language() {
        for &p in Phrase::ALL {
            for lang in Lang::ALL {
                assert!(!phrase(lang, p).trim().is_empty(), "{p:?} is empty in {lang}");
            }
        }
    }

    #[test]
    fn korean_and_english_differ() {
        // Kafka's own config names read the same in both languages.
        let same = [Phrase::PsEarliest, Phrase::PsLatest];
        for &p in Phrase::ALL.iter().filter(|p| !same.contains(p)) {
            assert_ne!(phrase(Lang::Ko, p), phrase(Lang::En, p), "{p:?} is not translated");
        }
    }

    #[test]
    fn placeholders_match_between_languages() {
        for &p in Phrase::ALL {
            for i in 0..6 {
                let ph = format!("{{{i}}}");
                assert_eq!(phrase(Lang::Ko, p).contains(&ph), phrase(Lang::En, p).contains(&ph), "{p:?} {ph}");
            }
        }
    }

    #[test]
    fn fill_chooses_the_particles_of_the_values() {
        assert_eq!(
            fill(phrase(Lang::Ko, Phrase::FBrokerStopped), &["2"]),
            "브로커 2가 멈췄습니다(프로세스 종료). 디스크의 로그는 남아 있습니다."
        );
    }

    #[test]
    fn counted_nouns_are_singular_for_one_in_english() {
        assert_eq!(count(phrase(Lang::En, Phrase::CountGroups), 1), "1 group");
        assert_eq!(count(phrase(Lang::En, Phrase::CountGroups), 0), "0 groups");
        assert_eq!(count(phrase(Lang::Ko, Phrase::CountGroups), 1), "그룹 1개");
    }
}
