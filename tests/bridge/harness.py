"""Starts `kafkalab broker` for a bridge test and stops it afterwards.

Each test gets its own ports (KAFKALAB_BRIDGE_PORT, default 19092, plus an offset) so that a
broker left over from an aborted run cannot answer for the one under test.
"""
import contextlib
import os
import socket
import subprocess
import sys
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
