//! `kafka-consumer-groups.sh` (Kafka's `ConsumerGroupCommand`), reading the coordinators'
//! group state and committed offsets; `--reset-offsets --execute` commits as an admin client.

use crate::args::{self, flag, with_value, Opt};
use crate::{cluster, Output, Session};
use kafkalab_engine::cluster::{Action, ActionOutcome};
use kafkalab_engine::group::coordinator::classic::{ClassicGroup, ClassicGroupState};
use kafkalab_engine::group::coordinator::consumer::ConsumerGroup;
use kafkalab_engine::protocol::{ErrorCode, TopicPartition};
use kafkalab_engine::World;
use std::collections::BTreeMap;

/// `ConsumerGroupCommandOptions`' option table as Kafka defines it (apache/kafka trunk at 1eb7644, 2024-10-25,
/// 4.0.0-SNAPSHOT): what the parser accepts and what `--help` prints.
const SPEC: &[Opt] = &[
    flag("all-groups", "Apply to all consumer groups."),
    flag("all-topics", "Consider all topics assigned to a group in the `reset-offsets` process."),
    with_value("bootstrap-server", "REQUIRED: The server(s) to connect to.").arg("server to connect to"),
    with_value("by-duration", "Reset offsets to offset by duration from current timestamp. Format: 'PnDTnHnMnS'").arg("duration"),
    with_value("command-config", "Property file containing configs to be passed to Admin Client and Consumer.").arg("command config property file"),
    flag("delete", "Pass in groups to delete topic partition offsets and ownership information over the entire consumer group. For instance --group g1 --group g2"),
    flag("delete-offsets", "Delete offsets of consumer group. Supports one consumer group at the time, and multiple topics."),
    flag("describe", "Describe consumer group and list offset lag (number of messages not yet processed) related to given group."),
    flag("dry-run", "Only show results without executing changes on Consumer Groups. Supported operations: reset-offsets."),
    flag("execute", "Execute operation. Supported operations: reset-offsets."),
    flag("export", "Export operation execution to a CSV file. Supported operations: reset-offsets."),
    with_value("from-file", "Reset offsets to values defined in CSV file.").arg("path to CSV file"),
    with_value("group", "The consumer group we wish to act on.").arg("consumer group"),
    flag("help", "Print usage information."),
    flag("list", "List all consumer groups."),
    flag("members", "Describe members of the group. This option may be used with '--describe' and '--bootstrap-server' options only.\nExample: --bootstrap-server localhost:9092 --describe --group group1 --members"),
    flag("offsets", "Describe the group and list all topic partitions in the group along with their offset lag. This is the default sub-action of and may be used with '--describe' and '--bootstrap-server' options only.\nExample: --bootstrap-server localhost:9092 --describe --group group1 --offsets"),
    flag("reset-offsets", "Reset offsets of consumer group. Supports one consumer group at the time, and instances should be inactive\nHas 2 execution options: --dry-run (the default) to plan which offsets to reset, and --execute to update the offsets. Additionally, the --export option is used to export the results to a CSV format.\nYou must choose one of the following reset specifications: --to-datetime, --by-duration, --to-earliest, --to-latest, --shift-by, --from-file, --to-current, --to-offset.\nTo define the scope use --all-topics or --topic. One scope must be specified unless you use '--from-file'."),
    with_value("shift-by", "Reset offsets shifting current offset by 'n', where 'n' can be positive or negative.").arg("number-of-offsets").of("Long"),
    with_value("state", "When specified with '--describe', includes the state of the group.\nExample: --bootstrap-server localhost:9092 --describe --group group1 --state\nWhen specified with '--list', it displays the state of all groups. It can also be used to list groups with specific states.\nExample: --bootstrap-server localhost:9092 --list --state stable,empty\nThis option may be used with '--describe', '--list' and '--bootstrap-server' options only.").optional(),
    with_value("timeout", "The timeout that can be set for some use cases. For example, it can be used when describing the group to specify the maximum amount of time in milliseconds to wait before the group stabilizes (when the group is just created, or is going through some changes).").arg("timeout (ms)").of("Long").default("5000"),
    flag("to-current", "Reset offsets to current offset."),
    with_value("to-datetime", "Reset offsets to offset from datetime. Format: 'YYYY-MM-DDTHH:mm:SS.sss'").arg("datetime"),
    flag("to-earliest", "Reset offsets to earliest offset."),
    flag("to-latest", "Reset offsets to latest offset."),
    with_value("to-offset", "Reset offsets to a specific offset.").arg("offset").of("Long"),
    with_value("topic", "The topic whose consumer group information should be deleted or topic whose should be included in the reset offset process. In `reset-offsets` case, partitions can be specified using this format: `topic1:0,1,2`, where 0,1,2 are the partition to be included in the process. Reset-offsets also supports multiple topic inputs.").arg("topic"),
    with_value("type", "When specified with '--list', it displays the types of all the groups. It can also be used to list groups with specific types.\nExample: --bootstrap-server localhost:9092 --list --type classic,consumer\nThis option may be used with the '--list' option only.").optional(),
    flag("verbose", "Provide additional information, if any, when describing the group. This option may be used with '--offsets'/'--members'/'--state' and '--bootstrap-server' options only.\nExample: --bootstrap-server localhost:9092 --describe --group group1 --members --verbose"),
    flag("version", "Display Kafka version."),
];

