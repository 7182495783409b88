//! kafkalab-tools: Kafka's command-line tools over the simulated cluster.
//!
//! A [`Session`] owns a [`Timeline`] and runs `kafka-topics.sh`, the console producer and
//! consumer, `kafka-consumer-groups.sh` and the other tools against it through the engine's
//! public actions and state, printing what Kafka 4.x prints. Console clients are clients in the
//! world, so the picture shows them; virtual time moves while a command waits. The web
//! terminal and `kafkalab shell` both use this crate; it has no I/O of its own.

pub mod args;
mod cluster;
mod configs;
mod console_consumer;
mod console_producer;
mod groups;
mod kafka_json;
mod leader_election;
mod reassign_partitions;
mod server_stop;
mod share_groups;
pub mod shell;

pub use cluster::{join, topic_id};
mod topics;
mod transactions;

use kafkalab_engine::cluster::timeline::Timeline;
use kafkalab_engine::cluster::{Action, ActionError, ActionOutcome, WorldConfig};
use kafkalab_engine::scenario::{ScenarioRun, CHECKPOINT_EVERY};
use kafkalab_engine::sim::Millis;
use kafkalab_engine::World;
use std::collections::BTreeMap;

/// What the tools drive: a [`Timeline`] (the CLI, a preset in the app) or a [`ScenarioRun`]
/// (a scenario in the app, whose steps keep coming as time passes).
pub trait Cluster {
    fn world(&self) -> &World;
    fn apply(&mut self, action: Action) -> Result<ActionOutcome, ActionError>;
    /// Moves virtual time to `t` (here always forward).
    fn seek(&mut self, t: Millis);
}

impl Cluster for Timeline {
    fn world(&self) -> &World {
        Timeline::world(self)
    }
    fn apply(&mut self, action: Action) -> Result<ActionOutcome, ActionError> {
        Timeline::apply(self, action)
    }
    fn seek(&mut self, t: Millis) {
        Timeline::seek(self, t)
    }
}

impl Cluster for ScenarioRun {
    fn world(&self) -> &World {
        ScenarioRun::world(self)
    }
    fn apply(&mut self, action: Action) -> Result<ActionOutcome, ActionError> {
        ScenarioRun::apply(self, action)
    }
    fn seek(&mut self, t: Millis) {
        ScenarioRun::seek(self, t)
    }
}

impl<C: Cluster + ?Sized> Cluster for &mut C {
    fn world(&self) -> &World {
        (**self).world()
    }
    fn apply(&mut self, action: Action) -> Result<ActionOutcome, ActionError> {
        (**self).apply(action)
    }
    fn seek(&mut self, t: Millis) {
        (**self).seek(t)
    }
}

/// What the tools remember between commands, apart from the cluster itself.
#[derive(Debug, Clone, Default)]
pub struct ToolState {
    /// Topic configs as given to `--create --config` or by the scenario: what Kafka reports as
    /// dynamic (non-default) topic configs.
    topic_configs: BTreeMap<String, Vec<(String, String)>>,
    /// Console clients started so far (numbers their generated group ids).
    console_clients: u32,
    /// The session's files, by path: what `cat > FILE <<EOF`, `echo … > FILE` and a tool's
    /// `> FILE` wrote, and what `--reassignment-json-file FILE` and the like read.
    files: BTreeMap<String, String>,
    /// The command running in an interactive terminal's foreground, if any.
    foreground: Option<Foreground>,
}

/// A command that keeps running in an interactive terminal (a console consumer streaming as
/// the simulation plays), and the pasted or typed-ahead commands that run after it.
#[derive(Debug, Clone)]
struct Foreground {
    consumer: console_consumer::Streaming,
    /// `> FILE`: its output goes to the session's file.
    redirect: Option<shell::Redirect>,
    /// The script text after the command, run once it ends (dropped by Ctrl+C, as a shell
    /// flushes type-ahead on an interrupt).
    rest: String,
}

/// What a foreground command printed since the last look, and what ran after it ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    /// More output of the running command (its status once it ended).
    pub output: Output,
    /// Whether it ended (`--max-messages`, `--timeout-ms`, Ctrl+C).
    pub ended: bool,
    /// The commands that ran after it, as [`Session::run_script`] reports them (the last may be
    /// running in its turn).
    pub then: Vec<(String, Output)>,
}

impl ToolState {
    /// Remembers the configs a scenario gave its topics, so `--describe` lists them.
    pub fn with_topic_configs(configs: BTreeMap<String, Vec<(String, String)>>) -> Self {
        ToolState { topic_configs: configs, ..Default::default() }
    }

