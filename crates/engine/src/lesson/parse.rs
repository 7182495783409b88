//! The lesson file format: raw serde structs with spans, then validation against the scenarios
//! the lesson names. Errors are the scenarios' `ScenarioError`: line, column, field, message.

use super::fork::Change;
use super::measure::{Measure, SummaryField, Value, METRIC_GAUGES};
use super::question::{Choice, Matcher, Question};
use super::{ForkSpec, Lesson, Look, TryIt, TryWhere};
use crate::protocol::TopicPartition;
use crate::scenario::parse::{fact_pattern, highlight, known_group, partition_name, Known, Source};
use crate::scenario::{Localized, Scenario, ScenarioError};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::ops::Range;
use toml::{Spanned, Table, Value as Toml};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLesson {
    name: Spanned<String>,
    order: Spanned<u32>,
    title: RawLocalized,
    text: RawLocalized,
    scenarios: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    look: Vec<RawLook>,
    #[serde(rename = "try")]
    try_it: RawTry,
    #[serde(default)]
    question: Vec<RawQuestion>,
    #[serde(default)]
    fork: Vec<RawFork>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLocalized {
    ko: String,
    en: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLook {
    scenario: Option<Spanned<String>>,
    at_ms: Spanned<u64>,
    highlight: Option<Spanned<Vec<Spanned<String>>>>,
    text: RawLocalized,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTry {
    place: Spanned<String>,
    scenario: Option<Spanned<String>>,
    #[serde(default)]
    commands: Vec<String>,
    text: RawLocalized,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    id: Spanned<String>,
    scenario: Option<Spanned<String>>,
    ask_at_ms: Spanned<u64>,
    check_at_ms: Spanned<u64>,
    prompt: RawLocalized,
    measure: Spanned<Table>,
    choices: Spanned<Vec<Spanned<RawChoice>>>,
    explain: RawLocalized,
    highlight: Option<Spanned<Vec<Spanned<String>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChoice {
    ko: String,
    en: String,
    equals: Option<Toml>,
    min: Option<i64>,
    max: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFork {
    scenario: Option<Spanned<String>>,
    change: Spanned<String>,
    from_ms: Option<Spanned<u64>>,
    at_ms: Spanned<u64>,
    text: RawLocalized,
}

fn localized(raw: RawLocalized) -> Localized {
    Localized { ko: raw.ko, en: raw.en }
}

/// Resolves scenario names: the lesson's own list, the first one when a part names none.
struct Scenarios<'a> {
    all: &'a [Scenario],
    /// The lesson's `scenarios`, resolved.
    lesson: Vec<&'a Scenario>,
}

impl<'a> Scenarios<'a> {
    fn find(&self, name: &str) -> Option<&'a Scenario> {
        self.all.iter().find(|s| s.name == name)
    }

    /// The scenario a part names (one of the lesson's), or the lesson's first.
    fn of(&self, src: &Source, raw: &Option<Spanned<String>>, field: &str) -> Result<&'a Scenario, ScenarioError> {
        let Some(name) = raw else { return Ok(self.lesson[0]) };
        self.lesson.iter().copied().find(|s| s.name == *name.get_ref()).ok_or_else(|| {
            let names: Vec<&str> = self.lesson.iter().map(|s| s.name.as_str()).collect();
            src.err(
                name.span(),
                field,
                format!("`{}` is not one of this lesson's scenarios ({})", name.get_ref(), names.join(", ")),
            )
        })
    }
}

pub fn parse(text: &str, all: &[Scenario]) -> Result<Lesson, ScenarioError> {
    let src = Source { text };
    let raw: RawLesson = toml::from_str(text).map_err(|e| src.toml_error(&e))?;
    let name = raw.name.get_ref();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        return Err(src.err(raw.name.span(), "name", format!("`{name}` must be lowercase letters, digits and `-`")));
    }
    if *raw.order.get_ref() == 0 {
        return Err(src.err(raw.order.span(), "order", "the path starts at 1"));
    }
    let mut scenarios = Scenarios { all, lesson: Vec::new() };
    for s in raw.scenarios.get_ref() {
        let found = scenarios.find(s.get_ref()).ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|s| s.name.as_str()).collect();
            src.err(
                s.span(),
                "scenarios",
                format!("there is no scenario `{}`; scenarios: {}", s.get_ref(), names.join(", ")),
            )
        })?;
        scenarios.lesson.push(found);
    }
    if scenarios.lesson.is_empty() {
        return Err(src.err(raw.scenarios.span(), "scenarios", "a lesson plays at least one scenario"));
    }

    let mut look = Vec::new();
    for l in raw.look {
        let scenario = scenarios.of(&src, &l.scenario, "look.scenario")?;
        within(&src, &l.at_ms, "look.at_ms", scenario)?;
        look.push(Look {
            scenario: scenario.name.clone(),
            at_ms: *l.at_ms.get_ref(),
            highlight: highlights(&src, &l.highlight, "look.highlight", scenario)?,
            text: localized(l.text),
        });
    }

    let try_it = {
        let t = raw.try_it;
        let place = match t.place.get_ref().as_str() {
            "terminal" => TryWhere::Terminal,
            "sandbox" => TryWhere::Sandbox,
            other => return Err(src.err(t.place.span(), "try.place", format!("`{other}` is not terminal or sandbox"))),
        };
        let scenario = match &t.scenario {
            Some(n) if n.get_ref() == "sandbox" => "sandbox".to_string(),
            _ => scenarios.of(&src, &t.scenario, "try.scenario")?.name.clone(),
        };
        if place == TryWhere::Terminal && t.commands.is_empty() {
            return Err(src.err(t.place.span(), "try.commands", "a terminal task lists the commands to type"));
        }
        TryIt { place, scenario, commands: t.commands, text: localized(t.text) }
    };

    let mut ids = BTreeSet::new();
    let mut questions = Vec::new();
    for q in raw.question {
        let id = q.id.get_ref();
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
            return Err(src.err(
                q.id.span(),
                "question.id",
                format!("`{id}` must be lowercase letters, digits and `-`"),
            ));
        }
        if !ids.insert(id.clone()) {
            return Err(src.err(q.id.span(), "question.id", format!("question `{id}` appears twice")));
        }
        let scenario = scenarios.of(&src, &q.scenario, "question.scenario")?;
        within(&src, &q.ask_at_ms, "question.ask_at_ms", scenario)?;
        within(&src, &q.check_at_ms, "question.check_at_ms", scenario)?;
        if q.check_at_ms.get_ref() <= q.ask_at_ms.get_ref() {
            return Err(src.err(
                q.check_at_ms.span(),
                "question.check_at_ms",
                "must come after ask_at_ms: predict, then run",
            ));
        }
        let measure = measure(&src, &q.measure, scenario)?;
        let choices = choices(&src, &q.choices, &measure)?;
        questions.push(Question {
            id: id.clone(),
            scenario: scenario.name.clone(),
            ask_at_ms: *q.ask_at_ms.get_ref(),
            check_at_ms: *q.check_at_ms.get_ref(),
            prompt: localized(q.prompt),
            measure,
            choices,
            explain: localized(q.explain),
            highlight: highlights(&src, &q.highlight, "question.highlight", scenario)?,
        });
    }

    let mut forks = Vec::new();
    for f in raw.fork {
        let scenario = scenarios.of(&src, &f.scenario, "fork.scenario")?;
        within(&src, &f.at_ms, "fork.at_ms", scenario)?;
        let from_ms = match &f.from_ms {
            Some(from) if from.get_ref() > f.at_ms.get_ref() => {
                return Err(src.err(from.span(), "fork.from_ms", "the fork must part at or before `at_ms`"))
            }
            Some(from) => *from.get_ref(),
            None => 0,
        };
        let change = Change::parse(f.change.get_ref()).map_err(|m| src.err(f.change.span(), "fork.change", m))?;
        change.apply_at(scenario, from_ms).map_err(|m| src.err(f.change.span(), "fork.change", m))?;
        forks.push(ForkSpec {
            scenario: scenario.name.clone(),
            change,
            from_ms,
            at_ms: *f.at_ms.get_ref(),
            text: localized(f.text),
        });
    }

    Ok(Lesson {
        name: name.clone(),
        order: *raw.order.get_ref(),
        title: localized(raw.title),
        text: localized(raw.text),
        scenarios: scenarios.lesson.iter().map(|s| s.name.clone()).collect(),
        look,
        try_it,
        questions,
        forks,
    })
}