const RESET_SCENARIOS: &[&str] =
    &["to-offset", "shift-by", "to-datetime", "by-duration", "to-earliest", "to-latest", "to-current", "from-file"];

/// A group as its coordinator holds it, plus its committed offsets.
struct GroupInfo {
    coordinator: i32,
    group: Option<GroupSummary>,
    offsets: BTreeMap<TopicPartition, i64>,
}

/// What the tool prints of a classic or consumer-protocol group.
struct GroupSummary {
    state: &'static str,
    assignor: Option<String>,
    /// Consumer protocol: the group epoch and the target assignment's epoch.
    epochs: Option<(i32, i32)>,
    members: Vec<MemberSummary>,
}

struct MemberSummary {
    member_id: String,
    client_id: String,
    assignment: Vec<TopicPartition>,
    /// Consumer protocol: the member epoch, the target epoch and the target assignment.
    target: Option<(i32, i32, Vec<TopicPartition>)>,
}

impl GroupSummary {
    fn classic(g: &ClassicGroup) -> Self {
        GroupSummary {
            state: g.state.name(),
            assignor: g.protocol_name.clone(),
            epochs: None,
            members: g
                .members
                .iter()
                .map(|m| MemberSummary {
                    member_id: m.member_id.clone(),
                    client_id: m.client_id.clone(),
                    assignment: m.assignment.clone(),
                    target: None,
                })
                .collect(),
        }
    }

    /// Kafka names a consumer-protocol member's client by its `client.id`; the simulator keeps
    /// the client node, whose consumer name the world knows.
    fn consumer(g: &ConsumerGroup, world: &World) -> Self {
        GroupSummary {
            state: g.state().name(),
            assignor: g.assignor.map(|a| a.name().to_string()),
            epochs: Some((g.group_epoch, g.target_assignment_epoch)),
            members: g
                .members
                .values()
                .map(|m| MemberSummary {
                    member_id: m.member_id.clone(),
                    client_id: world
                        .consumers()
                        .find(|c| kafkalab_engine::sim::NodeId::Client(c.node) == m.client)
                        .map_or_else(|| m.client.to_string(), |c| c.name.clone()),
                    assignment: m.assigned.iter().cloned().collect(),
                    target: Some((
                        m.member_epoch,
                        g.target_assignment_epoch,
                        g.target_assignment.get(&m.member_id).into_iter().flatten().cloned().collect(),
                    )),
                })
                .collect(),
        }
    }
}

/// Every group some live coordinator knows (members or committed offsets), by id.
fn groups(world: &World) -> BTreeMap<String, GroupInfo> {
    let mut all = BTreeMap::new();
    for broker in world.brokers().filter(|b| b.state != kafkalab_engine::broker::BrokerState::Dead) {
        let coordinator = &broker.volatile.group_coordinator;
        let ids = coordinator.groups.keys().chain(coordinator.consumer_groups.keys()).chain(coordinator.offsets.keys());
        for id in ids {
            if !coordinator.is_coordinator_for(id) || all.contains_key(id) {
                continue;
            }
            let offsets = coordinator
                .offsets
                .get(id)
                .map(|m| m.iter().map(|(tp, o)| (tp.clone(), o.committed_offset)).collect())
                .unwrap_or_default();
            let group = coordinator
                .groups
                .get(id)
                .map(GroupSummary::classic)
                .or_else(|| coordinator.consumer_groups.get(id).map(|g| GroupSummary::consumer(g, world)));
            all.insert(id.clone(), GroupInfo { coordinator: broker.id, group, offsets });
        }
    }
    all
}

