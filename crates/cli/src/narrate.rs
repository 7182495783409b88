//! One sentence per fact worth telling, in Korean or English, for `kafkalab run`. The engine
//! holds no language text (docs/architecture.md); the web app has its own i18n.

use kafkalab_engine::narration::Fact;
use kafkalab_engine::protocol::TopicPartition;

fn tp(t: &TopicPartition) -> String {
    format!("{}-{}", t.topic, t.partition)
}

fn list(tps: &[TopicPartition]) -> String {
    tps.iter().map(tp).collect::<Vec<_>>().join(", ")
}

/// The sentence for `fact`, or None for the per-record traffic (appends, acks, polls, commits)
/// that would drown the story.
pub fn sentence(fact: &Fact, ko: bool) -> Option<String> {
    let s = |k: String, e: String| Some(if ko { k } else { e });
    match fact {
        Fact::BrokerStarted { broker } => s(format!("브로커 {broker} 시작"), format!("broker {broker} started")),
        Fact::BrokerStopped { broker } => s(format!("브로커 {broker} 중지(프로세스 종료)"), format!("broker {broker} stopped (process died)")),
        Fact::TopicCreated { topic, partitions, replication_factor } => s(
            format!("토픽 {topic} 생성: 파티션 {partitions}개, 복제 계수 {replication_factor}"),
            format!("topic {topic} created: {partitions} partitions, replication factor {replication_factor}"),
        ),
        Fact::LeaderElected { topic_partition, leader, isr, unclean, .. } => {
            let t = tp(topic_partition);
            if *leader < 0 {
                s(format!("{t}: 리더 없음(오프라인)"), format!("{t}: no leader (offline)"))
            } else if *unclean {
                s(
                    format!("{t}: ISR 밖의 브로커 {leader}가 리더로 선출됨(언클린) — 데이터 유실 가능"),
                    format!("{t}: broker {leader}, outside the ISR, elected leader (unclean) — data may be lost"),
                )
            } else {
                s(format!("{t}: 브로커 {leader}가 리더, ISR {isr:?}"), format!("{t}: broker {leader} is leader, ISR {isr:?}"))
            }
        }
        Fact::IsrChanged { topic_partition, isr, removed, added } => {
            let t = tp(topic_partition);
            if !removed.is_empty() {
                s(format!("{t}: {removed:?}가 ISR에서 빠짐 → ISR {isr:?}"), format!("{t}: {removed:?} left the ISR → ISR {isr:?}"))
            } else {
                s(format!("{t}: {added:?}가 ISR에 합류 → ISR {isr:?}"), format!("{t}: {added:?} joined the ISR → ISR {isr:?}"))
            }
        }
        Fact::ControllerElected { broker, epoch } => {
            s(format!("브로커 {broker}가 액티브 컨트롤러(에포크 {epoch})"), format!("broker {broker} is the active controller (epoch {epoch})"))
        }
        Fact::ControllerResigned { broker, epoch } => {
            s(format!("브로커 {broker}가 컨트롤러에서 물러남(에포크 {epoch})"), format!("broker {broker} resigned as controller (epoch {epoch})"))
        }
        Fact::BrokerRegistered { broker, .. } => s(format!("브로커 {broker} 등록"), format!("broker {broker} registered")),
        Fact::BrokerFenced { broker, controller } => s(
            format!("컨트롤러 {controller}가 하트비트 없는 브로커 {broker}를 펜싱"),
            format!("controller {controller} fenced broker {broker} (no heartbeats)"),
        ),
        Fact::BrokerUnfenced { broker, .. } => s(format!("브로커 {broker} 펜싱 해제"), format!("broker {broker} unfenced")),
        Fact::LogTruncated { topic_partition, broker, from_offset, to_offset, .. } => s(
            format!("{}: 브로커 {broker}가 로그를 {from_offset}에서 {to_offset}로 잘라냄", tp(topic_partition)),
            format!("{}: broker {broker} truncated its log from {from_offset} to {to_offset}", tp(topic_partition)),
        ),
        Fact::NodeIsolated { node } => s(format!("{node} 네트워크 고립"), format!("{node} isolated from the network")),
        Fact::ProducerStarted { name, .. } => s(format!("프로듀서 {name} 시작"), format!("producer {name} started")),
        Fact::DuplicateBatch { topic_partition, broker, producer_id, base_sequence, .. } => s(
            format!("{}: 브로커 {broker}가 중복 배치를 알아봄(PID {producer_id}, 시퀀스 {base_sequence}) — 다시 쓰지 않음", tp(topic_partition)),
            format!("{}: broker {broker} recognised a duplicate batch (PID {producer_id}, sequence {base_sequence}) — not written again", tp(topic_partition)),
        ),
        Fact::ProduceFailed { producer, topic_partition, error, attempt, will_retry } => {
            let (rk, re) = if *will_retry { ("재시도", "will retry") } else { ("포기", "giving up") };
            s(
                format!("프로듀서 {producer}: {} 쓰기 실패 {error} (시도 {attempt}, {rk})", tp(topic_partition)),
                format!("producer {producer}: write to {} failed with {error} (attempt {attempt}, {re})", tp(topic_partition)),
            )
        }
        Fact::SegmentRolled { topic_partition, broker, base_offset } => s(
            format!("{}: 브로커 {broker}에서 새 세그먼트(기준 오프셋 {base_offset})", tp(topic_partition)),
            format!("{}: broker {broker} rolled a new segment at offset {base_offset}", tp(topic_partition)),
        ),
        Fact::SegmentsDeleted { topic_partition, broker, segments, log_start_offset } => s(
            format!("{}: 브로커 {broker}가 오래된 세그먼트 {segments}개 삭제, 로그 시작 오프셋 {log_start_offset}", tp(topic_partition)),
            format!("{}: broker {broker} deleted {segments} old segment(s); log start offset {log_start_offset}", tp(topic_partition)),
        ),
        Fact::LogCompacted { topic_partition, broker, records_removed } => s(
            format!("{}: 브로커 {broker} 컴팩션, 레코드 {records_removed}개 제거", tp(topic_partition)),
            format!("{}: broker {broker} compacted the log, {records_removed} record(s) removed", tp(topic_partition)),
        ),
        Fact::LinkCut { from, to } => s(format!("링크 {from} → {to} 끊김"), format!("link {from} → {to} cut")),
        Fact::LinkHealed { from, to } => s(format!("링크 {from} → {to} 복구"), format!("link {from} → {to} healed")),
        Fact::NodeSlowed { node, extra_ms } => s(
            format!("{node}의 메시지마다 {extra_ms} ms 지연"),
            format!("{node}: every message delayed by {extra_ms} ms"),
        ),
        Fact::CoordinatorLoaded { broker, offsets_partition, groups, .. } => s(
            format!("브로커 {broker}가 __consumer_offsets-{offsets_partition}의 그룹 코디네이터가 됨(그룹 {groups}개)"),
            format!("broker {broker} became group coordinator for __consumer_offsets-{offsets_partition} ({groups} group(s))"),
        ),
        Fact::MemberJoined { group, member_id, .. } => s(format!("그룹 {group}: 멤버 {member_id} 합류"), format!("group {group}: member {member_id} joined")),
        Fact::StaticMemberReplaced { group, group_instance_id, .. } => s(
            format!("그룹 {group}: 정적 멤버 {group_instance_id}가 돌아옴"),
            format!("group {group}: static member {group_instance_id} came back"),
        ),
        Fact::MemberRemoved { group, member_id, reason } => {
            s(format!("그룹 {group}: 멤버 {member_id} 제거({reason:?})"), format!("group {group}: member {member_id} removed ({reason:?})"))
        }
        Fact::RebalanceStarted { group, reason, .. } => {
            s(format!("그룹 {group}: 리밸런스 시작({reason:?})"), format!("group {group}: rebalance started ({reason:?})"))
        }
        Fact::GenerationStable { group, generation_id, assignment } => {
            let parts: Vec<String> = assignment.iter().map(|(m, tps)| format!("{m}: [{}]", list(tps))).collect();
            s(
                format!("그룹 {group}: 세대 {generation_id} 안정, 할당 {}", parts.join("; ")),
                format!("group {group}: generation {generation_id} stable, assignment {}", parts.join("; ")),
            )
        }
        Fact::GroupRequestRejected { group, request, error, .. } => {
            s(format!("그룹 {group}: {request} 거절 {error}"), format!("group {group}: {request} rejected with {error}"))
        }
        Fact::ConsumerStarted { consumer, group, .. } => {
            s(format!("컨슈머 {consumer} 시작(그룹 {group})"), format!("consumer {consumer} started (group {group})"))
        }
        Fact::ConsumerCrashed { consumer, in_flight_records, .. } => s(
            format!("컨슈머 {consumer} 비정상 종료(처리 중이던 레코드 {in_flight_records}개)"),
            format!("consumer {consumer} crashed ({in_flight_records} record(s) in flight)"),
        ),
        Fact::ConsumerClosed { consumer } => s(format!("컨슈머 {consumer} 종료"), format!("consumer {consumer} closed")),
        Fact::PartitionsRevoked { consumer, partitions, .. } => {
            s(format!("컨슈머 {consumer}: 파티션 반납 [{}]", list(partitions)), format!("consumer {consumer}: revoked [{}]", list(partitions)))
        }
        Fact::PartitionsAssigned { consumer, partitions, .. } => s(
            format!("컨슈머 {consumer}: 파티션 할당 [{}]", list(partitions)),
            format!("consumer {consumer}: assigned [{}]", list(partitions)),
        ),
        Fact::PartitionsLost { consumer, partitions, error, .. } => s(
            format!("컨슈머 {consumer}: 파티션 잃음 [{}] ({error})", list(partitions)),
            format!("consumer {consumer}: lost [{}] ({error})", list(partitions)),
        ),
        Fact::NoOffsetForPartition { consumer, topic_partition } => s(
            format!("컨슈머 {consumer}: {}에 커밋된 오프셋 없음(auto.offset.reset=none)", tp(topic_partition)),
            format!("consumer {consumer}: no committed offset for {} (auto.offset.reset=none)", tp(topic_partition)),
        ),
        Fact::DuplicatesProcessed { consumer, topic_partition, first_offset, last_offset, count, .. } => s(
            format!("컨슈머 {consumer}: {} 오프셋 {first_offset}..{last_offset} 중복 처리({count}개)", tp(topic_partition)),
            format!("consumer {consumer}: processed {} offsets {first_offset}..{last_offset} again ({count} duplicates)", tp(topic_partition)),
        ),
        Fact::RecordsSkipped { consumer, topic_partition, from_offset, to_offset, .. } => s(
            format!("컨슈머 {consumer}: {} 오프셋 {from_offset}..{to_offset} 처리 없이 건너뜀", tp(topic_partition)),
            format!("consumer {consumer}: skipped {} offsets {from_offset}..{to_offset} unprocessed", tp(topic_partition)),
        ),
        Fact::CommitFailed { consumer, error, .. } => {
            s(format!("컨슈머 {consumer}: 커밋 실패 {error}"), format!("consumer {consumer}: commit failed with {error}"))
        }
        Fact::RequestTimedOut { consumer, broker, request, timeout_ms } => s(
            format!("컨슈머 {consumer}: {request}이(가) {timeout_ms} ms 안에 브로커 {broker}의 응답을 받지 못해 연결을 끊음"),
            format!("consumer {consumer}: {request} got no answer from broker {broker} within {timeout_ms} ms; connection dropped"),
        ),
        Fact::PollIntervalExceeded { consumer, max_poll_interval_ms, .. } => s(
            format!("컨슈머 {consumer}: max.poll.interval.ms({max_poll_interval_ms} ms) 초과로 그룹을 떠남"),
            format!("consumer {consumer}: max.poll.interval.ms ({max_poll_interval_ms} ms) exceeded, leaving the group"),
        ),
        _ => None,
    }
}