/// A time within the scenario's duration.
fn within(src: &Source, at: &Spanned<u64>, field: &str, scenario: &Scenario) -> Result<(), ScenarioError> {
    if *at.get_ref() > scenario.duration_ms {
        return Err(src.err(
            at.span(),
            field,
            format!(
                "{} ms is after the end of scenario `{}` ({} ms)",
                at.get_ref(),
                scenario.name,
                scenario.duration_ms
            ),
        ));
    }
    Ok(())
}

fn highlights(
    src: &Source,
    raw: &Option<Spanned<Vec<Spanned<String>>>>,
    field: &str,
    scenario: &Scenario,
) -> Result<Vec<String>, ScenarioError> {
    let known = Known::of(scenario);
    raw.iter()
        .flat_map(|list| list.get_ref())
        .map(|name| highlight(&known, name.get_ref()).map_err(|m| src.err(name.span(), field, m)))
        .collect()
}

/// `measure = { kind = "leader", partition = "orders-2" }` and the other kinds.
fn measure(src: &Source, table: &Spanned<Table>, scenario: &Scenario) -> Result<Measure, ScenarioError> {
    const KINDS: &str =
        "leader, isr_size, high_watermark, controller, owner, idle_members, key_partition, summary, metric, facts";
    let span = table.span();
    let at = |key: &str| src.key_span(span.clone(), key);
    let known = Known::of(scenario);
    let Some(kind) = table.get_ref().get("kind").and_then(Toml::as_str) else {
        return Err(src.err(span, "question.measure.kind", format!("`measure` needs `kind`, one of: {KINDS}")));
    };
    let rest: Table =
        table.get_ref().iter().filter(|(k, _)| *k != "kind").map(|(k, v)| (k.clone(), v.clone())).collect();
    if kind == "facts" {
        let pattern = fact_pattern(src, &Spanned::new(span.clone(), rest), &known, "question.measure")?;
        return Ok(Measure::Facts { pattern });
    }
    let takes: &[&str] = match kind {
        "leader" | "isr_size" | "high_watermark" => &["partition"],
        "controller" => &[],
        "owner" => &["group", "partition"],
        "idle_members" => &["group"],
        "key_partition" => &["topic", "key"],
        "summary" => &["field"],
        "metric" => &["name"],
        other => {
            return Err(src.err(
                at("kind"),
                "question.measure.kind",
                format!("`{other}` is not a measure; use one of: {KINDS}"),
            ))
        }
    };
    for key in rest.keys() {
        if !takes.contains(&key.as_str()) {
            return Err(src.err(
                at(key),
                &format!("question.measure.{key}"),
                format!(
                    "measure `{kind}` takes {}",
                    if takes.is_empty() { "no field".to_string() } else { takes.join(", ") }
                ),
            ));
        }
    }
    let text = |key: &str| -> Result<String, ScenarioError> {
        match rest.get(key) {
            Some(Toml::String(s)) => Ok(s.clone()),
            Some(_) => Err(src.err(at(key), &format!("question.measure.{key}"), format!("`{key}` is a string"))),
            None => Err(src.err(
                span.clone(),
                &format!("question.measure.{key}"),
                format!("measure `{kind}` needs `{key}`"),
            )),
        }
    };
    let partition = |key: &str| -> Result<TopicPartition, ScenarioError> {
        let name = text(key)?;
        partition_name(&known, &name).map_err(|m| src.err(at(key), &format!("question.measure.{key}"), m))?;
        let (topic, n) = name.rsplit_once('-').unwrap_or_default();
        Ok(TopicPartition::new(topic.to_string(), n.parse().unwrap_or_default()))
    };
    let group = |key: &str| -> Result<String, ScenarioError> {
        let name = text(key)?;
        known_group(&known, &name).map_err(|m| src.err(at(key), &format!("question.measure.{key}"), m))?;
        Ok(name)
    };
    Ok(match kind {
        "leader" => Measure::Leader { partition: partition("partition")? },
        "isr_size" => Measure::IsrSize { partition: partition("partition")? },
        "high_watermark" => Measure::HighWatermark { partition: partition("partition")? },
        "controller" => Measure::Controller,
        "owner" => Measure::Owner { group: group("group")?, partition: partition("partition")? },
        "idle_members" => Measure::IdleMembers { group: group("group")? },
        "key_partition" => {
            let topic = text("topic")?;
            if !scenario.topics.iter().any(|t| t.name == topic) {
                return Err(src.err(
                    at("topic"),
                    "question.measure.topic",
                    format!("scenario `{}` has no topic `{topic}`", scenario.name),
                ));
            }
            Measure::KeyPartition { topic, key: text("key")? }
        }
        "metric" => {
            let name = text("name")?;
            if !METRIC_GAUGES.contains(&name.as_str()) {
                return Err(src.err(
                    at("name"),
                    "question.measure.name",
                    format!("`{name}` is not a gauge a question can read; use one of: {}", METRIC_GAUGES.join(", ")),
                ));
            }
            Measure::Metric { name }
        }
        _ => {
            let name = text("field")?;
            let field = SummaryField::from_name(&name).ok_or_else(|| {
                let names: Vec<&str> = SummaryField::ALL.iter().map(|(n, _)| *n).collect();
                src.err(
                    at("field"),
                    "question.measure.field",
                    format!("`{name}` is not a summary field; use one of: {}", names.join(", ")),
                )
            })?;
            Measure::Summary { field }
        }
    })
}

