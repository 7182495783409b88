//! Sessions over a built-in scenario played to a given time.

use kafkalab_engine::scenario::{self, ScenarioRun};
use kafkalab_engine::sim::Millis;
use kafkalab_tools::{Output, Session, ToolState};

/// Plays built-in scenario `name` to `at_ms`, then runs `script` against it.
pub fn run_at(name: &str, at_ms: Millis, script: &str) -> Vec<Output> {
    let text = scenario::builtin().into_iter().find(|s| s.name == name).expect("a built-in scenario").text;
    let mut run = ScenarioRun::new(scenario::parse(text).expect("the scenario parses"), None).expect("it builds");
    run.seek(at_ms);
    let mut session = Session::borrowing(&mut run, ToolState::default());
    session.run_script(script).into_iter().map(|(_, o)| o).collect()
}
