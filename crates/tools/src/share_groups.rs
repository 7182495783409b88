//! `kafka-share-groups.sh` (Kafka's `ShareGroupCommand`, KIP-932), read-only: `--list` and
//! `--describe` from the group coordinators' share groups and the partition leaders' share
//! partitions (their start offset, SPSO).

use crate::args::{self, flag, with_value, Opt};
use crate::{cluster, Output, Session};
use kafkalab_engine::broker::BrokerState;
use kafkalab_engine::cluster::{Action, ActionOutcome};
use kafkalab_engine::group::coordinator::share::ShareGroup;
use kafkalab_engine::protocol::share_state::RecordState;
use kafkalab_engine::protocol::{ErrorCode, TopicPartition};
use kafkalab_engine::sim::NodeId;
use kafkalab_engine::World;
use std::collections::BTreeMap;

/// `ShareGroupCommandOptions`' option table as Kafka defines it (apache/kafka at 1d4df4f, the
/// 4.1 line): what the parser accepts and what `--help` prints.
const SPEC: &[Opt] = &[
    flag("all-groups", "Apply to all share groups."),
    flag("all-topics", "Consider all topics assigned to a share group in the 'reset-offsets' process."),
    with_value("bootstrap-server", "REQUIRED: The server(s) to connect to.").arg("server to connect to"),
    with_value("command-config", "Property file containing configs to be passed to Admin Client.").arg("command config property file"),
    flag("delete", "Delete share group."),
    flag("delete-offsets", "Delete offsets of share group. Supports one share group at the time, and multiple topics."),
    flag("describe", "Describe share group, members and offset information."),
    flag("dry-run", "Only show results without executing changes on share groups. Supported operations: reset-offsets."),
    flag("execute", "Execute operation. Supported operations: reset-offsets."),
    with_value("group", "The share group we wish to act on.").arg("share group"),
    flag("help", "Print usage information."),
    flag("list", "List all share groups."),
    flag("members", "Describe members of the group. This option may be used with the '--describe' option only."),
    flag("offsets", "Describe the group and list all topic partitions in the group along with their offset information. This is the default sub-action and may be used with the '--describe' option only."),
    flag("reset-offsets", "Reset offsets of share group. Supports one share group at the time, and instances must be inactive.\nHas 2 execution options: --dry-run (the default) to plan which offsets to reset, and --execute to reset the offsets. \nYou must choose one of the following reset specifications: --to-datetime, --to-earliest, --to-latest.\nTo define the scope use --all-topics or --topic."),
    with_value("state", "When specified with '--describe', includes the state of the group.\nWhen specified with '--list', it displays the state of all groups. It can also be used to list groups with specific states. Valid values are Empty, Stable and Dead.").optional(),
    with_value("timeout", "The timeout that can be set for some use cases. For example, it can be used when describing the group to specify the maximum amount of time in milliseconds to wait before the group stabilizes.").arg("timeout (ms)").of("Long").default("30000"),
    with_value("to-datetime", "Reset offsets to offset from datetime. Format: 'YYYY-MM-DDThh:mm:ss.sss'").arg("datetime"),
    flag("to-earliest", "Reset offsets to earliest offset."),
    flag("to-latest", "Reset offsets to latest offset."),
    with_value("topic", "The topic whose offset information should be deleted or included in the reset offset process. When resetting offsets, partitions can be specified using this format: 'topic1:0,1,2', where 0,1,2 are the partitions to be included.").arg("topic"),
    flag("verbose", "Provide additional information, if any, when describing the group. This option may be used with the '--describe' option only."),
    flag("version", "Display Kafka version."),
];

/// `GroupState.groupStatesForType(GroupType.SHARE)`.
const SHARE_STATES: &[&str] = &["Empty", "Stable", "Dead"];

/// A share group as its coordinator holds it.
struct Described<'w> {
    coordinator: i32,
    group: &'w ShareGroup,
}

impl Described<'_> {
    /// A share group is Empty without members, Stable with some.
    fn state(&self) -> &'static str {
        if self.group.members.is_empty() {
            "Empty"
        } else {
            "Stable"
        }
    }
}

