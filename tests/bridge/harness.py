"""Starts `kafkalab broker` for a bridge test and stops it afterwards.

Each test gets its own ports (KAFKALAB_BRIDGE_PORT, default 19092, plus an offset) so that a
broker left over from an aborted run cannot answer for the one under test.
"""
import collections
import contextlib
import os
import socket
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("KAFKALAB_BIN", os.path.join(ROOT, "target", "release", "kafkalab"))


def port_open(port):
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def base_port(offset):
    return int(os.environ.get("KAFKALAB_BRIDGE_PORT", "19092")) + offset


@contextlib.contextmanager
def broker(offset, brokers=3, speed=1.0, extra=()):
    """Runs `kafkalab broker` on 127.0.0.1:BASE+offset.. and yields the bootstrap list."""
    port = base_port(offset)
    for p in range(port, port + brokers):
        if port_open(p):
            sys.exit(f"port {p} is already in use; set KAFKALAB_BRIDGE_PORT to a free range")
    log = open(os.path.join(os.environ.get("KAFKALAB_BRIDGE_LOGS", "/tmp"), f"kafkalab-broker-{port}.log"), "w")
    process = subprocess.Popen(
        [BINARY, "broker", "--brokers", str(brokers), "--listen", f"127.0.0.1:{port}", "--speed", str(speed), *extra],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.time() + 20
        while not all(port_open(p) for p in range(port, port + brokers)):
            if process.poll() is not None or time.time() > deadline:
                sys.exit(f"kafkalab broker did not start (see {log.name})")
            time.sleep(0.1)
        yield [f"127.0.0.1:{p}" for p in range(port, port + brokers)], process, log.name
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def run_group(consume, bootstrap, records, leave_after=200, timeout=120):
    """Starts consumer-2, which leaves the group after `leave_after` records, then (once it has
    records) consumer-1, which stays, until `records` were received (or `timeout` s), lets the last commit land, and
    waits for consumer-2 to leave. `consume(bootstrap, name, received, lock, stop, leave_after)`
    appends (name, key, sequence, partition, offset) to `received` and returns its count.
    Returns (received, results by "c1"/"c2", stop, the running consumer-1 thread)."""
    received, lock, stop, results = [], threading.Lock(), threading.Event(), {}
    leaver = threading.Thread(
        target=lambda: results.update(c2=consume(bootstrap, "consumer-2", received, lock, stop, leave_after=leave_after))
    )
    stayer = threading.Thread(target=lambda: results.update(c1=consume(bootstrap, "consumer-1", received, lock, stop)))
    # consumer-2 first, and consumer-1 once it has records: started together, a slow machine let
    # consumer-1 take every record before consumer-2 had its first assignment.
    leaver.start()
    deadline = time.time() + timeout
    while time.time() < deadline:
        with lock:
            if received:
                break
        time.sleep(0.05)
    stayer.start()
    while time.time() < deadline:
        with lock:
            if len(received) >= records:
                break
        time.sleep(0.2)
    time.sleep(1)
    leaver.join(timeout=30)
    return received, results, stop, stayer


def check_exactly_once_in_key_order(received, results, records):
    """Every record once, each key's sequence numbers in order, and consumer-2 took some."""
    check(len(received) == records, f"received {len(received)} of {records} records (duplicates or losses)")
    seen = collections.Counter((p, o) for _, _, _, p, o in received)
    check(all(n == 1 for n in seen.values()), "every record received exactly once")
    by_key = collections.defaultdict(list)
    for _, key, sequence, _, _ in received:
        by_key[key].append(sequence)
    for key, sequences in by_key.items():
        check(sequences == list(range(len(sequences))), f"{key}: received in order")
    check(results.get("c2", 0) > 0, "the leaving consumer consumed before it left")
