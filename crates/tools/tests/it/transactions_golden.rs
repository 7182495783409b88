//! `kafka-transactions.sh`. Source: apache/kafka `tools/.../TransactionsCommand.java` (trunk
//! 2025): `ListTransactionsCommand`, `DescribeTransactionsCommand` and
//! `DescribeProducersCommand`'s HEADERS, `prettyPrintTable` (each cell padded to its column's
//! widest value, then a tab), `printErrorAndExit(message, cause)`
//! ("…: CAUSE. Enable debug logging for additional detail."), and argparse4j's
//! `PROG[ COMMAND]: error: …` for bad arguments.
//!
//! The run: built-in `hanging-transaction`. batch-job (`transactional.id` batch-job-1,
//! `transaction.timeout.ms` 10000) writes one record to orders-0 at 3 s and crashes at 4 s; the
//! coordinator aborts the transaction once it timed out. shop is an idempotent producer.

use super::scenario::run_at;

const BOOT: &str = "kafka-transactions.sh --bootstrap-server localhost:9092";

fn run(at_ms: u64, args: &str) -> kafkalab_tools::Output {
    run_at("hanging-transaction", at_ms, &format!("{BOOT} {args}\n")).pop().expect("one command")
}

/// Kafka's table lines: cells padded to the widths and tab-terminated.
fn table(widths: &[usize], rows: &[&[&str]]) -> String {
    rows.iter().map(|r| r.iter().zip(widths).map(|(c, w)| format!("{c:<w$}\t")).collect::<String>() + "\n").collect()
}

#[test]
fn list_shows_the_open_transaction_then_its_abort() {
    let widths = [15, 11, 10, 16];
    let header: &[&str] = &["TransactionalId", "Coordinator", "ProducerId", "TransactionState"];
    let open = run(5_000, "list");
    assert_eq!(open.stdout, table(&widths, &[header, &["batch-job-1", "3", "3000000", "Ongoing"]]));
    assert_eq!((open.stderr.as_str(), open.status), ("", 0));
    let aborted = run(20_000, "list");
    assert_eq!(aborted.stdout, table(&widths, &[header, &["batch-job-1", "3", "3000000", "CompleteAbort"]]));
}

#[test]
fn describe_an_open_transaction() {
    let out = run(5_000, "describe --transactional-id batch-job-1");
    let header: &[&str] = &[
        "CoordinatorId",
        "TransactionalId",
        "ProducerId",
        "ProducerEpoch",
        "TransactionState",
        "TransactionTimeoutMs",
        "CurrentTransactionStartTimeMs",
        "TransactionDurationMs",
        "TopicPartitions",
    ];
    let widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    // Its first partition was added at 3018 ms; 1982 ms later it is still open.
    let row: &[&str] = &["3", "batch-job-1", "3000000", "0", "Ongoing", "10000", "3018", "1982", "orders-0"];
    assert_eq!(out.stdout, table(&widths, &[header, row]));
    assert_eq!(out.status, 0);
    // After the timeout's abort: the epoch was bumped and no partition is left.
    let after = run(20_000, "describe --transactional-id batch-job-1");
    let line = after.stdout.lines().nth(1).unwrap().split('\t').map(str::trim).collect::<Vec<_>>();
    assert_eq!(&line[..6], ["3", "batch-job-1", "3000000", "1", "CompleteAbort", "10000"]);
    assert_eq!(line[8], "");
}

#[test]
fn describe_producers_of_a_partition() {
    let out = run(5_000, "describe-producers --topic orders --partition 0");
    let header: &[&str] = &[
        "ProducerId",
        "ProducerEpoch",
        "LatestCoordinatorEpoch",
        "LastSequence",
        "LastTimestamp",
        "CurrentTransactionStartOffset",
    ];
    let widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    // shop (idempotent, no transaction) and batch-job's open transaction from offset 15; no
    // marker was written yet, so neither has a coordinator epoch.
    assert_eq!(
        out.stdout,
        table(
            &widths,
            &[header, &["2000000", "0", "-1", "23", "4800", "None"], &["3000000", "0", "-1", "0", "3006", "15"],]
        )
    );
    // A follower's replica knows the same producers (`--broker-id`).
    let on_follower = run(5_000, "describe-producers --topic orders --partition 0 --broker-id 2");
    assert_eq!(on_follower.stdout.lines().nth(2), out.stdout.lines().nth(2));
    // The abort marker closes the transaction and records the coordinator's epoch.
    let after = run(20_000, "describe-producers --topic orders --partition 0");
    let batch_job = after.stdout.lines().find(|l| l.starts_with("3000000")).unwrap();
    let cells: Vec<&str> = batch_job.split('\t').map(str::trim).collect();
    assert_eq!((cells[1], cells[5]), ("1", "None"));
    assert_ne!(cells[2], "-1");
}

