#!/usr/bin/env python3
"""STAND-IN, for tests only: a Kafka broker's SASL listener that refuses every login, as Apache
Kafka's does when the credentials are wrong, revoked or expired. No Kafka broker with SASL can
run here (no Kafka distribution, no container engine), and librdkafka's mock cluster has no
SASL, so this answers just the part of the protocol a client crosses before it is let in.

Usage: kafka_sasl_standin.py PORT [MECHANISM ...]     (default mechanisms: PLAIN SCRAM-SHA-256 SCRAM-SHA-512)

What it does, as Apache Kafka's SaslServerAuthenticator does (Kafka 3.x/4.x, KIP-152, KIP-43):
  - ApiVersions (key 18) v0-v3, v3 flexible (request header v2); the response header is v0 for
    every version. A version above 3 gets UNSUPPORTED_VERSION (35) in v0 format, as Kafka
    answers a newer client.
  - SaslHandshake (17) v0-v1: error 0 with the enabled mechanisms, or UNSUPPORTED_SASL_MECHANISM
    (33) with them when the client asks for another.
  - SaslAuthenticate (36) v0-v1: error SASL_AUTHENTICATION_FAILED (58) with the message
    PlainSaslServer gives, "Authentication failed: Invalid username or password" (SCRAM:
    "Authentication failed during authentication due to invalid credentials with SASL mechanism
    SCRAM-SHA-256"), then the connection is closed after connection.failed.authentication.delay.ms
    (Kafka's default 100 ms).
  - Any other request before authentication: the connection is closed (Kafka: "Unexpected Kafka
    request of type ... during SASL handshake").
Each login attempt is logged on stderr with the user name, never the password.
"""
import socketserver
import struct
import sys
import time

SASL_HANDSHAKE, API_VERSIONS, SASL_AUTHENTICATE = 17, 18, 36
UNSUPPORTED_SASL_MECHANISM, UNSUPPORTED_VERSION, SASL_AUTHENTICATION_FAILED = 33, 35, 58
FAILED_AUTHENTICATION_DELAY = 0.1
# What a Kafka 3.7 broker lists (enough for a client to go on to authenticate).
ADVERTISED = [(0, 0, 9), (1, 0, 13), (2, 0, 7), (3, 0, 12), (8, 0, 8), (9, 0, 8), (10, 0, 4), (11, 0, 9),
              (12, 0, 4), (13, 0, 5), (14, 0, 5), (15, 0, 5), (16, 0, 4), (SASL_HANDSHAKE, 0, 1),
              (API_VERSIONS, 0, 3), (19, 0, 7), (20, 0, 6), (SASL_AUTHENTICATE, 0, 1)]


def uvarint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def kafka_string(s):
    raw = s.encode()
    return struct.pack(">h", len(raw)) + raw


class Reader:
    def __init__(self, data):
        self.data, self.at = data, 0

    def take(self, n):
        piece = self.data[self.at:self.at + n]
        if len(piece) != n:
            raise ValueError("short request")
        self.at += n
        return piece

    def int16(self):
        return struct.unpack(">h", self.take(2))[0]

    def int32(self):
        return struct.unpack(">i", self.take(4))[0]

    def uvarint(self):
        shift = value = 0
        while True:
            byte = self.take(1)[0]
            value |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return value
            shift += 7

    def string(self):
        n = self.int16()
        return None if n < 0 else self.take(n).decode(errors="replace")

    def bytes32(self):
        n = self.int32()
        return b"" if n < 0 else self.take(n)

    def skip_tagged_fields(self):
        for _ in range(self.uvarint()):
            self.uvarint()
            self.take(self.uvarint())


def api_versions_body(version, error=0):
    if version >= 3:
        body = struct.pack(">h", error) + uvarint(len(ADVERTISED) + 1)
        body += b"".join(struct.pack(">hhh", k, lo, hi) + uvarint(0) for k, lo, hi in ADVERTISED)
        return body + struct.pack(">i", 0) + uvarint(0)
    body = struct.pack(">hi", error, len(ADVERTISED)) + b"".join(struct.pack(">hhh", *a) for a in ADVERTISED)
    return body + (struct.pack(">i", 0) if version >= 1 else b"")


def rejection_message(mechanism):
    if mechanism.startswith("SCRAM-"):
        return f"Authentication failed during authentication due to invalid credentials with SASL mechanism {mechanism}"
    return "Authentication failed: Invalid username or password"


class Listener(socketserver.BaseRequestHandler):
    mechanisms = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]

    def read_exactly(self, n):
        data = b""
        while len(data) < n:
            piece = self.request.recv(n - len(data))
            if not piece:
                raise ConnectionError("closed")
            data += piece
        return data

    def reply(self, correlation_id, body, flexible_header=False):
        header = struct.pack(">i", correlation_id) + (uvarint(0) if flexible_header else b"")
        payload = header + body
        self.request.sendall(struct.pack(">i", len(payload)) + payload)

    def handle(self):
        mechanism = None
        try:
            while True:
                size = struct.unpack(">i", self.read_exactly(4))[0]
                request = Reader(self.read_exactly(size))
                key, version, correlation_id = request.int16(), request.int16(), request.int32()
                request.string()  # client_id
                if key == API_VERSIONS:
                    if version > 3:
                        self.reply(correlation_id, api_versions_body(0, UNSUPPORTED_VERSION))
                        continue
                    if version >= 3:
                        request.skip_tagged_fields()
                    self.reply(correlation_id, api_versions_body(version))
                elif key == SASL_HANDSHAKE and version <= 1:
                    wanted = request.string() or ""
                    error = 0 if wanted in self.mechanisms else UNSUPPORTED_SASL_MECHANISM
                    mechanism = wanted if error == 0 else None
                    body = struct.pack(">hi", error, len(self.mechanisms)) + b"".join(kafka_string(m) for m in self.mechanisms)
                    self.reply(correlation_id, body)
                elif key == SASL_AUTHENTICATE and version <= 1 and mechanism:
                    token = request.bytes32()
                    user = token.split(b"\0")[1].decode(errors="replace") if mechanism == "PLAIN" and token.count(b"\0") >= 2 else "?"
                    print(f"sasl-standin: refused {mechanism} login of user {user!r}", file=sys.stderr, flush=True)
                    body = struct.pack(">h", SASL_AUTHENTICATION_FAILED) + kafka_string(rejection_message(mechanism)) + struct.pack(">i", 0)
                    if version >= 1:
                        body += struct.pack(">q", 0)
                    self.reply(correlation_id, body)
                    time.sleep(FAILED_AUTHENTICATION_DELAY)
                    return
                else:
                    print(f"sasl-standin: unexpected request of type {key} v{version} during SASL handshake; closing", file=sys.stderr, flush=True)
                    return
        except (ConnectionError, ValueError, struct.error):
            return


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


if __name__ == "__main__":
    port = int(sys.argv[1])
    if len(sys.argv) > 2:
        Listener.mechanisms = sys.argv[2:]
    with Server(("127.0.0.1", port), Listener) as server:
        print(f"sasl-standin: listening on 127.0.0.1:{port} ({', '.join(Listener.mechanisms)}); every login is refused", file=sys.stderr, flush=True)
        server.serve_forever()
