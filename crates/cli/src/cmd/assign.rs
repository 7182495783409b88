//! `kafkalab assign`: run a consumer-group assignor over a JSON description of the group.

use super::CmdResult;
use kafkalab_engine::group::assignor::{self, MemberSubscription, Strategy, TopicPartition};
use std::collections::BTreeMap;

const HELP: &str = "\
Input (JSON):
  {\"topics\": {\"orders\": 6},
   \"members\": [{\"id\": \"c1\", \"topics\": [\"orders\"], \"owned\": [[\"orders\", 0]], \"generation\": 3}]}
`owned` (partitions owned before, for the sticky strategies), `generation` (the generation they were
owned in) and `group_instance_id` (static membership) are optional. The order of `members` is the
JoinGroup order, which Java's sticky assignors can depend on.

Output: one line of JSON {member_id: [[topic, partition], ...]}, every member present, each list sorted.";

#[derive(clap::Args)]
#[command(after_help = HELP)]
pub struct Args {
    /// range | roundrobin | sticky | cooperative-sticky (or a Java assignor class name)
    #[arg(long)]
    pub strategy: String,
    /// JSON input file, or - for stdin
    #[arg(long)]
    pub input: String,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    topics: BTreeMap<String, i32>,
    members: Vec<Member>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Member {
    id: String,
    topics: Vec<String>,
    #[serde(default)]
    owned: Vec<(String, i32)>,
    #[serde(default, alias = "generation_id")]
    generation: Option<i32>,
    #[serde(default)]
    group_instance_id: Option<String>,
}

pub fn run(args: Args) -> CmdResult {
    let strategy: Strategy = args.strategy.parse().map_err(|e: assignor::AssignError| e.to_string())?;
    let text = super::read_input(&args.input)?;
    let input: Input = serde_json::from_str(&text).map_err(|e| format!("invalid input JSON ({}): {e}", args.input))?;
    let members: Vec<MemberSubscription> = input
        .members
        .into_iter()
        .map(|m| MemberSubscription {
            member_id: m.id,
            group_instance_id: m.group_instance_id,
            topics: m.topics,
            owned: m.owned.into_iter().map(|(t, p)| TopicPartition::new(t, p)).collect(),
            generation_id: m.generation,
        })
        .collect();
    assignor::validate_subscriptions(&input.topics, &members).map_err(|e| e.to_string())?;
    let assignment = assignor::assign(strategy, &input.topics, &members).map_err(|e| e.to_string())?;
    let output: BTreeMap<String, Vec<(String, i32)>> = assignment
        .into_iter()
        .map(|(member, list)| (member, list.into_iter().map(|tp| (tp.topic, tp.partition)).collect()))
        .collect();
    let json = serde_json::to_string(&output).map_err(|e| format!("cannot write JSON: {e}"))?;
    println!("{json}");
    Ok(())
}
