//! One sentence per fact worth telling, in Korean or English, for `kafkalab run`. The engine
//! holds no language text (docs/architecture.md); the web app has its own i18n. Korean particles are
//! written as markers (`이(가)`, `을(를)`, `(으)로`) and chosen by kafkalab-narration-ko from the
//! word before them; clients are named as the scenario names them.

use kafkalab_engine::cluster::World;
use kafkalab_engine::narration::Fact;
use kafkalab_engine::protocol::TopicPartition;
use kafkalab_engine::sim::NodeId;
use kafkalab_narration_ko::resolve;

fn tp(t: &TopicPartition) -> String {
    format!("{}-{}", t.topic, t.partition)
}

fn list(tps: &[TopicPartition]) -> String {
    tps.iter().map(tp).collect::<Vec<_>>().join(", ")
}

/// `n noun` in English, with the plural only when `n` is not 1.
fn count(n: impl Into<u64>, noun: &str) -> String {
    match n.into() {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}

/// Clients by the names the scenario gives them (`billing-1`, not `consumer 2`), read from the
/// world as the fact is told; the engine's number only for a client the world no longer has.
struct Names<'a>(&'a World);

impl Names<'_> {
    fn consumer(&self, id: u32) -> String {
        self.0.consumer(id).map_or_else(|| id.to_string(), |c| c.name.clone())
    }

    fn producer(&self, id: u32) -> String {
        self.0.producer(id).map_or_else(|| id.to_string(), |p| p.name.clone())
    }

    fn node(&self, node: NodeId, ko: bool) -> String {
        match node {
            NodeId::Broker(b) if ko => format!("브로커 {b}"),
            NodeId::Broker(b) => format!("broker {b}"),
            NodeId::Client(n) => self
                .0
                .consumers()
                .find(|c| c.node == n)
                .map(|c| c.name.clone())
                .or_else(|| self.0.producer(n).map(|p| p.name.clone()))
                .unwrap_or_else(|| node.to_string()),
        }
    }
}

