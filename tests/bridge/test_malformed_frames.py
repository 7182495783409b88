"""Random and truncated frames against `kafkalab broker`: each bad connection is closed (with a
log line saying why) or answered with UNSUPPORTED_VERSION, and the process keeps serving a
real client afterwards."""
import random
import socket
import struct

from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import NewTopic

from harness import broker, check


def send(port, payload, read=True):
    """Sends raw bytes; returns what came back before the bridge closed or 2 s passed."""
    with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
        s.sendall(payload)
        if not read:
            return b""
        s.shutdown(socket.SHUT_WR)
        data = b""
        try:
            while chunk := s.recv(65536):
                data += chunk
        except (socket.timeout, ConnectionResetError):
            pass
        return data


def frame(body):
    return struct.pack(">i", len(body)) + body


def header(api_key, version, correlation_id=7, client_id=b"fuzz"):
    return struct.pack(">hhih", api_key, version, correlation_id, len(client_id)) + client_id


def main():
    rng = random.Random(19)
    with broker(offset=40) as (bootstrap, process, log):
        port = int(bootstrap[0].rsplit(":", 1)[1])
        # ApiVersions in a version the bridge does not serve: v0 with UNSUPPORTED_VERSION (35) and
        # the served versions, as Kafka answers.
        answer = send(port, frame(header(18, 99)))
        check(len(answer) >= 10, f"ApiVersions v99 is answered: {answer!r}")
        size, correlation_id, error = struct.unpack(">iih", answer[:10])
        check((correlation_id, error) == (7, 35), f"UNSUPPORTED_VERSION for ApiVersions v99: {error}")
        # Fetch v13 (topic ids, which the simulation lacks): its response has a request-wide
        # error code, UNSUPPORTED_VERSION. v13 is flexible: header v1 ends with a tag count.
        answer = send(port, frame(header(1, 13) + b"\x00"))
        check(len(answer) >= 16, f"Fetch v13 is answered: {answer!r}")
        # size, correlation id, header tags (0), throttle_time_ms, error_code
        _, correlation_id, tags, _, error = struct.unpack(">iibih", answer[:15])
        check((correlation_id, error) == (7, 35), f"UNSUPPORTED_VERSION for Fetch v13: {error}")
        bad = [
            b"\x00\x00",                                          # a truncated size
            struct.pack(">i", -5),                                # a negative size
            struct.pack(">i", 2_000_000_000),                     # above socket.request.max.bytes
            struct.pack(">i", 100) + b"short",                    # a frame cut off
            frame(b"\x01"),                                       # shorter than a header
            frame(header(9999, 0)),                               # an unknown API key
            frame(header(3, 12) + b"\xff\xff\xff\xff\xff"),       # Metadata with a garbage body
            frame(header(0, 9) + b"\x00"),                        # a truncated Produce
        ]
        for i in range(200):
            body = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 64)))
            if i % 2:
                # A valid header of a served API, then random bytes: the decoder must refuse them.
                api_key, version = rng.choice([(3, 0), (3, 12), (0, 3), (1, 4), (11, 5), (8, 2), (19, 7), (32, 1)])
                body = header(api_key, version) + body
            bad.append(frame(body))
        for payload in bad:
            send(port, payload)
            check(process.poll() is None, f"the process survives {payload[:24]!r}")
        # Another client is served as before.
        admin = KafkaAdminClient(bootstrap_servers=bootstrap)
        admin.create_topics([NewTopic("after-fuzz", 1, 3)])
        producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
        producer.send("after-fuzz", b"still serving").get(timeout=30)
        producer.close()
        admin.close()
        with open(log) as f:
            closed = [line for line in f if "closing the connection" in line]
        check(len(closed) >= len(bad) // 2, f"bad connections are logged: {len(closed)} lines")
        print(f"malformed frames: {len(bad)} bad connections closed or answered ({len(closed)} log lines); "
              f"the process kept serving")


if __name__ == "__main__":
    main()