fn state_name(info: &GroupInfo) -> &'static str {
    info.group.as_ref().map_or("Empty", |g| g.state)
}

pub fn run(session: &mut Session<'_>, argv: &[String]) -> Output {
    let opts = match cluster::parse_tool_args(SPEC, argv, "This tool helps to list all consumer groups, describe a consumer group, delete consumer group info, or reset consumer group offsets.") {
        Ok(opts) => opts,
        Err(output) => return output,
    };
    let Some(bootstrap) = opts.value("bootstrap-server") else {
        return Output::usage_error("Missing required argument \"[bootstrap-server]\"");
    };
    if let Err(e) = cluster::check_bootstrap(session, bootstrap) {
        return e;
    }
    let actions =
        ["list", "describe", "delete", "reset-offsets", "delete-offsets"].iter().filter(|a| opts.has(a)).count();
    if actions != 1 {
        return Output::usage_error(
            "Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets",
        );
    }
    let scope = "[group], [all-groups]";
    if opts.has("delete-offsets") && (!opts.has("group") || !opts.has("topic")) {
        return Output::usage_error("Option [delete-offsets] takes the following options: [group], [topic]");
    }
    if opts.has("list") {
        let world = session.world();
        let all = groups(world);
        if opts.has("state") {
            let width = all.keys().map(String::len).max().unwrap_or(0).max(15);
            let mut out = format!("{:<width$} {}\n", "GROUP", "STATE");
            for (id, info) in &all {
                out.push_str(&format!("{id:<width$} {}\n", state_name(info)));
            }
            return Output::out(out);
        }
        return Output::out(all.keys().map(|g| format!("{g}\n")).collect::<String>());
    }
    if !opts.has("group") && !opts.has("all-groups") {
        let action =
            ["describe", "delete", "reset-offsets"].into_iter().find(|a| opts.has(a)).unwrap_or("delete-offsets");
        return Output::usage_error(format!("Option [{action}] takes one of these options: {scope}"));
    }
    let targets: Vec<String> = if opts.has("all-groups") {
        groups(session.world()).into_keys().collect()
    } else {
        opts.values("group").to_vec()
    };
    if opts.has("describe") {
        let subs = ["members", "offsets", "state"].iter().filter(|s| opts.has(s)).count();
        if subs > 1 {
            return Output::usage_error(
                "Option [describe] takes at most one of these options: [members], [offsets], [state]",
            );
        }
        let mut out = Output::default();
        for group in &targets {
            out.append(describe(session.world(), group, &opts));
        }
        return out;
    }
    if opts.has("reset-offsets") {
        return reset_offsets(session, &opts, &targets);
    }
    if opts.has("delete") {
        if opts.has("topic") {
            return Output::usage_error(
                "The consumer does not support topic-specific offset deletion from a consumer group.",
            );
        }
        return delete_groups(session, &targets);
    }
    delete_offsets(session, &opts, &targets)
}

/// The admin client's exception for a group error, as `ExecutionException.toString()` and
/// `getMessage()` show it (`Errors.exception`: the class and Kafka's description).
pub(crate) fn exception(error: ErrorCode) -> String {
    let class = match error {
        ErrorCode::NonEmptyGroup => "GroupNotEmptyException",
        ErrorCode::GroupIdNotFound => "GroupIdNotFoundException",
        ErrorCode::GroupSubscribedToTopic => "GroupSubscribedToTopicException",
        ErrorCode::UnknownTopicOrPartition => "UnknownTopicOrPartitionException",
        ErrorCode::NotCoordinator => "NotCoordinatorException",
        _ => "CoordinatorNotAvailableException",
    };
    format!("org.apache.kafka.common.errors.{class}: {}", error.description())
}