/// Every share group a live coordinator serves, by id.
fn share_groups(world: &World) -> BTreeMap<String, Described<'_>> {
    let mut all = BTreeMap::new();
    for broker in world.brokers().filter(|b| b.state != BrokerState::Dead) {
        let coordinator = &broker.volatile.group_coordinator;
        for group in coordinator.share_groups() {
            if coordinator.is_coordinator_for(&group.group_id) {
                all.entry(group.group_id.clone()).or_insert(Described { coordinator: broker.id, group });
            }
        }
    }
    all
}

/// DescribeShareGroups for every target before anything is printed, as `describeShareGroups`
/// waits on every group's future: the first unknown group fails the whole command with the
/// coordinator's GROUP_ID_NOT_FOUND message (`GroupMetadataManager.shareGroup`), printed by
/// `mainNoExit`'s catch-all (Kafka also prints the stack trace on stderr).
fn describe_groups<'w>(world: &'w World, targets: &[String]) -> Result<Vec<(String, Described<'w>)>, Output> {
    let mut all = share_groups(world);
    let mut described = Vec::new();
    for group in targets {
        let Some(found) = all.remove(group) else {
            let other_type = world.brokers().filter(|b| b.state != BrokerState::Dead).any(|b| {
                let c = &b.volatile.group_coordinator;
                c.is_coordinator_for(group) && (c.groups.contains_key(group) || c.consumer_groups.contains_key(group))
            });
            let reason = if other_type { "is not a share group" } else { "not found" };
            return Err(Output {
                stdout: format!("\nError: Executing share group command failed due to org.apache.kafka.common.errors.GroupIdNotFoundException: Group {group} {reason}.\n"),
                status: 1,
                ..Default::default()
            });
        };
        described.push((group.clone(), found));
    }
    Ok(described)
}

pub fn run(session: &mut Session<'_>, argv: &[String]) -> Output {
    let opts =
        match cluster::parse_tool_args(SPEC, argv, "This tool helps to list, describe, reset and delete share groups.")
        {
            Ok(opts) => opts,
            Err(output) => return output,
        };
    // `--timeout` is `ofType(Long.class)`: jopt-simple refuses anything else while parsing.
    if let Err(e) = opts.long("timeout") {
        return Output::usage_error(e);
    }
    if let Some(error) = check_args(&opts) {
        return error;
    }
    let bootstrap = opts.value("bootstrap-server").unwrap_or_default();
    if let Err(e) = cluster::check_bootstrap(session, bootstrap) {
        return e;
    }
    let world = session.world();
    if opts.has("list") {
        return list(world, &opts);
    }
    if opts.has("describe") {
        let targets: Vec<String> = if opts.has("all-groups") {
            share_groups(world).into_keys().collect()
        } else {
            opts.values("group").to_vec()
        };
        let mut targets = targets;
        targets.sort();
        targets.dedup();
        let described = match describe_groups(world, &targets) {
            Ok(d) => d,
            Err(e) => return e,
        };
        let mut out = Output::default();
        for (group, described) in &described {
            if opts.has("members") {
                print_members(world, group, described, opts.has("verbose"), &mut out);
            } else if opts.has("state") {
                print_state(group, described, opts.has("verbose"), &mut out);
            } else {
                print_offsets(world, group, opts.has("verbose"), &mut out);
            }
        }
        return out;
    }
    if opts.has("delete") {
        return delete(session, &opts);
    }
    let action = ["reset-offsets", "delete-offsets"].into_iter().find(|a| opts.has(a)).unwrap_or("reset-offsets");
    cluster::not_simulated(&format!("kafka-share-groups --{action}"))
}

