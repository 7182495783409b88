//! `kafkalab`: the native front end of the simulator, for tests, benchmarks and scripting.
//! Output goes to stdout; errors go to stderr with a non-zero exit, never a panic.

mod cmd;
mod narrate;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "kafkalab", version, about = "A learning simulator of Apache Kafka (native CLI)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the partition that Kafka's default partitioner picks for each key
    Partition(cmd::partition::Args),
    /// Run a consumer-group assignor over a JSON description of topics and members
    Assign(cmd::assign::Args),
    /// Encode or decode a RecordBatch v2
    #[command(subcommand)]
    Batch(cmd::batch::BatchCommand),
    /// Run a scenario file and print its narration
    Run(cmd::run::Args),
    /// List the built-in scenarios by category (how Kafka works, application patterns)
    Scenarios(cmd::scenarios::Args),
    /// Run a random faulty workload from a seed and check Kafka's invariants
    Chaos(cmd::chaos::Args),
    /// Measure engine throughput
    Bench(cmd::bench::Args),
    /// Run Kafka's command-line tools (kafka-topics.sh, console producer/consumer, ...) against a simulated cluster
    Shell(cmd::shell::Args),
    /// List the lesson path, print a lesson's plan with answers from runs, or validate a lesson file
    Lessons(cmd::lessons::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Partition(args) => cmd::partition::run(args),
        Command::Assign(args) => cmd::assign::run(args),
        Command::Batch(command) => cmd::batch::run(command),
        Command::Run(args) => cmd::run::run(args),
        Command::Scenarios(args) => cmd::scenarios::run(args),
        Command::Chaos(args) => cmd::chaos::run(args),
        Command::Bench(args) => cmd::bench::run(args),
        Command::Shell(args) => return cmd::shell::run(args),
        Command::Lessons(args) => cmd::lessons::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("kafkalab: {error}");
            ExitCode::FAILURE
        }
    }
}
