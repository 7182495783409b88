use super::*;

const VALID: &str = r#"name = "demo-lesson"
order = 1
scenarios = ["leader-failover"]
title = { ko = "제목", en = "Title" }
text = { ko = "본문", en = "Text" }

[[look]]
at_ms = 1000
highlight = ["broker-2", "orders-2", "checkout"]
text = { ko = "보기", en = "Look" }

[try]
place = "terminal"
commands = ["kafka-topics.sh --list --bootstrap-server localhost:9092"]
text = { ko = "해 보기", en = "Try" }

[[question]]
id = "who-leads"
ask_at_ms = 9000
check_at_ms = 20000
prompt = { ko = "누가?", en = "Who?" }
measure = { kind = "leader", partition = "orders-2" }
choices = [
  { ko = "1", en = "1", equals = 1 },
  { ko = "그 밖", en = "Other", min = 2 },
]
explain = { ko = "설명", en = "Because" }

[[fork]]
change = "producer:checkout:acks=1"
at_ms = 30000
text = { ko = "분기", en = "Fork" }
"#;

/// Asserts that `error` starts with `prefix`, showing the whole error otherwise.
fn starts(error: String, prefix: &str) {
    assert!(error.starts_with(prefix), "{error}\n does not start with\n{prefix}");
}

fn scenarios() -> Vec<Scenario> {
    builtin_scenarios().unwrap()
}

/// `VALID` with `from` replaced by `to`, parsed: the error's display.
fn error(from: &str, to: &str) -> String {
    assert!(VALID.contains(from), "{from}");
    parse(&VALID.replacen(from, to, 1), &scenarios()).unwrap_err().to_string()
}

#[test]
fn a_valid_lesson_parses_with_defaults() {
    let lesson = parse(VALID, &scenarios()).unwrap();
    assert_eq!(lesson.name, "demo-lesson");
    assert_eq!(lesson.scenarios, ["leader-failover"]);
    assert_eq!(lesson.look[0].scenario, "leader-failover");
    assert_eq!(lesson.look[0].highlight, ["broker-2", "orders-2", "checkout"]);
    assert_eq!(lesson.try_it.place, TryWhere::Terminal);
    assert_eq!(lesson.try_it.scenario, "leader-failover");
    let q = &lesson.questions[0];
    assert_eq!((q.scenario.as_str(), q.ask_at_ms, q.check_at_ms), ("leader-failover", 9000, 20000));
    assert_eq!(q.measure, Measure::Leader { partition: crate::protocol::TopicPartition::new("orders", 2) });
    assert_eq!(q.choices[1].matcher, Matcher::Range { min: Some(2), max: None });
    assert_eq!(lesson.forks[0].change.to_string(), "producer:checkout:acks=1");
}