/// `ShareGroupService.deleteShareGroups` (Kafka 4.1): groups that are not share groups or not
/// Empty fail before the admin call (`IllegalArgumentException`, `GroupNotEmptyException`); the
/// rest go to DeleteGroups. The failed groups are listed in the order given.
fn delete(session: &mut Session<'_>, opts: &args::Parsed) -> Output {
    let shares = share_groups(session.world());
    let mut targets: Vec<String> =
        if opts.has("all-groups") { shares.keys().cloned().collect() } else { opts.values("group").to_vec() };
    let mut seen = std::collections::BTreeSet::new();
    targets.retain(|g| seen.insert(g.clone()));
    let mut failed: Vec<(String, String)> = Vec::new();
    let mut to_delete = Vec::new();
    for group in targets {
        match shares.get(&group) {
            None => failed.push((
                group.clone(),
                format!("java.lang.IllegalArgumentException: Group '{group}' is not a share group."),
            )),
            Some(d) if !d.group.members.is_empty() => failed.push((
                group.clone(),
                format!("org.apache.kafka.common.errors.GroupNotEmptyException: Share group '{group}' is not EMPTY."),
            )),
            Some(_) => to_delete.push(group),
        }
    }
    let mut success = Vec::new();
    if !to_delete.is_empty() {
        let results = match session.timeline.apply(Action::DeleteGroups { groups: to_delete.clone() }) {
            Ok(ActionOutcome::GroupsDeleted { results }) => results,
            _ => to_delete.iter().map(|g| (g.clone(), ErrorCode::CoordinatorNotAvailable)).collect(),
        };
        for (group, error) in results {
            if error == ErrorCode::None {
                success.push(group);
            } else {
                failed.push((group, crate::groups::exception(error)));
            }
        }
    }
    let quoted = |names: &[String]| names.iter().map(|g| format!("'{g}'")).collect::<Vec<_>>().join(", ");
    if failed.is_empty() {
        return Output::out(format!("Deletion of requested share groups ({}) was successful.\n", quoted(&success)));
    }
    let mut out = String::from("\nError: Deletion of some share groups failed:\n");
    for (group, error) in &failed {
        out.push_str(&format!("* Group '{group}' could not be deleted due to: {error}\n"));
    }
    if !success.is_empty() {
        out.push_str(&format!("\nThese share groups were deleted successfully: {}\n", quoted(&success)));
    }
    Output::out(out)
}

/// `ShareGroupCommandOptions.checkArgs` and the one-action rule of `mainNoExit`.
fn check_args(opts: &args::Parsed) -> Option<Output> {
    if !opts.has("bootstrap-server") {
        return Some(Output::usage_error("Missing required argument \"[bootstrap-server]\""));
    }
    // jopt-simple's `availableIf`.
    let unavailable = ["members", "offsets", "verbose"]
        .into_iter()
        .filter(|o| opts.has(o) && !opts.has("describe"))
        .chain(["state"].into_iter().filter(|o| opts.has(o) && !opts.has("describe") && !opts.has("list")))
        .collect::<Vec<_>>();
    if !unavailable.is_empty() {
        return Some(Output::usage_error(format!(
            "Option(s) [{}] are unavailable given other options on the command line",
            unavailable.join(", ")
        )));
    }
    if opts.has("describe") {
        if !opts.has("group") && !opts.has("all-groups") {
            return Some(Output::usage_error("Option [describe] takes one of these options: [group], [all-groups]"));
        }
        if ["members", "offsets", "state"].iter().filter(|o| opts.has(o)).count() > 1 {
            return Some(Output::usage_error(
                "Option [describe] takes at most one of these options: [members], [offsets], [state]",
            ));
        }
        if opts.value("state").is_some_and(|v| !v.is_empty()) {
            return Some(Output::usage_error("Option [describe] does not take a value for [state]"));
        }
    }
    if opts.has("delete") && !opts.has("group") && !opts.has("all-groups") {
        return Some(Output::usage_error("Option [delete] takes one of these options: [group], [all-groups]"));
    }
    if opts.has("group") && opts.has("all-groups") {
        return Some(Output::usage_error("Option \"[group]\" can't be used with option \"[all-groups]\""));
    }
    if opts.has("group") && opts.has("list") {
        return Some(Output::usage_error("Option \"[group]\" can't be used with option \"[list]\""));
    }
    if opts.has("topic") && (opts.has("list") || opts.has("describe")) {
        let with = if opts.has("list") { "list" } else { "describe" };
        return Some(Output::usage_error(format!("Option \"[topic]\" can't be used with option \"[{with}]\"")));
    }
    let actions =
        ["list", "describe", "delete", "reset-offsets", "delete-offsets"].iter().filter(|a| opts.has(a)).count();
    if actions != 1 {
        return Some(Output::usage_error(
            "Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets.",
        ));
    }
    None
}