/// `ConsumerGroupService.deleteGroups`: DeleteGroups, then one line for success or the failed
/// groups (Kafka prints both on stdout and exits 0). Groups are listed in the order given.
fn delete_groups(session: &mut Session<'_>, targets: &[String]) -> Output {
    let results = match session.timeline.apply(Action::DeleteGroups { groups: targets.to_vec() }) {
        Ok(ActionOutcome::GroupsDeleted { results }) => results,
        _ => targets.iter().map(|g| (g.clone(), ErrorCode::CoordinatorNotAvailable)).collect(),
    };
    let (success, failed): (Vec<_>, Vec<_>) = results.into_iter().partition(|(_, e)| *e == ErrorCode::None);
    let names = |list: &[(String, ErrorCode)]| list.iter().map(|(g, _)| g.clone()).collect::<Vec<_>>();
    if failed.is_empty() {
        return Output::out(format!(
            "Deletion of requested consumer groups ('{}') was successful.\n",
            names(&success).join(", ")
        ));
    }
    let mut out = String::from("\nError: Deletion of some consumer groups failed:\n");
    for (group, error) in &failed {
        out.push_str(&format!(
            "* Group '{group}' could not be deleted due to: java.util.concurrent.ExecutionException: {}\n",
            exception(*error)
        ));
    }
    if !success.is_empty() {
        // Kafka joins the names with `'` and ends with `', '`, verbatim.
        out.push_str(&format!(
            "\nThese consumer groups were deleted successfully: '{}', '\n",
            names(&success).join("'")
        ));
    }
    Output::out(out)
}

/// `ConsumerGroupService.deleteOffsets` (KIP-496): `--topic t` takes every partition of `t`,
/// `--topic t:0,1` the ones listed; then the result and a `TOPIC PARTITION STATUS` table.
fn delete_offsets(session: &mut Session<'_>, opts: &args::Parsed, targets: &[String]) -> Output {
    let group = targets.first().cloned().unwrap_or_default();
    let topics: Vec<String> = opts.values("topic").to_vec();
    let mut partitions: Vec<TopicPartition> = Vec::new();
    let mut rows: Vec<(String, String, String)> = Vec::new();
    for topic in &topics {
        match topic.split_once(':') {
            Some((name, list)) => {
                for p in list.split(',') {
                    match p.trim().parse::<i32>() {
                        Ok(p) => partitions.push(TopicPartition::new(name, p)),
                        Err(_) => return Output::usage_error(format!("For input string: \"{}\"", p.trim())),
                    }
                }
            }
            None => match session.world().metadata().topics.get(topic) {
                Some(t) => partitions.extend((0..t.partitions.len() as i32).map(|p| TopicPartition::new(topic, p))),
                None => rows.push((
                    topic.clone(),
                    "Not Provided".to_string(),
                    format!("Error: :{}", exception(ErrorCode::UnknownTopicOrPartition)),
                )),
            },
        }
    }
    let (error, results) = match session
        .timeline
        .apply(Action::DeleteConsumerGroupOffsets { group: group.clone(), partitions: partitions.clone() })
    {
        Ok(ActionOutcome::GroupOffsetsDeleted { error, partitions }) => (error, partitions),
        _ => (ErrorCode::CoordinatorNotAvailable, Vec::new()),
    };
    let failed_partitions: Vec<(TopicPartition, ErrorCode)> = if results.is_empty() && error != ErrorCode::None {
        partitions.iter().map(|tp| (tp.clone(), error)).collect()
    } else {
        results
    };
    for (tp, e) in failed_partitions {
        let status = if e == ErrorCode::None { "Successful".to_string() } else { format!("Error: :{}", exception(e)) };
        rows.push((tp.topic.to_string(), tp.partition.to_string(), status));
    }
    let top = if error == ErrorCode::None && rows.iter().any(|(_, p, _)| p == "Not Provided") {
        ErrorCode::UnknownTopicOrPartition
    } else {
        error
    };
    let mut out = match top {
        ErrorCode::None => {
            format!("Request succeed for deleting offsets with topic {} group {group}\n", topics.join(", "))
        }
        ErrorCode::GroupIdNotFound => format!("\nError: '{group}' does not exist.\n"),
        ErrorCode::NonEmptyGroup => {
            format!("\nError: Deleting offsets of a consumer group '{group}' is forbidden if the group is not empty.\n")
        }
        ErrorCode::GroupSubscribedToTopic | ErrorCode::UnknownTopicOrPartition => {
            "\nError: Encounter some partition level error, see the follow-up details:\n".to_string()
        }
        other => format!("\nError: Encounter some unknown error: {}\n", other.name()),
    };
    // Kafka sorts by topic name and partition concatenated, as strings.
    rows.sort_by(|a, b| format!("{}{}", a.0, a.1).cmp(&format!("{}{}", b.0, b.1)));
    out.push_str(&format!("\n{:<30} {:<15} {:<15}", "TOPIC", "PARTITION", "STATUS"));
    for (topic, partition, status) in rows {
        out.push_str(&format!("\n{topic:<30} {partition:<15} {status:<15}"));
    }
    out.push('\n');
    Output::out(out)
}