    /// The session's files, by path (for a terminal's Tab completion).
    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// Topics and groups the tools know of, for a terminal's Tab completion.
    pub fn topics(&self) -> impl Iterator<Item = &str> {
        self.topic_configs.keys().map(String::as_str)
    }

    /// Whether a command is running in the foreground (a streaming console consumer).
    pub fn running(&self) -> bool {
        self.foreground.is_some()
    }
}

/// What a command printed and its exit status, as a process would report them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub status: i32,
}

impl Output {
    fn out(text: impl Into<String>) -> Self {
        Output { stdout: text.into(), ..Default::default() }
    }

    /// A usage error: the message on stderr and exit status 1, as `CommandLineUtils.printUsageAndExit`.
    fn usage_error(message: impl Into<String>) -> Self {
        Output { stderr: format!("{}\n", message.into()), status: 1, ..Default::default() }
    }

    /// `--help` (or no arguments): the tool's purpose and jopt-simple's option table, both on
    /// stderr with exit status 1, as `CommandLineUtils.printUsageAndExit` prints them.
    fn help(purpose: &str, spec: &[args::Opt]) -> Self {
        Output { stderr: format!("{purpose}\n{}", args::usage(spec)), status: 1, ..Default::default() }
    }

    fn append(&mut self, other: Output) {
        self.stdout.push_str(&other.stdout);
        self.stderr.push_str(&other.stderr);
        self.status = other.status;
    }
}

/// The tools this crate implements, by their script names without `.sh`.
pub const TOOLS: &[&str] = &[
    "kafka-topics",
    "kafka-console-producer",
    "kafka-console-consumer",
    "kafka-consumer-groups",
    "kafka-configs",
    "kafka-get-offsets",
    "kafka-metadata-quorum",
    "kafka-features",
    "kafka-dump-log",
    "kafka-server-stop",
    "kafka-transactions",
    "kafka-share-groups",
    "kafka-reassign-partitions",
    "kafka-leader-election",
];

/// The options (and common option values) the tools take, as the seeds and Kafka's quickstart
/// write them: the terminal's Tab completion and the random-argument tests both draw from it.
pub const OPTIONS: &[&str] = &[
    "--bootstrap-server",
    "localhost:9092",
    "--topic",
    "--create",
    "--list",
    "--describe",
    "--alter",
    "--delete",
    "--partitions",
    "--replication-factor",
    "--config",
    "--from-beginning",
    "--group",
    "--max-messages",
    "--timeout-ms",
    "--partition",
    "--offset",
    "--property",
    "parse.key=true",
    "key.separator=:",
    "print.key=true",
    "print.offset=true",
    "print.partition=true",
    "print.timestamp=true",
    "--producer-property",
    "--members",
    "--verbose",
    "--state",
    "--offsets",
    "--reset-offsets",
    "--to-earliest",
    "--to-latest",
    "--to-offset",
    "--shift-by",
    "--to-datetime",
    "--execute",
    "--dry-run",
    "--all-topics",
    "--all-groups",
    "--under-replicated-partitions",
    "--unavailable-partitions",
    "--under-min-isr-partitions",
    "--isolation-level",
    "--entity-type",
    "--entity-name",
    "--files",
    "--print-data-log",
    "--time",
    "--help",
    "--add-config",
    "--delete-config",
    "--status",
    "--replication",
    "--request-required-acks",
    "--node-id",
    "list",
    "describe",
    "describe-producers",
    "--transactional-id",
    "--broker-id",
    "--generate",
    "--verify",
    "--cancel",
    "--topics-to-move-json-file",
    "--reassignment-json-file",
    "--broker-list",
    "--additional",
    "--election-type",
    "preferred",
    "unclean",
    "--all-topic-partitions",
    "--path-to-json-file",
    "reassign.json",
];

/// A terminal: the simulated cluster and what the tools remember between commands.
pub struct Session<'c> {
    timeline: Box<dyn Cluster + 'c>,
    state: ToolState,
    /// An interactive terminal that keeps running (the page): a console consumer stays in the
    /// foreground and streams instead of running to its end in one go.
    interactive: bool,
}

impl Session<'static> {
    /// A fresh 3-broker cluster (seed 1), as `docker compose up` would leave it.
    pub fn sandbox() -> Self {
        let world = World::new(WorldConfig::default(), 1).expect("the default world config is valid");
        Session::new(Timeline::new(world, CHECKPOINT_EVERY))
    }

    pub fn new(timeline: Timeline) -> Self {
        Session { timeline: Box::new(timeline), state: ToolState::default(), interactive: false }
    }
}