/// `listGroups`: the ids, or with `--state [STATES]` a GROUP STATE table (`printGroupInfo`).
fn list(world: &World, opts: &args::Parsed) -> Output {
    let all = share_groups(world);
    if !opts.has("state") {
        return Output::out(all.keys().map(|g| format!("{g}\n")).collect::<String>());
    }
    let filter: Vec<String> = match opts.value("state").filter(|v| !v.is_empty()) {
        None => Vec::new(),
        Some(input) => {
            let parsed: Vec<Option<&str>> = input
                .split(',')
                .map(|s| SHARE_STATES.iter().copied().find(|v| v.eq_ignore_ascii_case(s.trim())))
                .collect();
            if parsed.iter().any(Option::is_none) {
                return Output::usage_error(format!(
                    "Invalid state list '{input}'. Valid states are: {}",
                    SHARE_STATES.join(", ")
                ));
            }
            parsed.into_iter().flatten().map(str::to_string).collect()
        }
    };
    let rows: Vec<(&String, &str)> = all
        .iter()
        .map(|(id, d)| (id, d.state()))
        .filter(|(_, state)| filter.is_empty() || filter.iter().any(|f| f == state))
        .collect();
    let width = rows.iter().map(|(id, _)| id.len()).max().unwrap_or(0).max(15);
    let mut out = format!("{:<width$} {}\n", "GROUP", "STATE");
    for (id, state) in rows {
        out.push_str(&format!("{id:<width$} {state}\n"));
    }
    Output::out(out)
}

/// `maybePrintEmptyGroupState` for a group DescribeShareGroups found (so never Dead): the
/// notice for an Empty group; whether to print rows.
fn empty_group_notice(group: &str, state: &str, rows: usize, out: &mut Output) -> bool {
    if state == "Empty" {
        out.stderr.push_str(&format!("\nShare group '{group}' has no active members.\n"));
    }
    rows > 0
}

/// `printStates`: the coordinator, the state and the member count (with `--verbose` the epochs;
/// the assignment is computed at every group epoch, so both epochs are the group epoch).
fn print_state(group: &str, described: &Described<'_>, verbose: bool, out: &mut Output) {
    let state = described.state();
    empty_group_notice(group, state, 1, out);
    let id = described.coordinator;
    let coordinator = format!("localhost:{}  ({id})", 9091 + id);
    let (gw, cw) = (group.len().max(15), coordinator.len().max(25));
    let members = described.group.members.len();
    let epoch = described.group.group_epoch;
    if verbose {
        for cells in [
            ["GROUP", "COORDINATOR (ID)", "STATE", "GROUP-EPOCH", "ASSIGNMENT-EPOCH", "#MEMBERS"].map(String::from),
            [
                group.to_string(),
                coordinator.clone(),
                state.to_string(),
                epoch.to_string(),
                epoch.to_string(),
                members.to_string(),
            ],
        ] {
            out.stdout.push_str(&format!(
                "\n{:<gw$} {:<cw$} {:<15} {:<12} {:<17} {}",
                cells[0], cells[1], cells[2], cells[3], cells[4], cells[5]
            ));
        }
    } else {
        for cells in [
            ["GROUP", "COORDINATOR (ID)", "STATE", "#MEMBERS"].map(String::from),
            [group.to_string(), coordinator.clone(), state.to_string(), members.to_string()],
        ] {
            out.stdout.push_str(&format!("\n{:<gw$} {:<cw$} {:<15} {}", cells[0], cells[1], cells[2], cells[3]));
        }
    }
    out.stdout.push('\n');
}

/// `getAssignmentString`: `topic:0,1;other:2`, topics sorted.
fn assignment_text<'a>(assignment: impl Iterator<Item = &'a TopicPartition>) -> String {
    cluster::partitions_by_topic(assignment)
        .into_iter()
        .map(|(topic, ps)| format!("{topic}:{}", ps.iter().map(i32::to_string).collect::<Vec<_>>().join(",")))
        .collect::<Vec<_>>()
        .join(";")
}