#[test]
fn errors_name_the_line_column_and_field() {
    assert_eq!(
        error(r#"scenarios = ["leader-failover"]"#, r#"scenarios = ["leader-fail"]"#),
        format!(
            "line 3, column 14, field `scenarios`: there is no scenario `leader-fail`; scenarios: {}",
            scenarios().iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", ")
        )
    );
    assert_eq!(
        error("check_at_ms = 20000", "check_at_ms = 9000"),
        "line 20, column 15, field `question.check_at_ms`: must come after ask_at_ms: predict, then run"
    );
    assert_eq!(
        error("at_ms = 1000", "at_ms = 70000"),
        "line 8, column 9, field `look.at_ms`: 70000 ms is after the end of scenario `leader-failover` (60000 ms)"
    );
    starts(
        error(r#""broker-2", "orders-2""#, r#""broker-7", "orders-2""#),
        "line 9, column 14, field `look.highlight`: `broker-7` does not exist",
    );
    starts(
        error(r#"kind = "leader""#, r#"kind = "leaderr""#),
        "line 22, column 13, field `question.measure.kind`: `leaderr` is not a measure; use one of: leader,",
    );
    starts(
        error(r#"partition = "orders-2""#, r#"partition = "orders-9""#),
        "line 22, column 30, field `question.measure.partition`: topic `orders` has partitions 0..2",
    );
    starts(
        error(r#"change = "producer:checkout:acks=1""#, r#"change = "producer:nobody:acks=1""#),
        "line 30, column 10, field `fork.change`: scenario `leader-failover` has no producer `nobody`",
    );
    starts(
        error(r#"place = "terminal""#, r#"place = "browser""#),
        "line 13, column 9, field `try.place`: `browser` is not terminal or sandbox",
    );
}

#[test]
fn syntax_and_unknown_fields_carry_the_line() {
    let e = error("explain =", "explains =");
    assert!(e.starts_with("line 27, column 1, field `question.explains`"), "{e}");
    assert!(e.contains("unknown field `explains`"), "{e}");
    let e = error("order = 1\n", "order = \n");
    assert!(e.starts_with("line 2"), "{e}");
}

#[test]
fn choices_must_fit_the_measure_and_not_repeat() {
    assert!(error(r#"equals = 1 }"#, r#"equals = "worker-1" }"#).contains("this measure is a number: `equals = N`"));
    assert!(error(r#"min = 2 }"#, r#"equals = 1 }"#).contains("two choices stand for the same value"));
    assert!(error(r#"min = 2 }"#, r#"min = 5, max = 2 }"#).contains("`min` is above `max`"));
    assert!(error("  { ko = \"그 밖\", en = \"Other\", min = 2 },\n", "")
        .contains("a question offers at least two choices"));
    let owner = VALID.replace(
        r#"{ kind = "leader", partition = "orders-2" }"#,
        r#"{ kind = "owner", group = "billing", partition = "orders-2" }"#,
    );
    assert!(parse(&owner, &scenarios()).unwrap_err().to_string().contains("this measure is a consumer's name"));
    let facts = VALID.replace(
        r#"{ kind = "leader", partition = "orders-2" }"#,
        r#"{ kind = "facts", fact = "leader_elected", leaderr = 2 }"#,
    );
    let no_kind = VALID.replace(r#"{ kind = "leader", partition = "orders-2" }"#, r#"{ kind = "facts" }"#);
    let e = parse(&no_kind, &scenarios()).unwrap_err().to_string();
    assert!(e.contains("field `question.measure.fact`: `measure` needs `fact`, one of: broker_started"), "{e}");
    let e = parse(&facts, &scenarios()).unwrap_err().to_string();
    assert!(e.contains("field `question.measure.leaderr`: `leader_elected` has no field `leaderr`"), "{e}");
}

#[test]
fn question_ids_are_unique() {
    let twice = VALID.replace(
        "[[fork]]",
        &format!("{}\n[[fork]]", &VALID[VALID.find("[[question]]").unwrap()..VALID.find("[[fork]]").unwrap()]),
    );
    let e = parse(&twice, &scenarios()).unwrap_err().to_string();
    assert!(e.contains("field `question.id`: question `who-leads` appears twice"), "{e}");
}

#[test]
fn a_choice_matches_a_value_by_equality_or_range() {
    let range = Matcher::Range { min: Some(1), max: Some(50) };
    assert!(range.matches(&Value::Int(1)) && range.matches(&Value::Int(50)));
    assert!(!range.matches(&Value::Int(0)) && !range.matches(&Value::Int(51)));
    assert!(!range.matches(&Value::Name("1".into())));
    assert!(Matcher::Equals(Value::Name("coop-1".into())).matches(&Value::Name("coop-1".into())));
    assert!(!Matcher::Equals(Value::Int(-1)).matches(&Value::Int(1)));
}

#[test]
fn garbage_never_panics() {
    for text in ["", "=", "name = 1", "[[question]]\nid = 3", "\u{0}", "order = -1", VALID.get(..300).unwrap()] {
        assert!(parse(text, &scenarios()).is_err());
    }
}

#[test]
fn the_built_in_catalogue_round_trips_through_json() {
    // The web app embeds the catalogue as JSON (`src/catalogue.json`): what it reads back must be
    // exactly what the TOML files parse into.
    let catalogue = Catalogue::builtin().unwrap();
    assert_eq!(catalogue.scenarios.len(), scenario::builtin().len());
    assert_eq!(catalogue.lessons.len(), builtin().len());
    let json = serde_json::to_string(&catalogue).unwrap();
    let read: Catalogue = serde_json::from_str(&json).unwrap();
    assert_eq!(read, catalogue);
}