/// `AbortTransactionCommand` (KIP-664): `--start-offset` finds batch-job's open transaction in
/// the leader's producer state; the ABORT marker closes it at once (Kafka prints nothing), long
/// before the coordinator's timeout would.
#[test]
fn abort_closes_the_open_transaction_on_the_partition() {
    let outs = run_at(
        "hanging-transaction",
        5_000,
        &format!(
            "{BOOT} abort --topic orders --partition 0 --start-offset 15\n{BOOT} describe-producers --topic orders --partition 0\n"
        ),
    );
    assert_eq!((outs[0].stdout.as_str(), outs[0].stderr.as_str(), outs[0].status), ("", "", 0));
    let batch_job = outs[1].stdout.lines().find(|l| l.starts_with("3000000")).unwrap();
    let cells: Vec<&str> = batch_job.split('\t').map(str::trim).collect();
    assert_eq!(cells[5], "None", "the transaction is closed: {}", outs[1].stdout);
}

/// `FindHangingTransactionsCommand`: HEADERS, and only transactions the coordinator does not
/// know. batch-job's transaction is open but its coordinator tracks orders-0, so it is not
/// hanging; with the default 15 minutes nothing is old enough anyway.
#[test]
fn find_hanging_lists_only_transactions_the_coordinator_lost() {
    let header =
        "Topic\tPartition\tProducerId\tProducerEpoch\tCoordinatorEpoch\tStartOffset\tLastTimestamp\tDuration(min)\t\n";
    for args in ["find-hanging --broker-id 1", "find-hanging --topic orders --max-transaction-timeout 0"] {
        let out = run(5_000, args);
        assert_eq!((out.stdout.as_str(), out.status), (header, 0), "{args}");
    }
}

#[test]
fn bad_input_gets_kafkas_messages() {
    let cases = [
        ("describe", "kafka-transactions.sh describe: error: argument --transactional-id is required\n"),
        (
            "describe --transactional-id nobody",
            "Failed to describe transaction state of transactional-id `nobody`: DescribeTransactions request for transactionalId `nobody` failed because the ID could not be found. Enable debug logging for additional detail.\n",
        ),
        (
            "describe-producers --topic orders --partition x",
            "kafka-transactions.sh describe-producers: error: argument --partition: could not convert 'x' to Integer (For input string: \"x\")\n",
        ),
        (
            "describe-producers --topic orders --partition 7",
            "Failed to describe producers for partition orders-7 on leader: This server does not host this topic-partition.. Enable debug logging for additional detail.\n",
        ),
        (
            "describe-producers --topic orders --partition 0 --broker-id 9",
            "Failed to describe producers for partition orders-0 on broker 9: For requests intended only for the leader, this error indicates that the broker is not the current leader. For requests intended for any replica, this error indicates that the broker is not a replica of the topic partition.. Enable debug logging for additional detail.\n",
        ),
        ("describe-producers --partition 0", "kafka-transactions.sh describe-producers: error: argument --topic is required\n"),
        ("list --all", "kafka-transactions.sh list: error: unrecognized arguments: '--all'\n"),
        (
            "frobnicate",
            "kafka-transactions.sh: error: invalid choice: 'frobnicate' (choose from 'list', 'describe', 'describe-producers', 'abort', 'find-hanging', 'force-terminate')\n",
        ),
        ("", "kafka-transactions.sh: error: too few arguments\n"),
        ("desc --transactional-id x", "kafka-transactions.sh: error: ambiguous command: desc could match describe, describe-producers\n"),
        (
            "abort --topic orders --p 0",
            "kafka-transactions.sh abort: error: ambiguous option: --p could match --partition, --producer-epoch, --producer-id\n",
        ),
        ("list extra words", "kafka-transactions.sh list: error: unrecognized arguments: 'extra words'\n"),
        ("describe --transactional-id", "kafka-transactions.sh describe: error: argument --transactional-id: expected one argument\n"),
        (
            "abort --topic orders --partition 0",
            "The transaction to abort must be identified either with --start-offset (for brokers on 3.0 or above) or with --producer-id, --producer-epoch, and --coordinator-epoch (for older brokers)\n",
        ),
        (
            "abort --topic orders --partition 0 --producer-id 3000000",
            "Missing required argument --producer-epoch\n",
        ),
        (
            "abort --topic orders --partition 0 --start-offset 14",
            "Could not find any open transactions starting at offset 14 on partition orders-0\n",
        ),
        (
            "find-hanging",
            "The `find-hanging` command requires either --topic or --broker-id to limit the scope of the search\n",
        ),
        ("find-hanging --broker-id 1 --partition 0", "The --partition argument requires --topic to be provided\n"),
    ];
    for (args, stderr) in cases {
        let out = run(5_000, args);
        assert_eq!((out.stdout.as_str(), out.stderr.as_str(), out.status), ("", stderr, 1), "{args}");
    }
    // argparse4j checks the global required options when it reaches the sub-command, and
    // without one says "too few arguments" first.
    let outs =
        run_at("hanging-transaction", 0, "kafka-transactions.sh list --transactional-id x\nkafka-transactions.sh\n");
    assert_eq!(outs[0].stderr, "kafka-transactions.sh: error: argument --bootstrap-server is required\n");
    assert_eq!(outs[1].stderr, "kafka-transactions.sh: error: too few arguments\n");
    // A unique prefix of a sub-command or an option is accepted.
    assert_eq!(
        run(5_000, "describe-p --top orders --part 0").stdout,
        run(5_000, "describe-producers --topic orders --partition 0").stdout
    );
}

