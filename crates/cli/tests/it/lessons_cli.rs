//! `kafkalab lessons`: the path, a plan with answers from runs, and file validation.

use crate::common::{kafkalab, text};

#[test]
fn the_path_lists_every_lesson_in_order() {
    let out = kafkalab(&["lessons"], None);
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    let orders: Vec<u32> = stdout.lines().map(|l| l.split_whitespace().next().unwrap().parse().unwrap()).collect();
    assert_eq!(orders, (1..=orders.len() as u32).collect::<Vec<_>>());
    assert!(stdout.contains("replication-failover"), "{stdout}");
}

#[test]
fn a_plan_marks_the_answer_the_run_gives_and_follows_the_seed() {
    let plan = |seed: &str| {
        let out = kafkalab(&["lessons", "--plan", "producer-acks", "--seed", seed], None);
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    // acks=1 loses a record on seed 3 (leadership moves back at 40 s), none on seed 7.
    assert!(plan("3").contains("lost 0 vs 1"), "{}", plan("3"));
    assert!(plan("7").contains("lost 0 vs 0"), "{}", plan("7"));
    assert!(plan("7").contains("  * a) None"));
}

#[test]
fn bad_lessons_are_clear_errors() {
    let out = kafkalab(&["lessons", "--plan", "nope"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).starts_with("kafkalab: there is no lesson `nope`; lessons: what-is-kafka,"));
    let good = include_str!("../../../../scenarios/lessons/producer-acks.toml");
    let bad = good.replace("scenarios = [\"leader-failover\"]", "scenarios = [\"nope\"]");
    let out = kafkalab(&["lessons", "--check", "-"], Some(&bad));
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("kafkalab: -: line 4, column 14, field `scenarios`: there is no scenario `nope`"),
        "{stderr}"
    );
    let out = kafkalab(&["lessons", "--check", "-"], Some(good));
    assert_eq!(text(&out.stdout), "-: lesson producer-acks is valid (2 questions, 2 forks)\n");
}