/// `printMembers`: one row per member, by member id.
fn print_members(world: &World, group: &str, described: &Described<'_>, verbose: bool, out: &mut Output) {
    let members: Vec<_> = described.group.members.values().collect();
    if !empty_group_notice(group, described.state(), members.len(), out) {
        return;
    }
    // Kafka shows the member's `client.id`; the simulator names the consumer's client node.
    let client_id = |client: NodeId| {
        world
            .consumers()
            .find(|c| NodeId::Client(c.node) == client)
            .map_or_else(|| client.to_string(), |c| c.name.clone())
    };
    let rows: Vec<[String; 7]> = members
        .iter()
        .map(|m| {
            [
                group.to_string(),
                m.member_id.clone(),
                "/127.0.0.1".to_string(),
                client_id(m.client),
                m.assignment.len().to_string(),
                m.member_epoch.to_string(),
                assignment_text(m.assignment.iter()),
            ]
        })
        .collect();
    let width = |i: usize| rows.iter().map(|r| r[i].len()).max().unwrap_or(0).max(15);
    let (gw, mw, hw, cw) = (group.len().max(15), width(1), width(2), width(3));
    let header =
        ["GROUP", "CONSUMER-ID", "HOST", "CLIENT-ID", "#PARTITIONS", "MEMBER-EPOCH", "ASSIGNMENT"].map(String::from);
    for r in std::iter::once(&header).chain(&rows) {
        if verbose {
            out.stdout.push_str(&format!(
                "\n{:<gw$} {:<mw$} {:<hw$} {:<cw$} {:<12} {:<13} {}",
                r[0], r[1], r[2], r[3], r[4], r[5], r[6]
            ));
        } else {
            out.stdout
                .push_str(&format!("\n{:<gw$} {:<mw$} {:<hw$} {:<cw$} {:<12} {}", r[0], r[1], r[2], r[3], r[4], r[6]));
        }
    }
    out.stdout.push('\n');
}

/// `printOffsets`: each share partition's start offset (SPSO) on its leader, the leader epoch,
/// and the lag (KIP-1226): high watermark − SPSO − the records acknowledged or archived above it.
fn print_offsets(world: &World, group: &str, verbose: bool, out: &mut Output) {
    let mut rows: Vec<(TopicPartition, i32, i64, i64)> = Vec::new();
    for broker in world.brokers().filter(|b| b.state != BrokerState::Dead) {
        for ((g, tp), (leader_epoch, partition)) in &broker.volatile.share.partitions {
            if g != group || world.metadata().partition(tp).map(|p| p.leader) != Some(broker.id) {
                continue;
            }
            let high_watermark = broker.durable.replicas.get(tp).map_or(0, |r| r.high_watermark);
            let start = partition.start_offset();
            // `SharePartition.deliveryCompleteCount`: terminal records at or above the SPSO.
            let delivery_complete = partition
                .in_flight()
                .values()
                .filter(|r| matches!(r.state, RecordState::Acknowledged | RecordState::Archived))
                .count() as i64;
            rows.push((tp.clone(), *leader_epoch, start, (high_watermark - start - delivery_complete).max(0)));
        }
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    if rows.is_empty() {
        out.stdout.push_str(&format!("\nShare group '{group}' has no offset information.\n"));
        return;
    }
    let gw = group.len().max(15);
    let tw = rows.iter().map(|r| r.0.topic.len()).max().unwrap_or(0).max(15);
    let line = |cells: [&str; 6]| {
        if verbose {
            format!(
                "\n{:<gw$} {:<tw$} {:<10} {:<13} {:<13} {}",
                cells[0], cells[1], cells[2], cells[3], cells[4], cells[5]
            )
        } else {
            format!("\n{:<gw$} {:<tw$} {:<10} {:<13} {}", cells[0], cells[1], cells[2], cells[4], cells[5])
        }
    };
    out.stdout.push_str(&line(["GROUP", "TOPIC", "PARTITION", "LEADER-EPOCH", "START-OFFSET", "LAG"]));
    for (tp, epoch, start, lag) in &rows {
        out.stdout.push_str(&line([
            group,
            &tp.topic,
            &tp.partition.to_string(),
            &epoch.to_string(),
            &start.to_string(),
            &lag.to_string(),
        ]));
    }
    out.stdout.push('\n');
}