/// `shouldPrintMemberState`: whether to print rows, and the notice Kafka prints first.
fn member_state_notice(group: &str, info: Option<&GroupInfo>, rows: usize, out: &mut Output) -> bool {
    match info.map(state_name) {
        None | Some("Dead") => {
            out.stdout.push_str(&format!("\nError: Consumer group '{group}' does not exist.\n"));
            false
        }
        Some(state) => {
            match state {
                "Empty" => out.stderr.push_str(&format!("\nConsumer group '{group}' has no active members.\n")),
                "PreparingRebalance" | "CompletingRebalance" | "Assigning" | "Reconciling" => {
                    out.stderr.push_str(&format!("\nWarning: Consumer group '{group}' is rebalancing.\n"))
                }
                _ => {}
            }
            rows > 0
        }
    }
}

/// Partitions as `kafka-consumer-groups --verbose` prints them: `topic(0,1), other(2)`, or `-`.
fn assignment_text(assignment: &[TopicPartition]) -> String {
    let by_topic = cluster::partitions_by_topic(assignment);
    if by_topic.is_empty() {
        return "-".to_string();
    }
    by_topic
        .into_iter()
        .map(|(topic, ps)| format!("{topic}({})", ps.iter().map(i32::to_string).collect::<Vec<_>>().join(",")))
        .collect::<Vec<_>>()
        .join(", ")
}