/// The sentence for `fact`, or None for the per-record traffic (appends, acks, polls, commits)
/// that would drown the story. Clients are named from `world`.
pub fn sentence(fact: &Fact, ko: bool, world: &World) -> Option<String> {
    let s = |k: String, e: String| Some(if ko { resolve(&k) } else { e });
    let names = Names(world);
    let node = |n: &NodeId| names.node(*n, ko);
    match fact {
        Fact::BrokerStarted { broker } => s(format!("브로커 {broker} 시작"), format!("broker {broker} started")),
        Fact::BrokerStopped { broker } => s(format!("브로커 {broker} 중지(프로세스 종료)"), format!("broker {broker} stopped (process died)")),
        Fact::TopicCreated { topic, partitions, replication_factor } => s(
            format!("토픽 {topic} 생성: 파티션 {partitions}개, 복제 계수 {replication_factor}"),
            format!("topic {topic} created: {}, replication factor {replication_factor}", count(partitions.unsigned_abs(), "partition")),
        ),
        Fact::LeaderElected { topic_partition, leader, isr, unclean, .. } => {
            let t = tp(topic_partition);
            if *leader < 0 {
                s(format!("{t}: 리더 없음(오프라인)"), format!("{t}: no leader (offline)"))
            } else if *unclean {
                s(
                    format!("{t}: ISR 밖의 브로커 {leader}이(가) 리더로 선출됨(언클린) — 확인(ack)된 레코드 유실 가능"),
                    format!("{t}: broker {leader}, outside the ISR, elected leader (unclean) — acknowledged records may be lost"),
                )
            } else {
                s(format!("{t}: 브로커 {leader}이(가) 리더, ISR {isr:?}"), format!("{t}: broker {leader} is leader, ISR {isr:?}"))
            }
        }
        Fact::IsrChanged { topic_partition, isr, removed, added } => {
            let t = tp(topic_partition);
            if !removed.is_empty() {
                s(format!("{t}: {removed:?}이(가) ISR에서 빠짐 → ISR {isr:?}"), format!("{t}: {removed:?} left the ISR → ISR {isr:?}"))
            } else {
                s(format!("{t}: {added:?}이(가) ISR에 합류 → ISR {isr:?}"), format!("{t}: {added:?} joined the ISR → ISR {isr:?}"))
            }
        }
        Fact::ControllerElected { broker, epoch } => {
            s(format!("브로커 {broker}이(가) 액티브 컨트롤러(에포크 {epoch})"), format!("broker {broker} is the active controller (epoch {epoch})"))
        }
        Fact::ControllerResigned { broker, epoch } => {
            s(format!("브로커 {broker}이(가) 컨트롤러에서 물러남(에포크 {epoch})"), format!("broker {broker} resigned as controller (epoch {epoch})"))
        }
        Fact::BrokerRegistered { broker, .. } => s(format!("브로커 {broker} 등록"), format!("broker {broker} registered")),
        Fact::BrokerFenced { broker, controller } => s(
            format!("컨트롤러 {controller}이(가) 하트비트 없는 브로커 {broker}을(를) 펜싱"),
            format!("controller {controller} fenced broker {broker} (no heartbeats)"),
        ),
        Fact::BrokerUnfenced { broker, .. } => s(format!("브로커 {broker} 펜싱 해제"), format!("broker {broker} unfenced")),
        Fact::LogTruncated { topic_partition, broker, from_offset, to_offset, .. } => s(
            format!("{}: 브로커 {broker}이(가) 로그를 {from_offset}에서 {to_offset}(으)로 잘라냄", tp(topic_partition)),
            format!("{}: broker {broker} truncated its log from {from_offset} to {to_offset}", tp(topic_partition)),
        ),
        Fact::NodeIsolated { node: n } => s(format!("{} 네트워크 고립", node(n)), format!("{} isolated from the network", node(n))),
        Fact::ProducerStarted { name, .. } => s(format!("프로듀서 {name} 시작"), format!("producer {name} started")),
        Fact::DuplicateBatch { topic_partition, broker, producer_id, base_sequence, .. } => s(
            format!("{}: 브로커 {broker}이(가) 중복 배치를 알아봄(PID {producer_id}, 시퀀스 {base_sequence}) — 다시 쓰지 않음", tp(topic_partition)),
            format!("{}: broker {broker} recognised a duplicate batch (PID {producer_id}, sequence {base_sequence}) — not written again", tp(topic_partition)),
        ),
        Fact::ProduceFailed { producer, topic_partition, error, attempt, will_retry } => {
            let (rk, re) = if *will_retry { ("재시도 예정", "will retry") } else { ("재시도 안 함", "giving up") };
            let name = names.producer(*producer);
            s(
                format!("프로듀서 {name}: {} 쓰기 실패 {error} (시도 {attempt}, {rk})", tp(topic_partition)),
                format!("producer {name}: write to {} failed with {error} (attempt {attempt}, {re})", tp(topic_partition)),
            )
        }
        Fact::SegmentRolled { topic_partition, broker, base_offset } => s(
            format!("{}: 브로커 {broker}에서 새 세그먼트(기준 오프셋 {base_offset})", tp(topic_partition)),
            format!("{}: broker {broker} rolled a new segment at offset {base_offset}", tp(topic_partition)),
        ),
        Fact::SegmentsDeleted { topic_partition, broker, segments, log_start_offset } => s(
            format!("{}: 브로커 {broker}이(가) 오래된 세그먼트 {segments}개 삭제, 로그 시작 오프셋 {log_start_offset}", tp(topic_partition)),
            format!("{}: broker {broker} deleted {}; log start offset {log_start_offset}", tp(topic_partition), count(*segments as u64, "old segment")),
        ),
        Fact::LogCompacted { topic_partition, broker, records_removed } => s(
            format!("{}: 브로커 {broker} 컴팩션, 레코드 {records_removed}개 제거", tp(topic_partition)),
            format!("{}: broker {broker} compacted the log, {} removed", tp(topic_partition), count(*records_removed, "record")),
        ),
        Fact::LinkCut { from, to } => s(format!("링크 {} → {} 끊김", node(from), node(to)), format!("link {} → {} cut", node(from), node(to))),
        Fact::LinkHealed { from, to } => s(format!("링크 {} → {} 복구", node(from), node(to)), format!("link {} → {} healed", node(from), node(to))),
        Fact::NodeSlowed { node: n, extra_ms } => s(
            format!("{}의 메시지마다 {extra_ms} ms 지연", node(n)),
            format!("{}: every message delayed by {extra_ms} ms", node(n)),
        ),
        Fact::CoordinatorLoaded { broker, offsets_partition, groups, .. } => s(
            format!("브로커 {broker}이(가) __consumer_offsets-{offsets_partition}의 그룹 코디네이터가 됨(그룹 {groups}개)"),
            format!("broker {broker} became group coordinator for __consumer_offsets-{offsets_partition} ({})", count(*groups as u64, "group")),
        ),
        Fact::MemberJoined { group, member_id, .. } => s(format!("그룹 {group}: 멤버 {member_id} 합류"), format!("group {group}: member {member_id} joined")),
        Fact::StaticMemberReplaced { group, group_instance_id, .. } => s(
            format!("그룹 {group}: 정적 멤버 {group_instance_id}이(가) 돌아옴"),
            format!("group {group}: static member {group_instance_id} came back"),
        ),
        Fact::MemberRemoved { group, member_id, reason } => {
            s(format!("그룹 {group}: 멤버 {member_id} 제거({reason:?})"), format!("group {group}: member {member_id} removed ({reason:?})"))
        }
        Fact::RebalanceStarted { group, reason, .. } => {
            s(format!("그룹 {group}: 리밸런스 시작({reason:?})"), format!("group {group}: rebalance started ({reason:?})"))
        }
        Fact::GenerationStable { group, generation_id, assignment } => {
            let parts = |idle: &str| {
                assignment
                    .iter()
                    .map(|(m, tps)| if tps.is_empty() { format!("{m}: {idle}") } else { format!("{m}: [{}]", list(tps)) })
                    .collect::<Vec<String>>()
                    .join("; ")
            };
            s(
                format!("그룹 {group}: 세대 {generation_id} 안정, 할당 {}", parts("없음(유휴)")),
                format!("group {group}: generation {generation_id} stable, assignment {}", parts("none (idle)")),
            )
        }
        Fact::GroupRequestRejected { group, request, error, .. } => {
            s(format!("그룹 {group}: {request} 거절 {error}"), format!("group {group}: {request} rejected with {error}"))
        }
        Fact::ConsumerStarted { consumer, group, .. } => {
            let name = names.consumer(*consumer);
            s(format!("컨슈머 {name} 시작(그룹 {group})"), format!("consumer {name} started (group {group})"))
        }
        Fact::ConsumerCrashed { consumer, in_flight_records, .. } => {
            let name = names.consumer(*consumer);
            s(
                format!("컨슈머 {name} 비정상 종료(처리 중이던 레코드 {in_flight_records}개)"),
                format!("consumer {name} crashed ({} in flight)", count(*in_flight_records as u64, "record")),
            )
        }
        Fact::ConsumerClosed { consumer } => {
            let name = names.consumer(*consumer);
            s(format!("컨슈머 {name} 종료"), format!("consumer {name} closed"))
        }
        Fact::PartitionsRevoked { consumer, partitions, .. } => {
            let name = names.consumer(*consumer);
            s(format!("컨슈머 {name}: 파티션 반납(revoke) [{}]", list(partitions)), format!("consumer {name}: revoked [{}]", list(partitions)))
        }
        Fact::PartitionsAssigned { consumer, partitions, .. } if partitions.is_empty() => {
            // Told right after the assignment: what the consumer holds now is what it keeps.
            let name = names.consumer(*consumer);
            let kept: Vec<TopicPartition> = world.consumer(*consumer).map(|c| c.assignment.iter().cloned().collect()).unwrap_or_default();
            if kept.is_empty() {
                s(format!("컨슈머 {name}: 할당받은 파티션이 없습니다 (유휴)"), format!("consumer {name}: assigned no partitions: idle"))
            } else {
                s(
                    format!("컨슈머 {name}: {}을(를) 그대로 유지, 새로 받은 파티션 없음", list(&kept)),
                    format!("consumer {name}: keeps {}; nothing new", list(&kept)),
                )
            }
        }
        Fact::PartitionsAssigned { consumer, partitions, .. } => {
            let name = names.consumer(*consumer);
            s(format!("컨슈머 {name}: 파티션 할당 [{}]", list(partitions)), format!("consumer {name}: assigned [{}]", list(partitions)))
        }
        Fact::PartitionsLost { consumer, partitions, error, .. } => {
            let name = names.consumer(*consumer);
            s(format!("컨슈머 {name}: 파티션 잃음 [{}] ({error})", list(partitions)), format!("consumer {name}: lost [{}] ({error})", list(partitions)))
        }
        Fact::NoOffsetForPartition { consumer, topic_partition } => {
            let name = names.consumer(*consumer);
            s(
                format!("컨슈머 {name}: {}에 커밋된 오프셋 없음(auto.offset.reset=none)", tp(topic_partition)),
                format!("consumer {name}: no committed offset for {} (auto.offset.reset=none)", tp(topic_partition)),
            )
        }
        Fact::DuplicatesProcessed { consumer, topic_partition, first_offset, last_offset, count: n, .. } => {
            let name = names.consumer(*consumer);
            s(
                format!("컨슈머 {name}: {} 오프셋 {first_offset}..{last_offset} 중복 처리({n}개)", tp(topic_partition)),
                format!("consumer {name}: processed {} offsets {first_offset}..{last_offset} again ({})", tp(topic_partition), count(*n as u64, "duplicate")),
            )
        }
        Fact::RecordsSkipped { consumer, topic_partition, from_offset, to_offset, .. } => {
            let name = names.consumer(*consumer);
            s(
                format!("컨슈머 {name}: {} 오프셋 {from_offset}..{to_offset} 처리 없이 건너뜀", tp(topic_partition)),
                format!("consumer {name}: skipped {} offsets {from_offset}..{to_offset} unprocessed", tp(topic_partition)),
            )
        }
        Fact::CommitFailed { consumer, error, .. } => {
            let name = names.consumer(*consumer);
            s(format!("컨슈머 {name}: 커밋 실패 {error}"), format!("consumer {name}: commit failed with {error}"))
        }
        Fact::RequestTimedOut { consumer, broker, request, timeout_ms } => {
            let name = names.consumer(*consumer);
            s(
                format!("컨슈머 {name}: {request}이(가) {timeout_ms} ms 안에 브로커 {broker}의 응답을 받지 못해 연결을 끊음"),
                format!("consumer {name}: {request} got no answer from broker {broker} within {timeout_ms} ms; connection dropped"),
            )
        }
        Fact::PollIntervalExceeded { consumer, max_poll_interval_ms, .. } => {
            let name = names.consumer(*consumer);
            s(
                format!("컨슈머 {name}: max.poll.interval.ms({max_poll_interval_ms} ms) 초과로 그룹을 떠남"),
                format!("consumer {name}: max.poll.interval.ms ({max_poll_interval_ms} ms) exceeded, leaving the group"),
            )
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafkalab_engine::narration::{RebalanceReason, RemovalReason};
    use kafkalab_engine::protocol::ErrorCode;
    use kafkalab_engine::scenario::{self, ScenarioRun};

    /// consumer-scale-out at 30 s: producer `app`, consumers `worker-1`... of group `workers`,
    /// some of them idle (five consumers, three partitions).
    fn world() -> ScenarioRun {
        let text = scenario::builtin().into_iter().find(|b| b.name == "consumer-scale-out").unwrap().text;
        let mut run = ScenarioRun::new(scenario::parse(text).unwrap(), None).unwrap();
        run.seek(30_000);
        run
    }

    /// Every fact kind the CLI tells, with the number `n` in its numeric fields.
    fn told(world: &World, topic: &str, n: i64) -> Vec<Fact> {
        let (i, z) = (n as i32, n.unsigned_abs() as usize);
        let tp = TopicPartition { topic: topic.into(), partition: i };
        let tps = vec![tp.clone()];
        let worker = world.consumers().next().unwrap();
        let (c, group, member) = (worker.id, "workers".to_string(), worker.member_id.clone());
        let app = world.producers().next().unwrap().client_id;
        let (broker, client) = (NodeId::Broker(i), NodeId::Client(worker.node));
        let error = ErrorCode::NotLeaderOrFollower;
        let elected = |leader, unclean| Fact::LeaderElected {
            topic_partition: tp.clone(),
            leader,
            previous_leader: 2,
            leader_epoch: i,
            isr: vec![i],
            unclean,
        };
        vec![
            Fact::BrokerStarted { broker: i },
            Fact::BrokerStopped { broker: i },
            Fact::TopicCreated { topic: topic.into(), partitions: i, replication_factor: i },
            elected(-1, false),
            elected(i, true),
            elected(i, false),
            Fact::IsrChanged { topic_partition: tp.clone(), isr: vec![3], removed: vec![i], added: vec![] },
            Fact::IsrChanged { topic_partition: tp.clone(), isr: vec![3, i], removed: vec![], added: vec![i] },
            Fact::ControllerElected { broker: i, epoch: i },
            Fact::ControllerResigned { broker: i, epoch: i },
            Fact::BrokerRegistered { broker: i, broker_epoch: n },
            Fact::BrokerFenced { broker: i, controller: i },
            Fact::BrokerUnfenced { broker: i, controller: i },
            Fact::LogTruncated {
                topic_partition: tp.clone(),
                broker: i,
                from_offset: n,
                to_offset: n,
                leader_epoch: i,
            },
            Fact::NodeIsolated { node: client },
            Fact::ProducerStarted { producer: app, name: "app".into() },
            Fact::DuplicateBatch {
                topic_partition: tp.clone(),
                broker: i,
                producer_id: n,
                base_sequence: i,
                base_offset: n,
            },
            Fact::ProduceFailed {
                producer: app,
                topic_partition: tp.clone(),
                error,
                attempt: 1,
                will_retry: n % 2 == 0,
            },
            Fact::SegmentRolled { topic_partition: tp.clone(), broker: i, base_offset: n },
            Fact::SegmentsDeleted { topic_partition: tp.clone(), broker: i, segments: z, log_start_offset: n },
            Fact::LogCompacted { topic_partition: tp.clone(), broker: i, records_removed: z as u64 },
            Fact::LinkCut { from: broker, to: client },
            Fact::LinkHealed { from: client, to: broker },
            Fact::NodeSlowed { node: client, extra_ms: z as u64 },
            Fact::CoordinatorLoaded { broker: i, offsets_partition: i, leader_epoch: i, groups: z, offsets: z },
            Fact::MemberJoined {
                group: group.clone(),
                member_id: member.clone(),
                group_instance_id: None,
                coordinator: i,
            },
            Fact::StaticMemberReplaced {
                group: group.clone(),
                group_instance_id: "worker-1".into(),
                old_member_id: member.clone(),
                new_member_id: member.clone(),
                rebalance: false,
            },
            Fact::MemberRemoved {
                group: group.clone(),
                member_id: member.clone(),
                reason: RemovalReason::SessionTimeout,
            },
            Fact::RebalanceStarted { group: group.clone(), generation_id: i, reason: RebalanceReason::MemberJoined },
            Fact::GenerationStable {
                group: group.clone(),
                generation_id: i,
                assignment: vec![(member.clone(), tps.clone()), (member.clone(), vec![])],
            },
            Fact::GroupRequestRejected { group: group.clone(), member_id: member, request: "SyncGroup", error },
            Fact::ConsumerStarted { consumer: c, client, group: group.clone(), group_instance_id: None },
            Fact::ConsumerCrashed { consumer: c, in_flight_records: z, processed_before_crash: z },
            Fact::ConsumerClosed { consumer: c },
            Fact::PartitionsRevoked { consumer: c, group: group.clone(), partitions: tps.clone() },
            Fact::PartitionsAssigned { consumer: c, group: group.clone(), generation_id: i, partitions: tps.clone() },
            Fact::PartitionsAssigned { consumer: c, group: group.clone(), generation_id: i, partitions: vec![] },
            Fact::PartitionsLost { consumer: c, group: group.clone(), partitions: tps, error },
            Fact::NoOffsetForPartition { consumer: c, topic_partition: tp.clone() },
            Fact::DuplicatesProcessed {
                consumer: c,
                group: group.clone(),
                topic_partition: tp.clone(),
                first_offset: n,
                last_offset: n,
                count: z,
            },
            Fact::RecordsSkipped {
                consumer: c,
                group: group.clone(),
                topic_partition: tp,
                from_offset: n,
                to_offset: n,
            },
            Fact::CommitFailed { consumer: c, group: group.clone(), error },
            Fact::RequestTimedOut { consumer: c, broker: i, request: "JoinGroup".into(), timeout_ms: z as u64 },
            Fact::PollIntervalExceeded { consumer: c, group, max_poll_interval_ms: z as u64 },
        ]
    }

    #[test]
    fn every_told_fact_reads_in_korean_without_particle_placeholders_and_names_clients() {
        let run = world();
        let world = run.world();
        for topic in ["orders", "metrics", "events", "billing-1", "__consumer_offsets"] {
            for n in [0, 1, 2, 3, 6, 7, 9, 10, 11, 100, 1000, -1] {
                for fact in told(world, topic, n) {
                    let ko = sentence(&fact, true, world).expect("told");
                    for marker in ["(가)", "(를)", "(으)", "(이)", "(은)", "(는)", "(과)", "(와)"] {
                        assert!(!ko.contains(marker), "{marker} in {ko}");
                    }
                    let en = sentence(&fact, false, world).expect("told");
                    for text in [&ko, &en] {
                        assert!(
                            !text.contains("client-") && !text.contains("consumer 1 ") && !text.contains("컨슈머 1 "),
                            "{text}"
                        );
                    }
                }
            }
        }
        let facts = told(world, "metrics", 0);
        let ko = |i: usize| sentence(&facts[i], true, world).unwrap();
        assert_eq!(ko(8), "브로커 0이 액티브 컨트롤러(에포크 0)");
        assert_eq!(ko(13), "metrics-0: 브로커 0이 로그를 0에서 0으로 잘라냄");
        assert!(ko(31).starts_with("컨슈머 worker-1 시작"), "{}", ko(31));
        assert!(ko(21).contains("브로커 0 → worker-1"), "{}", ko(21));
        let en = sentence(&facts[24], false, world).unwrap();
        assert!(en.ends_with("(0 groups)"), "{en}");
        let one = told(world, "metrics", 1);
        assert!(sentence(&one[24], false, world).unwrap().ends_with("(1 group)"));
    }

    #[test]
    fn an_empty_assignment_says_idle_or_what_the_consumer_keeps() {
        let run = world();
        let world = run.world();
        let assigned_none = |c: &kafkalab_engine::consumer::Consumer| Fact::PartitionsAssigned {
            consumer: c.id,
            group: "workers".into(),
            generation_id: 5,
            partitions: vec![],
        };
        let idle = world.consumers().find(|c| c.assignment.is_empty()).expect("an idle worker");
        let busy = world.consumers().find(|c| !c.assignment.is_empty()).expect("a busy worker");
        let ko = sentence(&assigned_none(idle), true, world).unwrap();
        assert_eq!(ko, format!("컨슈머 {}: 할당받은 파티션이 없습니다 (유휴)", idle.name));
        let en = sentence(&assigned_none(busy), false, world).unwrap();
        assert!(
            en.starts_with(&format!("consumer {}: keeps events-", busy.name)) && en.ends_with("; nothing new"),
            "{en}"
        );
    }
}
