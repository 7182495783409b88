//! `kafkalab lessons`: the lesson path, a lesson's plan for a teacher (its steps and questions,
//! each question's answer from a run), or the validation of a lesson file.

use super::CmdResult;
use clap::Parser;
use kafkalab_engine::lesson::{self, Lesson, TryWhere};
use kafkalab_engine::scenario::Scenario;

#[derive(Parser, Debug)]
pub struct Args {
    /// Print this lesson's plan: its text, what to look at, the questions with the answer a run
    /// gives, the forks and the task
    #[arg(long, value_name = "NAME")]
    pub plan: Option<String>,
    /// Validate a lesson file against the built-in scenarios
    #[arg(long, value_name = "FILE")]
    pub check: Option<String>,
    /// The seed the plan's questions and forks run with (default: each scenario's own)
    #[arg(long)]
    pub seed: Option<u64>,
    /// Language of the plan
    #[arg(long, default_value = "en", value_parser = ["ko", "en"])]
    pub lang: String,
}

pub fn run(args: Args) -> CmdResult {
    let scenarios = lesson::builtin_scenarios().map_err(|e| e.to_string())?;
    if let Some(path) = &args.check {
        let text = super::read_input(path)?;
        let l = lesson::parse(&text, &scenarios).map_err(|e| format!("{path}: {e}"))?;
        println!("{path}: lesson {} is valid ({} questions, {} forks)", l.name, l.questions.len(), l.forks.len());
        return Ok(());
    }
    let lessons = lesson::builtin_lessons(&scenarios).map_err(|e| e.to_string())?;
    match &args.plan {
        None => {
            for l in &lessons {
                println!(
                    "{:>2}  {:<24} {:<48} {} questions, {} forks",
                    l.order,
                    l.name,
                    l.scenarios.join(", "),
                    l.questions.len(),
                    l.forks.len()
                );
            }
            Ok(())
        }
        Some(name) => {
            let Some(l) = lessons.iter().find(|l| l.name == *name) else {
                let names: Vec<&str> = lessons.iter().map(|l| l.name.as_str()).collect();
                return Err(format!("there is no lesson `{name}`; lessons: {}", names.join(", ")));
            };
            plan(l, &scenarios, &args.lang, args.seed)
        }
    }
}

/// The lesson as a teacher prints it.
fn plan(l: &Lesson, scenarios: &[Scenario], lang: &str, seed: Option<u64>) -> CmdResult {
    let find = |name: &str| scenarios.iter().find(|s| s.name == name).ok_or_else(|| format!("no scenario `{name}`"));
    println!("# {}. {}\n\n{}\n", l.order, l.title.get(lang), l.text.get(lang));
    println!("scenarios: {}", l.scenarios.join(", "));
    for look in &l.look {
        println!(
            "- look ({} at {} ms, {}): {}",
            look.scenario,
            look.at_ms,
            look.highlight.join(", "),
            look.text.get(lang)
        );
    }
    for (n, q) in l.questions.iter().enumerate() {
        let outcome = q.outcome(find(&q.scenario)?, seed)?;
        println!(
            "\nQ{} ({}, asked at {} ms, checked at {} ms) {}",
            n + 1,
            q.scenario,
            q.ask_at_ms,
            q.check_at_ms,
            q.prompt.get(lang)
        );
        for (i, c) in q.choices.iter().enumerate() {
            let mark = if i == outcome.correct { "*" } else { " " };
            println!("  {mark} {}) {}", (b'a' + i as u8) as char, c.label.get(lang));
        }
        println!("  answer from the run: {} — {}", outcome.value, q.explain.get(lang));
    }
    for f in &l.forks {
        let c = lesson::compare_from(find(&f.scenario)?, &f.change, f.from_ms, seed, f.at_ms)?;
        let from = if f.from_ms > 0 { format!(", from {} ms", f.from_ms) } else { String::new() };
        println!(
            "\nfork {} ({} at {} ms{from}): {}\n  acknowledged {} vs {}, lost {} vs {}, duplicated {} vs {}, failed {} vs {}",
            f.change,
            f.scenario,
            f.at_ms,
            f.text.get(lang),
            c.base.records_acked,
            c.fork.records_acked,
            c.base.acked_lost,
            c.fork.acked_lost,
            c.base.duplicates_in_log,
            c.fork.duplicates_in_log,
            c.base.records_failed,
            c.fork.records_failed
        );
    }
    let place = match l.try_it.place {
        TryWhere::Terminal => "terminal",
        TryWhere::Sandbox => "sandbox",
    };
    println!("\ntry it ({place}, {}): {}", l.try_it.scenario, l.try_it.text.get(lang));
    for command in &l.try_it.commands {
        println!("  $ {command}");
    }
    Ok(())
}
