//! Every built-in lesson validates against the built-in scenarios, every question's answer comes
//! from a run of its scenario (change the seed or a setting and the checked answer follows), and
//! every fork runs both branches from the same seed.

use kafkalab_engine::lesson::{self, compare, compare_from, Change, Lesson, Measure, Value};
use kafkalab_engine::narration::Fact;
use kafkalab_engine::scenario::Scenario;

fn setup() -> (Vec<Scenario>, Vec<Lesson>) {
    let scenarios = lesson::builtin_scenarios().expect("built-in scenarios parse");
    let lessons = lesson::builtin_lessons(&scenarios).unwrap_or_else(|e| panic!("{e}"));
    (scenarios, lessons)
}

fn scenario<'a>(scenarios: &'a [Scenario], name: &str) -> &'a Scenario {
    scenarios.iter().find(|s| s.name == name).expect("scenario")
}

fn question<'a>(lessons: &'a [Lesson], lesson: &str, id: &str) -> &'a lesson::Question {
    lessons.iter().find(|l| l.name == lesson).and_then(|l| l.question(id)).expect("question")
}

#[test]
fn the_path_is_ordered_and_every_question_has_exactly_one_right_choice() {
    let (scenarios, lessons) = setup();
    let orders: Vec<u32> = lessons.iter().map(|l| l.order).collect();
    assert_eq!(orders, (1..=lessons.len() as u32).collect::<Vec<_>>(), "the path is 1, 2, 3, … without gaps");
    let questions: usize = lessons.iter().map(|l| l.questions.len()).sum();
    assert!(questions >= 25, "{questions} questions; the issue asks for at least 25");
    for l in &lessons {
        for q in &l.questions {
            // `outcome` fails when no choice, or more than one, matches what the run did.
            q.outcome(scenario(&scenarios, &q.scenario), None).unwrap_or_else(|e| panic!("{}: {e}", l.name));
        }
        for f in &l.forks {
            compare_from(scenario(&scenarios, &f.scenario), &f.change, f.from_ms, None, f.at_ms)
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

/// The lost-records question of the acks lesson: with acks=all nothing is lost on any seed tried;
/// with acks=1 the answer flips on the seeds where leadership moved while a record was only on the
/// old leader (seed 3), and stays "none" where it was not (seed 7).
#[test]
fn the_checked_answer_follows_the_setting_and_the_seed() {
    let (scenarios, lessons) = setup();
    let q = question(&lessons, "producer-acks", "lost-with-acks-all");
    let failover = scenario(&scenarios, "leader-failover");
    let none = q.choices.iter().position(|c| c.label.en == "None").expect("choice None");
    for seed in [3, 7] {
        assert_eq!(q.outcome(failover, Some(seed)).unwrap().correct, none, "acks=all, seed {seed}");
    }
    let acks1 = Change::parse("producer:checkout:acks=1").unwrap().apply(failover).unwrap();
    let lost = q.outcome(&acks1, Some(3)).unwrap();
    assert!(matches!(lost.value, Value::Int(n) if n >= 1), "acks=1, seed 3: {lost:?}");
    assert_ne!(lost.correct, none);
    assert_eq!(q.outcome(&acks1, Some(7)).unwrap().correct, none, "acks=1, seed 7 loses nothing");

    // A topic setting: without unclean election the partition waits with no leader.
    let q = question(&lessons, "unclean-election", "unclean-leader");
    assert!(matches!(q.measure, Measure::Leader { .. }));
    let unclean = scenario(&scenarios, "unclean-election");
    assert_eq!(q.outcome(unclean, None).unwrap().value, Value::Int(3));
    let clean = Change::parse("topic:metrics:unclean.leader.election.enable=false").unwrap().apply(unclean).unwrap();
    assert_eq!(q.outcome(&clean, None).unwrap().value, Value::Int(-1));
}

/// The fork: leader-failover with acks=1 instead of all loses records in the acks=1 branch
/// and none in the other (seed 3: a record acknowledged by the old leader alone when leadership
/// moves back to the preferred replica at 40 s).
#[test]
fn the_acks_fork_reports_lost_records_only_in_the_acks_1_branch() {
    let (scenarios, _) = setup();
    let failover = scenario(&scenarios, "leader-failover");
    let change = Change::parse("producer:checkout:acks=1").unwrap();
    let c = compare(failover, &change, Some(3), 45_000).unwrap();
    assert_eq!(c.base.acked_lost, 0);
    assert!(c.fork.acked_lost >= 1, "{c:?}");
    assert_eq!(c.at_ms, 45_000);
}

#[test]
fn a_change_names_what_is_wrong() {
    let (scenarios, _) = setup();
    let failover = scenario(&scenarios, "leader-failover");
    let err = |text: &str| Change::parse(text).and_then(|c| c.apply(failover)).unwrap_err();
    assert!(err("acks=1").contains("producer|topic|consumer:NAME:KEY=VALUE"));
    assert!(err("producer:nobody:acks=1").contains("has no producer `nobody`"));
    assert!(err("producer:checkout:acks=all").contains("already has acks=all"));
    assert!(err("producer:checkout:acks=2").contains("acks"), "{}", err("producer:checkout:acks=2"));
    assert!(err("topic:orders:min.insync.replicas=zero").contains("min.insync.replicas"));
    assert_eq!(Change::parse("topic:orders:retention.ms=5").unwrap().to_string(), "topic:orders:retention.ms=5");
}

/// A fork at a moment (#20): both branches replay the same seed and steps up to it, so every fact
/// before it is the same; the changed branch restarts the producer with acks=1 there (as an
/// application must) and from then on the runs differ, the acks=1 branch losing records when
/// leadership moves back at 40 s.
#[test]
fn a_fork_at_a_moment_is_the_same_run_until_then_and_differs_after() {
    let (scenarios, _) = setup();
    let failover = scenario(&scenarios, "leader-failover");
    let change = Change::parse("producer:checkout:acks=1").unwrap();
    let from = 9_000;
    let mut base = lesson::run(failover, Some(3)).unwrap();
    let mut branch = lesson::run(&change.apply_at(failover, from).unwrap(), Some(3)).unwrap();
    base.seek(45_000);
    branch.seek(45_000);
    let facts = |run: &kafkalab_engine::scenario::ScenarioRun| -> Vec<_> {
        run.world().facts().map(|f| (f.at_ms, f.index, f.fact.clone())).collect()
    };
    let (base_facts, branch_facts) = (facts(&base), facts(&branch));
    assert_eq!(base_facts[0].1, 0, "the whole history is kept");
    let before = |f: &Vec<(u64, u64, Fact)>| f.iter().filter(|(at, _, _)| *at < from).cloned().collect::<Vec<_>>();
    assert!(!before(&base_facts).is_empty());
    assert_eq!(before(&base_facts), before(&branch_facts), "identical up to the fork");
    let restarted = branch_facts
        .iter()
        .find(|(_, _, f)| matches!(f, Fact::ClientRestartedWithConfig { key, value, .. } if key == "acks" && value == "1"))
        .expect("the producer restarts with acks=1");
    assert_eq!(restarted.0, from);
    let Fact::ClientRestartedWithConfig { client, .. } = restarted.2 else { unreachable!() };
    let pid_assigned = |f: &Vec<(u64, u64, Fact)>, after: bool| {
        f.iter().any(|(at, _, f)| {
            (*at >= from) == after && matches!(f, Fact::ProducerIdAssigned { producer, .. } if *producer == client)
        })
    };
    assert!(pid_assigned(&base_facts, false), "the producer starts idempotent (acks=all)");
    assert!(
        !pid_assigned(&branch_facts, true),
        "restarted with acks=1, the producer is not idempotent (enable.idempotence follows acks)"
    );
    assert!(!base_facts.iter().any(|(_, _, f)| matches!(f, Fact::ClientRestartedWithConfig { .. })));
    let after = |f: &Vec<(u64, u64, Fact)>| f.iter().filter(|(at, _, _)| *at >= from).cloned().collect::<Vec<_>>();
    assert_ne!(after(&base_facts), after(&branch_facts), "different after the fork");
    let c = compare_from(failover, &change, from, Some(3), 45_000).unwrap();
    assert_eq!(c.base.acked_lost, 0);
    assert!(c.fork.acked_lost >= 1, "{c:?}");
}

/// Adding or removing one action at a moment: without broker 2's death there is no election.
#[test]
fn a_fork_adds_or_removes_one_action() {
    let (scenarios, _) = setup();
    let failover = scenario(&scenarios, "leader-failover");
    let removed = Change::parse("-kill-broker:2").unwrap();
    assert_eq!(removed.to_string(), "-kill-broker:2");
    let without = removed.apply_at(failover, 5_000).unwrap();
    let stopped = |s: &Scenario| {
        let mut run = lesson::run(s, Some(3)).unwrap();
        run.seek(20_000);
        let found = run.world().facts().any(|f| matches!(f.fact, Fact::BrokerStopped { broker: 2 }));
        found
    };
    assert!(stopped(failover));
    assert!(!stopped(&without), "broker 2 never dies in the branch");
    assert!(removed.apply_at(failover, 15_000).unwrap_err().contains("no `kill-broker:2` step at or after 15000 ms"));
    let added = Change::parse("+kill_broker:3").unwrap();
    assert_eq!(added.to_string(), "+kill-broker:3");
    let with = added.apply_at(failover, 12_000).unwrap();
    assert_eq!(with.steps.len(), failover.steps.len() + 1);
    assert!(Change::parse("+kill-broker:9").unwrap().apply_at(failover, 1_000).is_err());
    assert!(Change::parse("+explode:1").is_err());
    let broker = Change::parse("broker:default:min.insync.replicas=3").unwrap();
    assert_eq!(broker.to_string(), "broker:default:min.insync.replicas=3");
    let c = compare_from(failover, &broker, 12_000, Some(3), 20_000).unwrap();
    assert_eq!(c.fork, c.base, "the topic's own min.insync.replicas=2 wins over the brokers' default");
    let topic = Change::parse("topic:orders:min.insync.replicas=3").unwrap();
    let c = compare_from(failover, &topic, 12_000, Some(3), 20_000).unwrap();
    assert!(c.fork.records_acked < c.base.records_acked, "min ISR 3 with a broker down refuses acks=all: {c:?}");
}