fn describe(world: &World, group: &str, opts: &args::Parsed) -> Output {
    let all = groups(world);
    let info = all.get(group);
    let mut out = Output::default();
    if opts.has("state") {
        if !member_state_notice(group, info, 1, &mut out) {
            return out;
        }
        let Some(info) = info else { return out };
        let coordinator = format!("localhost:{}  ({})", 9091 + info.coordinator, info.coordinator);
        let width = coordinator.len().max(25);
        let strategy = info.group.as_ref().and_then(|g| g.assignor.clone()).unwrap_or_default();
        let members = info.group.as_ref().map_or(0, |g| g.members.len());
        if let (true, Some((group_epoch, target_epoch))) =
            (opts.has("verbose"), info.group.as_ref().and_then(|g| g.epochs))
        {
            // A consumer-protocol group (KIP-848) with --verbose: its epochs too.
            out.stdout.push_str(&format!(
                "\n{:<width$} {:<25} {:<20} {:<15} {:<12} {:<24} {}\n{:<width$} {:<25} {:<20} {:<15} {:<12} {:<24} {}\n",
                "GROUP",
                "COORDINATOR (ID)",
                "ASSIGNMENT-STRATEGY",
                "STATE",
                "GROUP-EPOCH",
                "TARGET-ASSIGNMENT-EPOCH",
                "#MEMBERS",
                group,
                coordinator,
                strategy,
                state_name(info),
                group_epoch,
                target_epoch,
                members
            ));
            return out;
        }
        out.stdout.push_str(&format!(
            "\n{:<width$} {:<25} {:<20} {:<15} {}\n{:<width$} {:<25} {:<20} {:<15} {}\n",
            "GROUP",
            "COORDINATOR (ID)",
            "ASSIGNMENT-STRATEGY",
            "STATE",
            "#MEMBERS",
            group,
            coordinator,
            strategy,
            state_name(info),
            members
        ));
        return out;
    }
    if opts.has("members") {
        let members: Vec<&MemberSummary> =
            info.and_then(|i| i.group.as_ref()).map(|g| g.members.iter().collect()).unwrap_or_default();
        // Kafka prints the header whatever the notice said (`printMembers`).
        member_state_notice(group, info, members.len(), &mut out);
        let widths = [
            members.iter().map(|_| group.len()).max().unwrap_or(0).max(15),
            members.iter().map(|m| m.member_id.len()).max().unwrap_or(0).max(15),
            15,
            members.iter().map(|m| m.client_id.len()).max().unwrap_or(0).max(15),
        ];
        let row = |cells: [&str; 5]| {
            format!(
                "{:<w0$} {:<w1$} {:<w2$} {:<w3$} {:<15} ",
                cells[0],
                cells[1],
                cells[2],
                cells[3],
                cells[4],
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2],
                w3 = widths[3]
            )
        };
        out.stdout.push('\n');
        out.stdout.push_str(&row(["GROUP", "CONSUMER-ID", "HOST", "CLIENT-ID", "#PARTITIONS"]));
        let consumer_protocol = info.and_then(|i| i.group.as_ref()).is_some_and(|g| g.epochs.is_some());
        if opts.has("verbose") && consumer_protocol {
            out.stdout.push_str(&format!(
                "{:<14} {:<22} {:<13} {}",
                "CURRENT-EPOCH", "CURRENT-ASSIGNMENT", "TARGET-EPOCH", "TARGET-ASSIGNMENT"
            ));
        } else if opts.has("verbose") {
            out.stdout.push_str("ASSIGNMENT");
        }
        out.stdout.push('\n');
        for m in members {
            out.stdout.push_str(&row([
                group,
                &m.member_id,
                "/127.0.0.1",
                &m.client_id,
                &m.assignment.len().to_string(),
            ]));
            match (&m.target, opts.has("verbose")) {
                (Some((epoch, target_epoch, target)), true) => out.stdout.push_str(&format!(
                    "{:<14} {:<22} {:<13} {}",
                    epoch,
                    assignment_text(&m.assignment),
                    target_epoch,
                    assignment_text(target)
                )),
                (None, true) => out.stdout.push_str(&assignment_text(&m.assignment)),
                (_, false) => {}
            }
            out.stdout.push('\n');
        }
        return out;
    }
    // --describe [--offsets]: one row per assigned or committed partition.
    let mut rows: Vec<[String; 9]> = Vec::new();
    if let Some(info) = info {
        let mut seen = Vec::new();
        let cell = |v: Option<i64>| v.map_or("-".to_string(), |v| v.to_string());
        let row = |tp: &TopicPartition, member: Option<(&str, &str)>| {
            let offset = info.offsets.get(tp).copied();
            let end = cluster::latest_offset(world, tp);
            let lag = offset.zip(end).map(|(o, e)| e - o);
            let (consumer, host, client) = member.map_or(("-", "-", "-"), |(id, client)| (id, "/127.0.0.1", client));
            [
                group.to_string(),
                tp.topic.to_string(),
                tp.partition.to_string(),
                cell(offset),
                cell(end),
                cell(lag),
                consumer.to_string(),
                host.to_string(),
                client.to_string(),
            ]
        };
        if let Some(g) = info.group.as_ref().filter(|g| g.state != ClassicGroupState::Empty.name()) {
            for m in &g.members {
                let mut assigned = m.assignment.clone();
                assigned.sort_by_key(|tp| tp.partition);
                for tp in &assigned {
                    rows.push(row(tp, Some((&m.member_id, &m.client_id))));
                    seen.push(tp.clone());
                }
            }
        }
        for tp in info.offsets.keys().filter(|tp| !seen.contains(tp)) {
            rows.push(row(tp, None));
        }
    }
    if !member_state_notice(group, info, rows.len(), &mut out) {
        return out;
    }
    let width = |i: usize| rows.iter().map(|r| r[i].len()).max().unwrap_or(0).max(15);
    let (wg, wt, wc, wh) = (width(0), width(1), width(6), width(7));
    let line = |r: [&str; 9]| {
        format!(
            "\n{:<wg$} {:<wt$} {:<10} {:<15} {:<15} {:<15} {:<wc$} {:<wh$} {}",
            r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8]
        )
    };
    out.stdout.push_str(&line([
        "GROUP",
        "TOPIC",
        "PARTITION",
        "CURRENT-OFFSET",
        "LOG-END-OFFSET",
        "LAG",
        "CONSUMER-ID",
        "HOST",
        "CLIENT-ID",
    ]));
    for r in &rows {
        out.stdout.push_str(&line([&r[0], &r[1], &r[2], &r[3], &r[4], &r[5], &r[6], &r[7], &r[8]]));
    }
    out.stdout.push_str("\n\n");
    out
}

