//! `kafkalab shell [--scenario NAME] [--script FILE|-]`: Kafka's command-line tools against a
//! simulated cluster, interactively or from a script. Each tool's output goes to stdout and
//! its errors to stderr, as the real tools print them; the exit status is the last command's.

use kafkalab_tools::shell::Lexer;
use kafkalab_tools::{Output, Session};
use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Start from a built-in scenario, a preset (demo, large) or a scenario file instead of an
    /// empty 3-broker cluster
    #[arg(long)]
    pub scenario: Option<String>,
    /// Run the commands of this file (`-` for stdin) instead of prompting. A console producer
    /// without a pipe reads the lines after it up to a line `^D`.
    #[arg(long)]
    pub script: Option<String>,
}

fn session(scenario: Option<&str>) -> Result<Session<'static>, String> {
    let Some(name) = scenario else { return Ok(Session::sandbox()) };
    let (_, scenario) = super::run::load(name)?;
    let timeline = scenario.build(None).map_err(|e| format!("{name}: {e}"))?;
    let configs: BTreeMap<String, Vec<(String, String)>> =
        scenario.topics.iter().map(|t| (t.name.clone(), t.configs.clone())).collect();
    Ok(Session::new(timeline).with_topic_configs(configs))
}

fn print(output: &Output) {
    print!("{}", output.stdout);
    eprint!("{}", output.stderr);
    let _ = std::io::stdout().flush();
}

pub fn run(args: Args) -> ExitCode {
    let mut session = match session(args.scenario.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("kafkalab: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut status = 0;
    match args.script.as_deref() {
        Some(path) => {
            let text = match super::read_input(path) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("kafkalab: {e}");
                    return ExitCode::FAILURE;
                }
            };
            for (_, output) in session.run_script(&text) {
                print(&output);
                status = output.status;
            }
        }
        None => {
            let stdin = std::io::stdin();
            let mut lines = stdin.lock().lines().map_while(Result::ok);
            loop {
                eprint!("kafkalab> ");
                let mut text = String::new();
                // Read on while a line ends with `\` (a continuation) or a here-document is open.
                loop {
                    let Some(line) = lines.next() else { return ExitCode::from(status as u8) };
                    let more = line.ends_with('\\');
                    text.push_str(&line);
                    text.push('\n');
                    if !more && !kafkalab_tools::shell::unfinished(&text) {
                        break;
                    }
                }
                let mut lexer = Lexer::new(&text);
                while let Some(next) = lexer.next_pipeline() {
                    let output = match next {
                        Ok(pipeline) => {
                            let mut typed = || {
                                let mut input = String::new();
                                for line in lines.by_ref() {
                                    if line.trim() == "^D" {
                                        break;
                                    }
                                    input.push_str(&line);
                                    input.push('\n');
                                }
                                input
                            };
                            session.run_pipeline(pipeline, &mut typed)
                        }
                        Err(e) => Output { stderr: format!("kafkalab: {}\n", e.0), status: 1, ..Default::default() },
                    };
                    print(&output);
                    status = output.status;
                }
            }
        }
    }
    ExitCode::from(status.clamp(0, 255) as u8)
}