impl<'c> Session<'c> {
    /// A session over a cluster someone else owns (the app's simulation), with the tools'
    /// memory from earlier commands; [`Session::into_state`] gives it back.
    pub fn borrowing(cluster: &'c mut dyn Cluster, state: ToolState) -> Self {
        Session { timeline: Box::new(cluster), state, interactive: false }
    }

    /// A session over a cluster someone else owns that keeps running between calls (the page's
    /// terminal): see [`Session::run_interactive`].
    pub fn interactive(cluster: &'c mut dyn Cluster, state: ToolState) -> Self {
        Session { timeline: Box::new(cluster), state, interactive: true }
    }

    pub fn into_state(self) -> ToolState {
        self.state
    }

    /// Remembers the configs a scenario gave its topics, so `--describe` lists them.
    pub fn with_topic_configs(mut self, configs: BTreeMap<String, Vec<(String, String)>>) -> Self {
        self.state.topic_configs = configs;
        self
    }

    pub fn world(&self) -> &World {
        self.timeline.world()
    }

    /// The cluster, for front ends and tests that also act on the world (a fault, a seek).
    pub fn cluster_mut(&mut self) -> &mut dyn Cluster {
        &mut *self.timeline
    }

    /// Moves virtual time forward by `ms`.
    pub fn advance(&mut self, ms: u64) {
        let target = self.world().now() + ms;
        self.timeline.seek(target);
    }

    /// Moves time forward in small steps until `done` holds or `max_ms` passed; whether it held.
    pub(crate) fn wait_until(&mut self, max_ms: u64, done: impl Fn(&World) -> bool) -> bool {
        let deadline = self.world().now() + max_ms;
        loop {
            if done(self.world()) {
                return true;
            }
            let now = self.world().now();
            if now >= deadline {
                return false;
            }
            self.timeline.seek((now + 10).min(deadline));
        }
    }

    /// Runs typed or pasted commands in an interactive terminal: as [`Session::run_script`],
    /// except that a console consumer stays in the foreground (its entry is the last one) and
    /// the commands after it wait for it to end ([`Session::poll_foreground`]). While one runs,
    /// new commands queue behind it.
    pub fn run_interactive(&mut self, text: &str) -> Vec<(String, Output)> {
        if let Some(foreground) = &mut self.state.foreground {
            foreground.rest.push_str(text);
            if !text.ends_with('\n') {
                foreground.rest.push('\n');
            }
            return Vec::new();
        }
        self.run_script(text)
    }

    /// Runs a whole script (a file, stdin, or a terminal paste); each command's output in order.
    /// In an interactive session a console consumer stays in the foreground: the rest of the
    /// text then waits behind it.
    pub fn run_script(&mut self, text: &str) -> Vec<(String, Output)> {
        let mut lexer = shell::Lexer::new(text);
        let mut results = Vec::new();
        while let Some(next) = lexer.next_pipeline() {
            match next {
                Err(e) => results.push((String::new(), Output::usage_error(format!("kafkalab: {}", e.0)))),
                Ok(pipeline) => {
                    let source = pipeline.source.clone();
                    let output = self.run_pipeline(pipeline, &mut || lexer.take_input_lines());
                    results.push((source, output));
                    if let Some(foreground) = &mut self.state.foreground {
                        foreground.rest = lexer.rest();
                        break;
                    }
                }
            }
        }
        results
    }

    /// After virtual time moved: what the foreground command printed meanwhile; once it ends,
    /// the queued commands run. `None` when nothing runs.
    pub fn poll_foreground(&mut self) -> Option<Progress> {
        let mut foreground = self.state.foreground.take()?;
        let (mut output, ended) = foreground.consumer.poll(self);
        if !ended {
            self.redirect(&foreground.redirect, &mut output);
            self.state.foreground = Some(foreground);
            return Some(Progress { output, ended, then: Vec::new() });
        }
        output.append(foreground.consumer.finish(self));
        self.redirect(&foreground.redirect, &mut output);
        let then = self.run_interactive(&foreground.rest);
        Some(Progress { output, ended, then })
    }

    /// Ctrl+C: stops the foreground command (Kafka's shutdown hook prints its count) and drops
    /// the commands queued behind it. `None` when nothing runs.
    pub fn interrupt(&mut self) -> Option<Output> {
        let mut foreground = self.state.foreground.take()?;
        let (mut output, _) = foreground.consumer.poll(self);
        output.append(foreground.consumer.interrupt(self));
        self.redirect(&foreground.redirect, &mut output);
        Some(output)
    }

