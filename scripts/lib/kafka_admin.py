#!/usr/bin/env python3
"""Kafka admin steps for the CI scripts on external clusters (kafka-python 2.0.2):
  kafka_admin.py cleanup --bootstrap-servers S --prefix P [--dry-run]
      deletes the topics and consumer groups whose names start with a run-id prefix, where the
      cluster allows it (scripts/cleanup-test-resources.sh);
  kafka_admin.py create-topic --bootstrap-servers S --topic T --partitions N [--replication-factor R]
      creates a topic; a topic that exists already is fine, and a cluster without CreateTopics
      (the embedded broker) leaves it to auto-creation (scripts/e2e-flows/*.sh).

Credentials come only from the environment, like streamcheck's: KAFKA_SECURITY_PROTOCOL,
KAFKA_SASL_MECHANISM, STREAMCHECK_KAFKA_SASL_USERNAME, STREAMCHECK_KAFKA_SASL_PASSWORD,
KAFKA_SSL_CA_FILE. Never printed.

Exit: 0 done (or nothing to do), 1 bad usage, 4 cluster unreachable or credentials rejected,
5 something matched but could not be deleted (e.g. the cluster has no delete API)."""
import argparse
import os
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["cleanup", "create-topic"])
    parser.add_argument("--bootstrap-servers", required=True)
    parser.add_argument("--prefix")
    parser.add_argument("--topic")
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--replication-factor", type=int, default=-1)
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--timeout-ms", type=int, default=20000)
    args = parser.parse_args()
    if args.command == "cleanup" and (not args.prefix or len(args.prefix) < 4):
        parser.error("cleanup needs --prefix of at least 4 characters")
    if args.command == "create-topic" and not args.topic:
        parser.error("create-topic needs --topic")

    try:
        from kafka import KafkaAdminClient
        from kafka.errors import KafkaError
    except ImportError:
        print("kafka_admin: kafka-python is not installed (bash scripts/setup.sh)", file=sys.stderr)
        return 5

    settings = {
        "bootstrap_servers": args.bootstrap_servers.split(","),
        "client_id": "streamcheck-ci",
        "request_timeout_ms": args.timeout_ms,
        "security_protocol": os.environ.get("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT"),
    }
    if settings["security_protocol"].startswith("SASL"):
        settings["sasl_mechanism"] = os.environ.get("KAFKA_SASL_MECHANISM", "PLAIN")
        settings["sasl_plain_username"] = os.environ.get("STREAMCHECK_KAFKA_SASL_USERNAME", "")
        settings["sasl_plain_password"] = os.environ.get("STREAMCHECK_KAFKA_SASL_PASSWORD", "")
    if os.environ.get("KAFKA_SSL_CA_FILE"):
        settings["ssl_cafile"] = os.environ["KAFKA_SSL_CA_FILE"]

    try:
        admin = KafkaAdminClient(**settings)
    except Exception as error:  # noqa: BLE001 - any failure to connect means the same to the user
        print(f"kafka_admin: cannot connect to {args.bootstrap_servers}: {type(error).__name__}; "
              "check KAFKA_BOOTSTRAP_SERVERS and the credentials", file=sys.stderr)
        return 4

    if args.command == "create-topic":
        try:
            return create_topic(admin, args)
        finally:
            admin.close()
    problems = 0
    try:
        topics = sorted(t for t in admin.list_topics() if t.startswith(args.prefix))
        groups = []
        try:
            groups = sorted(g for g, _ in admin.list_consumer_groups() if g.startswith(args.prefix))
        except (KafkaError, Exception) as error:  # noqa: BLE001
            print(f"kafka_admin: cannot list consumer groups ({type(error).__name__}); groups of {args.prefix} not checked",
                  file=sys.stderr)
            problems += 1
        if args.dry_run:
            for t in topics:
                print(f"would delete topic {t}")
            for g in groups:
                print(f"would delete consumer group {g}")
            return 0
        if topics:
            try:
                admin.delete_topics(topics, timeout_ms=args.timeout_ms)
                for t in topics:
                    print(f"deleted topic {t}")
            except Exception as error:  # noqa: BLE001
                print(f"kafka_admin: cannot delete topics {', '.join(topics)}: {type(error).__name__} "
                      "(the cluster may not allow deletes)", file=sys.stderr)
                problems += 1
        if groups:
            try:
                admin.delete_consumer_groups(groups)
                for g in groups:
                    print(f"deleted consumer group {g}")
            except Exception as error:  # noqa: BLE001
                print(f"kafka_admin: cannot delete consumer groups {', '.join(groups)}: {type(error).__name__}",
                      file=sys.stderr)
                problems += 1
        if not topics and not groups:
            print(f"no topic or consumer group starts with {args.prefix}")
    finally:
        admin.close()
    return 5 if problems else 0


def create_topic(admin, args):
    from kafka.admin import NewTopic
    from kafka.errors import TopicAlreadyExistsError, IncompatibleBrokerVersion, UnsupportedVersionError
    # -1 (the cluster's default replication) needs CreateTopics v4; older clusters need a number.
    replication = args.replication_factor if args.replication_factor > 0 else 3
    try:
        admin.create_topics([NewTopic(args.topic, args.partitions, replication)], timeout_ms=args.timeout_ms)
        print(f"created topic {args.topic} ({args.partitions} partitions)")
    except TopicAlreadyExistsError:
        print(f"topic {args.topic} exists already")
    except (IncompatibleBrokerVersion, UnsupportedVersionError, AttributeError) as error:
        print(f"kafka_admin: the cluster cannot create topics ({type(error).__name__}): {args.topic} is left to auto-creation",
              file=sys.stderr)
    except Exception as error:  # noqa: BLE001
        print(f"kafka_admin: cannot create topic {args.topic}: {type(error).__name__}: {error}", file=sys.stderr)
        return 5
    return 0


if __name__ == "__main__":
    sys.exit(main())