#[test]
fn help_lists_the_commands() {
    let out = run(0, "--help");
    assert_eq!(out.status, 0);
    assert!(out.stdout.starts_with(
        "usage: kafka-transactions.sh [-h] [-v] [--command-config FILE] --bootstrap-server host:port COMMAND ...\n"
    ));
    assert!(out
        .stdout
        .contains("\n    describe-producers describe the states of active producers for a topic partition\n"));
    let sub = run(0, "describe-producers --help");
    assert!(sub.stdout.starts_with(
        "usage: kafka-transactions.sh describe-producers [-h] [--broker-id BROKER_ID] --topic TOPIC --partition PARTITION\n"
    ));
}

/// `force-terminate` (Kafka 4.1, KIP-939's `Admin.forceTerminateTransaction`): at 5 s the
/// crashed batch job's transaction is still open (its timeout would abort it at 13 s). The
/// admin's InitProducerId fences it (epoch 0 → 1) and aborts it; sent again after the abort, it
/// leaves the id Empty at epoch 2. Kafka prints nothing on success.
#[test]
fn force_terminate_aborts_the_open_transaction_now() {
    let outs = run_at(
        "hanging-transaction",
        5_000,
        &format!(
            "{BOOT} describe-producers --topic orders --partition 0\n{BOOT} force-terminate --transactional-id batch-job-1\n{BOOT} describe --transactional-id batch-job-1\n{BOOT} describe-producers --topic orders --partition 0\n"
        ),
    );
    let open_txn = |out: &kafkalab_tools::Output| {
        out.stdout
            .lines()
            .skip(1)
            .find(|l| l.starts_with("3000000"))
            .map(|l| l.split('\t').nth(5).unwrap().trim().to_string())
    };
    assert_ne!(open_txn(&outs[0]).as_deref(), Some("None"), "open before: {}", outs[0].stdout);
    assert_eq!((outs[1].stdout.as_str(), outs[1].stderr.as_str(), outs[1].status), ("", "", 0));
    let line = outs[2].stdout.lines().nth(1).unwrap().split('\t').map(str::trim).collect::<Vec<_>>();
    // Fenced (0 → 1) with the abort, then bumped again (→ 2) by the retry; the admin's timeout
    // (30 s) is the id's transaction timeout now.
    assert_eq!(&line[..7], ["3", "batch-job-1", "3000000", "2", "Empty", "30000", "None"]);
    // The ABORT marker closed it on the partition: the leader no longer holds it open.
    assert_eq!(open_txn(&outs[3]).as_deref(), Some("None"), "{}", outs[3].stdout);
}

#[test]
fn force_terminate_without_a_coordinator_fails() {
    let out = super::common::last(&format!("{BOOT} force-terminate --transactional-id nobody\n"));
    assert_eq!(out.status, 1);
    assert!(
        out.stderr.starts_with("Failed to force terminate transactional id `nobody`: no live broker coordinates transactional id `nobody` right now"),
        "{}",
        out.stderr
    );
}