    /// `> FILE` for a foreground command's output: appended to the file, as it is written.
    fn redirect(&mut self, redirect: &Option<shell::Redirect>, output: &mut Output) {
        if let Some(redirect) = redirect {
            let content = std::mem::take(&mut output.stdout);
            self.state.files.entry(file_key(&redirect.path).to_string()).or_default().push_str(&content);
        }
    }

    /// Runs one command line. `typed_input` gives what a learner types into a console producer
    /// that has no pipe or here-document (in a script: the lines up to `^D`). With `> FILE` the
    /// command's standard output goes to the session's file instead.
    pub fn run_pipeline(&mut self, mut pipeline: shell::Pipeline, typed_input: &mut dyn FnMut() -> String) -> Output {
        let Some(redirect) = pipeline.redirect.take() else { return self.run_stages(pipeline, typed_input) };
        let mut output = self.run_stages(pipeline, typed_input);
        if let Some(foreground) = &mut self.state.foreground {
            // The file is created now; the streaming command's records are appended as they come.
            foreground.redirect = Some(redirect.clone());
            let content = std::mem::take(&mut output.stdout);
            let file = self.state.files.entry(file_key(&redirect.path).to_string()).or_default();
            if !redirect.append {
                file.clear();
            }
            file.push_str(&content);
            return output;
        }
        let path = file_key(&redirect.path).to_string();
        let content = std::mem::take(&mut output.stdout);
        let file = self.state.files.entry(path).or_default();
        if redirect.append {
            file.push_str(&content);
        } else {
            *file = content;
        }
        output
    }

    /// A file of the session (`./` and the working directory's absolute forms are the same file).
    pub(crate) fn read_file(&self, path: &str) -> Option<&str> {
        self.state.files.get(file_key(path)).map(String::as_str)
    }

    fn run_stages(&mut self, pipeline: shell::Pipeline, typed_input: &mut dyn FnMut() -> String) -> Output {
        let mut stages = pipeline.stages;
        let Some(last) = stages.pop() else { return Output::default() };
        let mut stdin = pipeline.heredoc;
        match stages.as_slice() {
            [] => {}
            [feeder] => match feeder.first().map(String::as_str) {
                Some("echo") => stdin = Some(shell::echo(&feeder[1..])),
                Some("printf") => stdin = Some(shell::printf(&feeder[1..])),
                Some("cat") if feeder.len() == 1 => {}
                _ => {
                    return Output::usage_error(
                        "kafkalab: only `echo … |`, `printf … |` or `cat <<EOF |` can feed a Kafka tool here",
                    )
                }
            },
            _ => {
                return Output::usage_error(
                    "kafkalab: only one pipe (`echo … | kafka-console-producer …`) is supported",
                )
            }
        }
        let command = match strip_prefix(&last) {
            Ok(command) => command,
            Err(output) => return output,
        };
        let Some((program, args)) = command.split_first() else { return Output::default() };
        match program.as_str() {
            "echo" if stdin.is_none() => return Output::out(shell::echo(args)),
            "printf" if stdin.is_none() => return Output::out(shell::printf(args)),
            "cat" => return self.cat(args, stdin),
            _ => {}
        }
        let Some(tool) = tool_name(program) else {
            return Output {
                stderr: format!(
                    "kafkalab: {program}: command not found here (this terminal runs Kafka's tools: {})\n",
                    TOOLS.join(", ")
                ),
                status: 127,
                ..Default::default()
            };
        };
        if tool == "kafka-console-producer" && stdin.is_none() {
            stdin = Some(typed_input());
        }
        if tool == "kafka-console-consumer" && self.interactive {
            return match console_consumer::Streaming::start(self, args) {
                Ok(mut consumer) => {
                    let output = consumer.take_started_output();
                    self.state.foreground = Some(Foreground { consumer, redirect: None, rest: String::new() });
                    output
                }
                Err(output) => output,
            };
        }
        self.run_tool(tool, args, stdin.as_deref())
    }

    /// `cat`: a here-document or piped text as it is, else the named files of the session, as
    /// coreutils prints them (`cat: FILE: No such file or directory`, exit status 1).
    fn cat(&self, files: &[String], stdin: Option<String>) -> Output {
        if files.is_empty() {
            return Output::out(stdin.unwrap_or_default());
        }
        let mut output = Output::default();
        for path in files {
            match self.read_file(path) {
                Some(text) => output.stdout.push_str(text),
                None => {
                    output.stderr.push_str(&format!("cat: {path}: No such file or directory\n"));
                    output.status = 1;
                }
            }
        }
        output
    }

