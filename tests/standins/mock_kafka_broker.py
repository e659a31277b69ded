#!/usr/bin/env python3
"""Test helper (not a stand-in for a product): runs librdkafka's mock cluster in this process
until SIGTERM, so the Kafka Connect stand-in's tests have a broker before the lead's
`streamcheck broker start` lands on main. It writes STATE_DIR/broker.json with
{"bootstrap_servers": ..., "pid": ...}, the same shape `streamcheck broker start` writes.

Usage: mock_kafka_broker.py --state-dir DIR [--brokers 1] [--topic NAME:PARTITIONS ...]
"""
import argparse
import ctypes
import json
import os
import signal
import threading

lib = ctypes.CDLL("librdkafka.so.1")
lib.rd_kafka_conf_new.restype = ctypes.c_void_p
lib.rd_kafka_conf_set.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t]
lib.rd_kafka_new.restype = ctypes.c_void_p
lib.rd_kafka_new.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
lib.rd_kafka_mock_cluster_new.restype = ctypes.c_void_p
lib.rd_kafka_mock_cluster_new.argtypes = [ctypes.c_void_p, ctypes.c_int]
lib.rd_kafka_mock_cluster_bootstraps.restype = ctypes.c_char_p
lib.rd_kafka_mock_cluster_bootstraps.argtypes = [ctypes.c_void_p]
lib.rd_kafka_mock_topic_create.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int]
lib.rd_kafka_mock_cluster_destroy.argtypes = [ctypes.c_void_p]
lib.rd_kafka_destroy.argtypes = [ctypes.c_void_p]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state-dir", required=True)
    parser.add_argument("--brokers", type=int, default=1)
    parser.add_argument("--topic", action="append", default=[], help="NAME:PARTITIONS, created up front")
    args = parser.parse_args()

    errbuf = ctypes.create_string_buffer(512)
    conf = lib.rd_kafka_conf_new()
    # The mock cluster needs a client handle to live in; a producer that never produces will do.
    rk = lib.rd_kafka_new(0, conf, errbuf, 512)  # rd_kafka_new owns conf on success
    if not rk:
        raise SystemExit("mock broker: rd_kafka_new failed: " + errbuf.value.decode())
    cluster = lib.rd_kafka_mock_cluster_new(rk, args.brokers)
    if not cluster:
        raise SystemExit("mock broker: rd_kafka_mock_cluster_new failed")
    for spec in args.topic:
        name, _, partitions = spec.partition(":")
        lib.rd_kafka_mock_topic_create(cluster, name.encode(), int(partitions or 1), 1)
    bootstrap = lib.rd_kafka_mock_cluster_bootstraps(cluster).decode()

    os.makedirs(args.state_dir, exist_ok=True)
    tmp = os.path.join(args.state_dir, "broker.json.tmp")
    with open(tmp, "w") as f:
        json.dump({"bootstrap_servers": bootstrap, "pid": os.getpid()}, f)
    os.replace(tmp, os.path.join(args.state_dir, "broker.json"))
    print(f"mock broker: {bootstrap}", flush=True)

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    while not done.wait(1):
        pass
    lib.rd_kafka_mock_cluster_destroy(cluster)
    lib.rd_kafka_destroy(rk)


if __name__ == "__main__":
    main()
