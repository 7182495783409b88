//! The console consumer in an interactive terminal (the page): it stays in the foreground and
//! prints records as virtual time moves, until `--max-messages`, `--timeout-ms` or Ctrl+C.
//! Kafka's `ConsoleConsumer` prints `Processed a total of N messages` on stderr from its
//! shutdown hook (Ctrl+C) as at a normal end (`tools/.../consumer/ConsoleConsumer.java`,
//! `reportRecordCount`); a terminal echoes Ctrl+C as `^C` before it.

use kafkalab_engine::cluster::timeline::Timeline;
use kafkalab_engine::cluster::WorldConfig;
use kafkalab_engine::scenario::CHECKPOINT_EVERY;
use kafkalab_engine::World;
use kafkalab_tools::{Output, Progress, Session, ToolState};

/// A terminal over a cluster the test owns, as the page keeps one between calls.
struct Terminal {
    timeline: Timeline,
    state: ToolState,
}

impl Terminal {
    fn new() -> Self {
        let config = WorldConfig { fact_history: 100_000, ..WorldConfig::default() };
        let world = World::new(config, 1).unwrap();
        Terminal { timeline: Timeline::new(world, CHECKPOINT_EVERY), state: ToolState::default() }
    }

    fn with<T>(&mut self, f: impl FnOnce(&mut Session<'_>) -> T) -> T {
        let mut session = Session::interactive(&mut self.timeline, std::mem::take(&mut self.state));
        let result = f(&mut session);
        self.state = session.into_state();
        result
    }

    fn run(&mut self, text: &str) -> Vec<(String, Output)> {
        self.with(|s| s.run_interactive(text))
    }

    /// Plays `ms` of virtual time, looking at the terminal every 100 ms as the page's frames do;
    /// everything the running command printed meanwhile, and what ran after it.
    fn play(&mut self, ms: u64) -> (Output, bool, Vec<(String, Output)>) {
        let mut output = Output::default();
        let mut then = Vec::new();
        let end = self.timeline.world().now() + ms;
        while self.timeline.world().now() < end {
            let t = (self.timeline.world().now() + 100).min(end);
            self.timeline.seek(t);
            if let Some(Progress { output: o, ended, then: t }) = self.with(|s| s.poll_foreground()) {
                output.stdout.push_str(&o.stdout);
                output.stderr.push_str(&o.stderr);
                output.status = o.status;
                then.extend(t);
                if ended {
                    return (output, true, then);
                }
            }
        }
        (output, false, then)
    }
}

const SETUP: &str = "kafka-topics.sh --create --topic T --partitions 1 --bootstrap-server localhost:9092\n\
printf 'k1:v1\\nk2:v2\\nk3:v3\\n' | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic T --property parse.key=true --property key.separator=:\n";

#[test]
fn a_group_consumer_streams_as_time_moves_and_ctrl_c_reports_the_count() {
    let mut terminal = Terminal::new();
    terminal.run(SETUP);
    let started =
        terminal.run("kafka-console-consumer --bootstrap-server localhost:9092 --topic T --group g --from-beginning\n");
    assert_eq!(started.len(), 1);
    assert_eq!(started[0].1, Output::default(), "nothing is printed before time moves");
    assert!(terminal.state.running());
    // The consumer is a client of group `g` in the world (a node in the picture) at once.
    let consumer_running = |t: &Terminal| {
        t.timeline
            .world()
            .view()
            .consumers
            .iter()
            .any(|c| c.name == "console-consumer" && c.group_id == "g" && c.running)
    };
    assert!(consumer_running(&terminal));

    let (first, ended, _) = terminal.play(10_000);
    assert!(!ended, "an unbounded consumer keeps running in a terminal");
    assert_eq!(first.stdout, "v1\nv2\nv3\n");
    assert_eq!(first.stderr, "");

    // A record produced while it runs is printed when time reaches it.
    terminal.state = {
        let mut session = Session::borrowing(&mut terminal.timeline, std::mem::take(&mut terminal.state));
        let out = session.run_tool(
            "kafka-console-producer",
            &["--bootstrap-server", "localhost:9092", "--topic", "T"].map(String::from),
            Some("later\n"),
        );
        assert_eq!(out.status, 0);
        session.into_state()
    };
    let (second, ended, _) = terminal.play(5_000);
    assert!(!ended);
    assert_eq!(second.stdout, "later\n");

    let stopped = terminal.with(|s| s.interrupt()).expect("a command runs");
    assert_eq!(stopped.stdout, "^C");
    assert_eq!(stopped.stderr, "Processed a total of 4 messages\n");
    assert!(!terminal.state.running());
    assert!(!consumer_running(&terminal), "Ctrl+C closed the consumer");
    assert!(terminal.with(|s| s.interrupt()).is_none(), "nothing runs after Ctrl+C");
    // close() committed and left the group before the prompt came back.
    let describe = terminal.run("kafka-consumer-groups --bootstrap-server localhost:9092 --describe --group g\n");
    assert!(describe[0].1.stderr.contains("Consumer group 'g' has no active members."), "{:?}", describe[0].1);
    assert!(
        describe[0].1.stdout.contains("T               0          4               4               0"),
        "{}",
        describe[0].1.stdout
    );
}

#[test]
fn max_messages_ends_it_and_the_queued_commands_run_after() {
    let mut terminal = Terminal::new();
    terminal.run(SETUP);
    let out = terminal.run(
        "kafka-console-consumer --bootstrap-server localhost:9092 --topic T --group g --from-beginning --max-messages 2\n\
         kafka-topics --list --bootstrap-server localhost:9092\n",
    );
    assert_eq!(out.len(), 1, "the command after the consumer waits for it");
    // Typed while it runs: queued behind it as well.
    assert!(terminal.run("kafka-consumer-groups --list --bootstrap-server localhost:9092\n").is_empty());
    let (output, ended, then) = terminal.play(20_000);
    assert!(ended);
    assert_eq!(output.stdout, "v1\nv2\n");
    assert_eq!(output.stderr, "Processed a total of 2 messages\n");
    let commands: Vec<&str> = then.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(
        commands,
        [
            "kafka-topics --list --bootstrap-server localhost:9092",
            "kafka-consumer-groups --list --bootstrap-server localhost:9092"
        ]
    );
    assert_eq!(then[0].1.stdout, "T\n__consumer_offsets\n");
    assert_eq!(then[1].1.stdout, "g\n");
    assert!(!terminal.state.running());
}

#[test]
fn timeout_ms_ends_it_with_kafkas_timeout_error() {
    let mut terminal = Terminal::new();
    terminal.run(SETUP);
    terminal.run("kafka-console-consumer --bootstrap-server localhost:9092 --topic T --partition 0 --offset 1 --timeout-ms 3000\n");
    let (output, ended, _) = terminal.play(10_000);
    assert!(ended);
    assert_eq!(output.stdout, "v2\nv3\n");
    assert!(
        output.stderr.contains("org.apache.kafka.common.errors.TimeoutException\nProcessed a total of 2 messages\n"),
        "{}",
        output.stderr
    );
}

#[test]
fn time_going_back_prints_nothing_twice() {
    let mut terminal = Terminal::new();
    terminal.run(SETUP);
    terminal.run("kafka-console-consumer --bootstrap-server localhost:9092 --topic T --group g --from-beginning\n");
    let (first, _, _) = terminal.play(10_000);
    assert_eq!(first.stdout, "v1\nv2\nv3\n");
    // Back to before the records were processed, then forward again: the same history replays.
    let back = terminal.timeline.world().now() - 9_000;
    terminal.timeline.seek(back);
    let (again, ended, _) = terminal.play(12_000);
    assert!(!ended);
    assert_eq!(again.stdout, "", "the replayed records were printed already");
    let stopped = terminal.with(|s| s.interrupt()).unwrap();
    assert_eq!(stopped.stderr, "Processed a total of 3 messages\n");
}

#[test]
fn a_script_still_runs_the_consumer_to_its_end() {
    // `kafkalab shell`: not interactive, so time moves while the consumer waits.
    let outs = super::common::script(&format!(
        "{SETUP}kafka-console-consumer --bootstrap-server localhost:9092 --topic T --group g --from-beginning\nkafka-topics --list --bootstrap-server localhost:9092\n"
    ));
    assert_eq!(outs[2].stdout, "v1\nv2\nv3\n");
    assert_eq!(outs[2].stderr, "Processed a total of 3 messages\n");
    assert_eq!(outs[3].stdout, "T\n__consumer_offsets\n");
}