fn reset_offsets(session: &mut Session<'_>, opts: &args::Parsed, targets: &[String]) -> Output {
    if opts.has("dry-run") && opts.has("execute") {
        return Output::usage_error("Option [reset-offsets] only accepts one of [execute] and [dry-run]");
    }
    let mut out = Output::default();
    if !opts.has("dry-run") && !opts.has("execute") {
        out.stderr.push_str("WARN: No action will be performed as the --execute option is missing. In a future major release, the default behavior of this command will be to prompt the user before executing the reset rather than doing a dry run. You should add the --dry-run option explicitly if you are scripting this command and want to keep the current default behavior without prompting.\n");
    }
    let scenarios: Vec<&str> = RESET_SCENARIOS.iter().copied().filter(|s| opts.has(s)).collect();
    match scenarios.as_slice() {
        [] => {
            out.append(Output::usage_error(format!(
                "Option [reset-offsets] requires one of the following scenarios: [{}]",
                RESET_SCENARIOS.join("], [")
            )));
            return out;
        }
        [_] => {}
        [first, second, ..] => {
            out.append(Output::usage_error(format!("Option \"[{first}]\" can't be used with option \"[{second}]\"")));
            return out;
        }
    }
    if !opts.has("topic") && !opts.has("all-topics") {
        out.append(Output::usage_error("One of the reset scopes should be defined: --all-topics, --topic."));
        return out;
    }
    for group in targets {
        let world = session.world();
        let all = groups(world);
        let Some(info) = all.get(group) else {
            // A group nobody knows is Dead: Kafka resets it (the commit creates it).
            let plan = match plan(world, opts, &BTreeMap::new()) {
                Ok(p) => p,
                Err(e) => {
                    out.append(e);
                    return out;
                }
            };
            out.append(apply_plan(session, opts, group, plan));
            continue;
        };
        let state = state_name(info);
        if state != "Empty" && state != "Dead" {
            out.stdout.push_str(&format!(
                "\nError: Assignments can only be reset if the group '{group}' is inactive, but the current state is {state}.\n\n"
            ));
            continue;
        }
        let plan = match plan(world, opts, &info.offsets) {
            Ok(p) => p,
            Err(e) => {
                out.append(e);
                return out;
            }
        };
        out.append(apply_plan(session, opts, group, plan));
    }
    out
}

