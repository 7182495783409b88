//! `kafkalab assign`: run a consumer-group assignor over a JSON description of the group: the
//! classic protocol's client-side assignors, or the consumer protocol's server-side ones.

use super::CmdResult;
use kafkalab_engine::group::assignor::{self, MemberSubscription, Strategy, TopicPartition};
use kafkalab_engine::group::server_assignor::{self, AssignmentMember, ServerAssignor};
use std::collections::{BTreeMap, BTreeSet};

const HELP: &str = "\
Input (JSON):
  {\"topics\": {\"orders\": 6},
   \"members\": [{\"id\": \"c1\", \"topics\": [\"orders\"], \"owned\": [[\"orders\", 0]], \"generation\": 3}]}
`owned` (partitions owned before, for the sticky strategies), `generation` (the generation they were
owned in) and `group_instance_id` (static membership) are optional. The order of `members` is the
JoinGroup order, which Java's sticky assignors can depend on. For the server-side assignors of the
consumer protocol (`uniform`, `range-server`), `owned` is the member's current target assignment.

Output: one line of JSON {member_id: [[topic, partition], ...]}, every member present, each list sorted.";

#[derive(clap::Args)]
#[command(after_help = HELP)]
pub struct Args {
    /// range | roundrobin | sticky | cooperative-sticky (or a Java assignor class name);
    /// uniform | range-server (the consumer protocol's server-side assignors)
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
    // The strategy is checked before the input is read, so a bad name is the error shown.
    let server = match args.strategy.as_str() {
        "uniform" => Ok(ServerAssignor::Uniform),
        "range-server" => Ok(ServerAssignor::Range),
        other => Err(other.parse::<Strategy>().map_err(|e| e.to_string())?),
    };
    let text = super::read_input(&args.input)?;
    let input: Input = serde_json::from_str(&text).map_err(|e| format!("invalid input JSON ({}): {e}", args.input))?;
    let strategy = match server {
        Ok(server) => return run_server(server, input),
        Err(strategy) => strategy,
    };
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

/// The consumer protocol's target assignment, with the same output contract.
fn run_server(assignor: ServerAssignor, input: Input) -> CmdResult {
    let mut seen = BTreeSet::new();
    for m in &input.members {
        if !seen.insert(m.id.as_str()) {
            return Err(format!("member id `{}` appears twice", m.id));
        }
    }
    let members: Vec<AssignmentMember> = input
        .members
        .into_iter()
        .map(|m| AssignmentMember {
            member_id: m.id,
            topics: m.topics.into_iter().collect(),
            current: m.owned.into_iter().map(|(t, p)| kafkalab_engine::protocol::TopicPartition::new(t, p)).collect(),
        })
        .collect();
    let assignment = server_assignor::assign(assignor, &input.topics, &members)?;
    let output: BTreeMap<String, Vec<(String, i32)>> = assignment
        .into_iter()
        .map(|(member, list)| (member, list.into_iter().map(|tp| (tp.topic.into(), tp.partition)).collect()))
        .collect();
    let json = serde_json::to_string(&output).map_err(|e| format!("cannot write JSON: {e}"))?;
    println!("{json}");
    Ok(())
}
