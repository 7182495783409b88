//! `kafkalab chaos`: one seeded random faulty run, reported as one JSON object.

use super::CmdResult;
use kafkalab_engine::check::chaos::{self, ChaosConfig, Workload};

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    pub seed: u64,
    /// Fault-injection steps (each 100 to 1500 virtual ms)
    #[arg(long, default_value_t = 200)]
    pub steps: u64,
    #[arg(long, default_value_t = 3)]
    pub brokers: i32,
    /// Dedicated controllers (process.roles=controller) beside the brokers; 0 = combined mode
    #[arg(long, default_value_t = 0)]
    pub controllers: i32,
    /// Racks (broker.rack in turn, RackAwareReplicaSelector, a client.rack per consumer); 0 = none
    #[arg(long, default_value_t = 0)]
    pub racks: i32,
    #[arg(long, default_value_t = 3)]
    pub replication_factor: i32,
    #[arg(long, value_parser = ["0", "1", "all"], default_value = "all")]
    pub acks: String,
    #[arg(long, default_value_t = 2)]
    pub min_insync_replicas: i32,
    /// unclean.leader.election.enable
    #[arg(long, default_value_t = false, action = clap::ArgAction::Set)]
    pub unclean: bool,
    /// The group's group.protocol (consumer: KIP-848; share: a share group, KIP-932)
    #[arg(long, value_parser = ["classic", "consumer", "share"], default_value = "classic")]
    pub group_protocol: String,
    /// `default` (producers and a group) or `eos` (a consume-transform-produce pipeline)
    #[arg(long, value_parser = ["default", "eos"], default_value = "default")]
    pub workload: String,
    /// The eos workload's processors: transactional (true) or at-least-once (false)
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    pub eos: bool,
    /// Write every fact of the run to this file, one JSON object per line
    #[arg(long)]
    pub trace: Option<String>,
}

/// Exits non-zero only for violations: losing acknowledged data is a legitimate outcome of
/// `acks=1` or unclean election, as in Kafka.
pub fn run(args: Args) -> CmdResult {
    let config = ChaosConfig {
        seed: args.seed,
        steps: args.steps,
        brokers: args.brokers,
        controllers: args.controllers,
        racks: args.racks,
        replication_factor: args.replication_factor,
        acks: args.acks,
        min_insync_replicas: args.min_insync_replicas,
        unclean: args.unclean,
        group_protocol: args.group_protocol,
        workload: if args.workload == "eos" { Workload::Eos } else { Workload::Default },
        eos: args.eos,
    };
    let (report, world) = chaos::run_with_world(&config).map_err(|e| e.to_string())?;
    if let Some(path) = &args.trace {
        let mut lines = String::new();
        for fact in world.facts() {
            lines.push_str(&serde_json::to_string(fact).map_err(|e| e.to_string())?);
            lines.push('\n');
        }
        std::fs::write(path, lines).map_err(|e| format!("cannot write the trace to `{path}`: {e}"))?;
    }
    let json = serde_json::to_string(&report).map_err(|e| e.to_string())?;
    println!("{json}");
    if report.violations.is_empty() {
        Ok(())
    } else {
        Err(format!("{} invariant violation(s); see \"violations\"", report.violations.len()))
    }
}