/// The partitions in scope and their new offsets (`prepareOffsetsToReset`), clamped to the log.
fn plan(
    world: &World,
    opts: &args::Parsed,
    committed: &BTreeMap<TopicPartition, i64>,
) -> Result<Vec<(TopicPartition, i64)>, Output> {
    let mut partitions: Vec<TopicPartition> = Vec::new();
    if opts.has("all-topics") {
        partitions.extend(committed.keys().cloned());
    }
    for arg in opts.values("topic") {
        let (topic, list) = match arg.split_once(':') {
            Some((t, l)) => (t, Some(l)),
            None => (arg.as_str(), None),
        };
        let Some(meta) = world.metadata().topics.get(topic) else {
            return Err(Output {
                stdout: "\nError: Executing consumer group command failed due to org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.\n".to_string(),
                status: 1,
                ..Default::default()
            });
        };
        match list {
            None => {
                partitions.extend((0..meta.partitions.len() as i32).map(|p| TopicPartition::new(topic.to_string(), p)))
            }
            Some(list) => {
                for p in list.split(',') {
                    let p: i32 = p.trim().parse().map_err(|_| {
                        Output::usage_error(format!("Invalid partition '{p}' specified in topic arg '{arg}''"))
                    })?;
                    partitions.push(TopicPartition::new(topic.to_string(), p));
                }
            }
        }
    }
    partitions.sort();
    partitions.dedup();
    let mut plan = Vec::new();
    for tp in partitions {
        let earliest = cluster::earliest_offset(world, &tp).unwrap_or(0);
        let latest = cluster::latest_offset(world, &tp).unwrap_or(0);
        let clamp = |o: i64| o.clamp(earliest, latest);
        let offset = if opts.has("to-earliest") {
            earliest
        } else if opts.has("to-latest") {
            latest
        } else if opts.has("to-current") {
            committed.get(&tp).copied().unwrap_or(latest)
        } else if let Some(v) = opts.value("to-offset") {
            clamp(
                v.parse::<i64>()
                    .map_err(|_| Output::usage_error(format!("Cannot parse argument '{v}' of option to-offset")))?,
            )
        } else if let Some(v) = opts.value("shift-by") {
            let n: i64 = v
                .parse()
                .map_err(|_| Output::usage_error(format!("Cannot parse argument '{v}' of option shift-by")))?;
            let Some(current) = committed.get(&tp) else {
                return Err(Output {
                    stdout: format!("\nError: Executing consumer group command failed due to Cannot shift offset for partition {tp} since there is no current committed offset\n"),
                    status: 1,
                    ..Default::default()
                });
            };
            clamp(current + n)
        } else if let Some(v) = opts.value("to-datetime") {
            let ts = parse_datetime(v).ok_or_else(|| {
                Output::usage_error(format!(
                    "Error parsing timestamp. It does not match format 'yyyy-MM-dd'T'HH:mm:ss.SSS': {v}"
                ))
            })?;
            cluster::leader_replica(world, &tp)
                .and_then(|r| r.log.offset_for_timestamp(ts))
                .map(|found| found.offset)
                .map_or(latest, clamp)
        } else {
            return Err(cluster::not_simulated("kafka-consumer-groups --reset-offsets --by-duration/--from-file"));
        };
        plan.push((tp, offset));
    }
    Ok(plan)
}

/// `printOffsetsToReset`, and with `--execute` the admin client's commit.
fn apply_plan(session: &mut Session<'_>, opts: &args::Parsed, group: &str, plan: Vec<(TopicPartition, i64)>) -> Output {
    let mut out = Output::default();
    if opts.has("execute") && !plan.is_empty() {
        if let Err(e) = session
            .timeline
            .apply(Action::AlterConsumerGroupOffsets { group: group.to_string(), offsets: plan.clone() })
        {
            out.stdout.push_str(&format!("\nError: Executing consumer group command failed due to {e}\n"));
            out.status = 1;
            return out;
        }
        let wanted = plan.clone();
        let group_id = group.to_string();
        session.wait_until(5_000, |w| {
            groups(w).get(&group_id).is_some_and(|info| wanted.iter().all(|(tp, o)| info.offsets.get(tp) == Some(o)))
        });
    }
    if !plan.is_empty() {
        out.stdout.push_str(&format!("\n{:<30} {:<30} {:<10} {:<15}", "GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"));
        for (tp, offset) in &plan {
            out.stdout.push_str(&format!("\n{:<30} {:<30} {:<10} {:<15}", group, tp.topic, tp.partition, offset));
        }
    }
    out.stdout.push('\n');
    out
}

/// `yyyy-MM-ddTHH:mm:ss.SSS` (optionally with a `Z` or offset, ignored) as epoch milliseconds;
/// virtual time starts at the epoch, so `1970-01-01T00:00:05.000` is 5 seconds into the run.
fn parse_datetime(text: &str) -> Option<i64> {
    let (date, time) = text.split_once('T')?;
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let time = time.trim_end_matches('Z');
    let time = time.split(['+']).next()?;
    let (hms, millis) = time.split_once('.').unwrap_or((time, "0"));
    let mut t = hms.split(':').map(|p| p.parse::<i64>().ok());
    let (h, min, s) = (t.next()??, t.next()??, t.next().flatten().unwrap_or(0));
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 24 + h) * 60 + min) * 60_000 + s * 1000 + millis.parse::<i64>().ok()?)
}

#[cfg(test)]
mod tests {
    use super::parse_datetime;

    #[test]
    fn datetimes() {
        assert_eq!(parse_datetime("1970-01-01T00:00:05.000"), Some(5_000));
        assert_eq!(parse_datetime("2024-01-01T00:00:00.000"), Some(1_704_067_200_000));
        assert_eq!(parse_datetime("yesterday"), None);
    }
}