/// Two or more choices, each `equals = VALUE` or a range `min`/`max`; names only for `owner`.
fn choices(
    src: &Source,
    raw: &Spanned<Vec<Spanned<RawChoice>>>,
    measure: &Measure,
) -> Result<Vec<Choice>, ScenarioError> {
    if raw.get_ref().len() < 2 {
        return Err(src.err(raw.span(), "question.choices", "a question offers at least two choices"));
    }
    let names = matches!(measure, Measure::Owner { .. });
    let mut out: Vec<Choice> = Vec::new();
    for c in raw.get_ref() {
        let span: Range<usize> = c.span();
        let err = |m: &str| src.err(span.clone(), "question.choices", m.to_string());
        let c = c.get_ref();
        let matcher = match (&c.equals, c.min, c.max) {
            (Some(Toml::Integer(n)), None, None) if !names => Matcher::Equals(Value::Int(*n)),
            (Some(Toml::String(s)), None, None) if names => Matcher::Equals(Value::Name(s.clone())),
            (Some(_), None, None) if names => {
                return Err(err("this measure is a consumer's name: `equals = \"NAME\"`"))
            }
            (Some(_), None, None) => return Err(err("this measure is a number: `equals = N`")),
            (None, min, max) if (min.is_some() || max.is_some()) && !names => {
                if let (Some(lo), Some(hi)) = (min, max) {
                    if lo > hi {
                        return Err(err("`min` is above `max`"));
                    }
                }
                Matcher::Range { min, max }
            }
            _ => return Err(err("a choice has either `equals`, or `min` and/or `max` (numbers only)")),
        };
        if out.iter().any(|o| o.matcher == matcher) {
            return Err(err("two choices stand for the same value"));
        }
        out.push(Choice { label: Localized { ko: c.ko.clone(), en: c.en.clone() }, matcher });
    }
    Ok(out)
}