    /// Runs one tool with its arguments (after the program name).
    pub fn run_tool(&mut self, tool: &str, args: &[String], stdin: Option<&str>) -> Output {
        match tool {
            "kafka-topics" => topics::run(self, args),
            "kafka-console-producer" => console_producer::run(self, args, stdin.unwrap_or("")),
            "kafka-console-consumer" => console_consumer::run(self, args),
            "kafka-consumer-groups" => groups::run(self, args),
            "kafka-configs" => configs::run(self, args),
            "kafka-get-offsets" => cluster::get_offsets(self, args),
            "kafka-metadata-quorum" => cluster::metadata_quorum(self, args),
            "kafka-features" => cluster::features(self, args),
            "kafka-dump-log" => cluster::dump_log(self, args),
            "kafka-server-stop" => server_stop::run(self, args),
            "kafka-transactions" => transactions::run(self, args),
            "kafka-share-groups" => share_groups::run(self, args),
            "kafka-reassign-partitions" => reassign_partitions::run(self, args),
            "kafka-leader-election" => leader_election::run(self, args),
            other => Output {
                stderr: format!("kafkalab: {other} is not simulated yet\n"),
                status: 127,
                ..Default::default()
            },
        }
    }
}

/// The session's name for a path: `./reassign.json` and `reassign.json` are one file.
fn file_key(path: &str) -> &str {
    path.strip_prefix("./").unwrap_or(path)
}

/// `kafka-topics`, `kafka-topics.sh`, `/opt/kafka/bin/kafka-topics.sh`, `bin/kafka-topics.sh`
/// → `kafka-topics`; `None` for anything that is not one of Kafka's tools.
pub fn tool_name(program: &str) -> Option<&'static str> {
    let base = program.rsplit('/').next().unwrap_or(program);
    let base = base.strip_suffix(".sh").unwrap_or(base);
    TOOLS.iter().chain(NOT_SIMULATED).copied().find(|t| *t == base)
}

/// Kafka tools this simulator does not run yet: they answer with one line saying so.
const NOT_SIMULATED: &[&str] = &[
    "kafka-acls",
    "kafka-storage",
    "kafka-server-start",
    "kafka-log-dirs",
    "kafka-delete-records",
    "kafka-producer-perf-test",
    "kafka-consumer-perf-test",
    "kafka-cluster",
];

/// Strips `docker compose [-f F] exec [-it] SERVICE`, `docker-compose …` and
/// `docker exec [-it] CONTAINER`; other docker commands get one line saying they do not apply.
fn strip_prefix(words: &[String]) -> Result<Vec<String>, Output> {
    let first = words.first().map(String::as_str);
    let (rest, compose) = match (first, words.get(1).map(String::as_str)) {
        (Some("sudo"), _) => return strip_prefix(&words[1..]),
        (Some("docker"), Some("compose")) => (&words[2..], true),
        (Some("docker-compose"), _) => (&words[1..], true),
        (Some("docker"), _) => (&words[1..], false),
        _ => return Ok(words.to_vec()),
    };
    let not_applicable = |what: &str| {
        Err(Output::out(format!(
            "kafkalab: `{what}` manages containers; the simulated cluster is already running, so there is nothing to do.\n"
        )))
    };
    let mut i = 0;
    // Global options of `docker compose` (-f FILE, -p NAME, --env-file FILE, ...).
    while i < rest.len() && rest[i].starts_with('-') {
        let takes_value = compose
            && matches!(
                rest[i].as_str(),
                "-f" | "--file" | "-p" | "--project-name" | "--env-file" | "--profile" | "--project-directory"
            );
        i += if takes_value { 2 } else { 1 };
    }
    let shown = words.join(" ");
    if rest.get(i).map(String::as_str) != Some("exec") {
        return not_applicable(&shown);
    }
    i += 1;
    while i < rest.len() && rest[i].starts_with('-') {
        let takes_value = matches!(
            rest[i].as_str(),
            "-u" | "--user" | "-w" | "--workdir" | "-e" | "--env" | "--index" | "--env-file"
        );
        i += if takes_value { 2 } else { 1 };
    }
    // The service or container name, then the command.
    if i + 1 >= rest.len() {
        return Err(Output::usage_error(format!("kafkalab: `{shown}` names no command to run in the container")));
    }
    Ok(rest[i + 1..].to_vec())
}
