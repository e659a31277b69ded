# End-to-end connector flows, run for real: the embedded broker, the Kafka Connect STAND-IN
# (tests/standins/kafka_connect_standin.py, tests only: no Kafka Connect runtime can be installed
# here), a real PostgreSQL 15 and moto's S3 API. scripts/test.d/20-terraform.sh starts Postgres and
# moto, exports STREAMCHECK_POSTGRES_URL and AWS_* (environment only) and passes the endpoints as
# TF_VAR_postgres_jdbc_url and TF_VAR_s3_endpoint.
#
#   (1) produce -> topic -> JDBC sink -> verify-sink postgres, and consume verifies the topic
#   (2) seed-source s3 -> S3 source -> topic -> consume (records identified by content)
#   (3) seed-source s3 -> S3 source -> topic -> JDBC sink -> table, and the topic between them
#   recovery: a sink task fails mid-run, wait reports FAILED with the trace, restart brings it
#             back, the table ends complete with only the copies at-least-once allows
#   offsets:  stop -> offsets reset -> resume delivers the topic again into an emptied table
#   (9) produce --data-format avro (Schema Registry stand-in, Confluent framing) -> topic -> JDBC
#       sink with value.converter=AvroConverter -> table typed from the Avro schema -> verify-sink
#       postgres; the same topic read by a sink without the converter FAILS with JsonConverter's
#       real DataException
#
# Every run has its own state_key: runs sharing a module would otherwise share state, and a later
# run would replace (delete) what an earlier one created. Teardown runs in reverse order:
# connectors are deleted while the stand-in still runs, then the stand-in and the broker stop.
# Every file goes under .work/connectors and is removed by the destroy provisioners.

run "check_services" {
  command = plan
  assert {
    condition     = var.postgres_jdbc_url != "" && var.s3_endpoint != ""
    error_message = "connectors.tftest.hcl needs Postgres and moto: run it through scripts/test.d/20-terraform.sh (it sets TF_VAR_postgres_jdbc_url and TF_VAR_s3_endpoint)."
  }
}

run "broker" {
  state_key = "broker"
  module {
    source = "../terraform-modules/embedded-broker"
  }
  variables {
    state_dir = ".work/connectors/broker"
    topics = [
      { name = "pg_orders", partitions = 3 },
      { name = "s3_orders", partitions = 2 },
      { name = "s3pg_orders", partitions = 2 },
      { name = "recovery_orders", partitions = 1 },
      { name = "avro_orders", partitions = 2 },
    ]
  }
}

run "connect" {
  state_key = "connect"
  module {
    source = "./helpers/kafka-connect-standin"
  }
  variables {
    state_dir         = ".work/connectors/connect"
    bootstrap_servers = run.broker.bootstrap_servers
  }
}

# ---- (1) producer -> topic -> JDBC/Postgres sink -> table, and the topic itself ------------------

run "pg_sink" {
  state_key = "pg_sink"
  module {
    source = "../terraform-modules/connector"
  }
  variables {
    name           = "pg-sink"
    connect_url    = run.connect.connect_url
    result_dir     = ".work/connectors/results"
    expected_tasks = 2
    config = {
      "connector.class" = "io.confluent.connect.jdbc.JdbcSinkConnector"
      "topics"          = "pg_orders"
      "tasks.max"       = "2"
      "connection.url"  = var.postgres_jdbc_url
      "connection.user" = "postgres"
      # Resolved by streamcheck from its environment just before sending: never in state.
      "connection.password" = "$${env:STREAMCHECK_TEST_PG_PASSWORD}"
      "insert.mode"         = "insert"
      "auto.create"         = "true"
      "table.name.format"   = "pg_orders"
    }
  }
  assert {
    condition     = output.state == "RUNNING" && output.tasks_running == 2
    error_message = "the JDBC sink should run with 2 tasks, got ${output.state}"
  }
}

run "pg_produce" {
  state_key = "pg_produce"
  module {
    source = "../terraform-modules/kafka-produce"
  }
  variables {
    bootstrap_servers = run.broker.bootstrap_servers
    topic             = "pg_orders"
    message_count     = 500
    seed              = 21
    output_dir        = ".work/connectors"
    run_id            = "flow-pg"
  }
  assert {
    condition     = output.messages_produced == 500
    error_message = "every message should be acknowledged"
  }
}

run "pg_table" {
  state_key = "pg_table"
  module {
    source = "./helpers/streamcheck-step"
  }
  variables {
    words       = ["verify-sink", "postgres"]
    args        = ["--manifest", run.pg_produce.manifest, "--table", "pg_orders", "--key-column", "event_id", "--timeout", "60s", "--poll-interval", "250ms"]
    result_file = ".work/connectors/pg-table.json"
  }
  assert {
    condition     = output.result.passed && output.result.failed_checks == ""
    error_message = "the table should hold exactly what was produced: ${output.result.failed_checks}"
  }
  assert {
    condition     = output.result.rows_found == 500 && output.result.duplicates == 0 && output.result.mismatched == 0
    error_message = "500 rows, none duplicated or changed"
  }
  assert {
    condition     = output.result.delivery_guarantee == "exactly-once"
    error_message = "the report should state the guarantee it judged by"
  }
}

run "pg_topic" {
  state_key = "pg_topic"
  module {
    source = "../terraform-modules/kafka-consume-verify"
  }
  variables {
    bootstrap_servers = run.broker.bootstrap_servers
    manifest          = run.pg_produce.manifest
    output_dir        = ".work/connectors"
    name              = "pg-topic"
  }
  assert {
    condition     = output.passed && output.messages_consumed == 500 && output.result.missing == 0
    error_message = "the topic should hold the 500 produced messages: ${output.failed_checks}"
  }
}

# ---- (2) seed-source s3 -> S3 source connector -> topic -> consumer -------------------------------

run "s3_seed" {
  state_key = "s3_seed"
  module {
    source = "./helpers/streamcheck-step"
  }
  variables {
    words = ["seed-source", "s3"]
    args = ["--bucket", "flow-source", "--prefix", "s3-orders/", "--create-bucket", "true", "--message-count", "300",
      "--records-per-object", "100", "--seed", "22", "--topic", "s3_orders", "--run-id", "flow-s3",
    "--manifest", ".work/connectors/s3.manifest"]
    result_file       = ".work/connectors/s3-seed.json"
    remove_at_destroy = [".work/connectors/s3.manifest"]
  }
}

run "s3_source" {
  state_key = "s3_source"
  module {
    source = "../terraform-modules/connector"
  }
  variables {
    name        = "s3-source"
    connect_url = run.connect.connect_url
    result_dir  = ".work/connectors/results"
    config = {
      "connector.class" = "io.confluent.connect.s3.source.S3SourceConnector"
      "s3.bucket.name"  = "flow-source"
      "s3.prefix"       = "s3-orders/"
      "kafka.topic"     = "s3_orders"
      "store.url"       = var.s3_endpoint
    }
  }
  assert {
    condition     = output.state == "RUNNING"
    error_message = "the S3 source should run"
  }
}

run "s3_topic" {
  state_key = "s3_topic"
  module {
    source = "../terraform-modules/kafka-consume-verify"
  }
  variables {
    bootstrap_servers = run.broker.bootstrap_servers
    manifest          = ".work/connectors/s3.manifest"
    timeout           = "60s"
    output_dir        = ".work/connectors"
    name              = "s3-topic"
  }
  assert {
    condition     = output.passed && output.messages_consumed == 300 && output.result.missing == 0 && output.result.duplicates == 0
    error_message = "the topic should hold the 300 seeded records once each: ${output.failed_checks}"
  }
  assert {
    condition     = output.result.identified_by_content == 300
    error_message = "the source connector's records carry no streamcheck headers: each should be identified by content"
  }
}

# ---- (3) seed-source s3 -> S3 source -> topic -> JDBC sink -> table ------------------------------

run "s3pg_seed" {
  state_key = "s3pg_seed"
  module {
    source = "./helpers/streamcheck-step"
  }
  variables {
    words = ["seed-source", "s3"]
    args = ["--bucket", "flow-source", "--prefix", "s3pg-orders/", "--message-count", "400", "--records-per-object", "100",
    "--seed", "23", "--topic", "s3pg_orders", "--run-id", "flow-s3pg", "--manifest", ".work/connectors/s3pg.manifest"]
    result_file       = ".work/connectors/s3pg-seed.json"
    remove_at_destroy = [".work/connectors/s3pg.manifest"]
  }
}

run "s3pg_source" {
  state_key = "s3pg_source"
  module {
    source = "../terraform-modules/connector"
  }
  variables {
    name        = "s3pg-source"
    connect_url = run.connect.connect_url
    result_dir  = ".work/connectors/results"
    config = {
      "connector.class" = "io.confluent.connect.s3.source.S3SourceConnector"
      "s3.bucket.name"  = "flow-source"
      "s3.prefix"       = "s3pg-orders/"
      "kafka.topic"     = "s3pg_orders"
      "store.url"       = var.s3_endpoint
    }
  }
}

run "s3pg_sink" {
  state_key = "s3pg_sink"
  module {
    source = "../terraform-modules/connector"
  }
  variables {
    name           = "s3pg-sink"
    connect_url    = run.connect.connect_url
    result_dir     = ".work/connectors/results"
    expected_tasks = 2
    config = {
      "connector.class"     = "io.confluent.connect.jdbc.JdbcSinkConnector"
      "topics"              = "s3pg_orders"
      "tasks.max"           = "2"
      "connection.url"      = var.postgres_jdbc_url
      "connection.user"     = "postgres"
      "connection.password" = "$${env:STREAMCHECK_TEST_PG_PASSWORD}"
      "insert.mode"         = "upsert"
      "pk.mode"             = "record_value"
      "pk.fields"           = "event_id"
      "auto.create"         = "true"
      "table.name.format"   = "s3pg_orders"
    }
  }
}

run "s3pg_topic" {
  state_key = "s3pg_topic"
  module {
    source = "../terraform-modules/kafka-consume-verify"
  }
  variables {
    bootstrap_servers = run.broker.bootstrap_servers
    manifest          = ".work/connectors/s3pg.manifest"
    timeout           = "60s"
    output_dir        = ".work/connectors"
    name              = "s3pg-topic"
  }
  assert {
    condition     = output.passed && output.messages_consumed == 400 && output.result.identified_by_content == 400
    error_message = "the topic between source and sink should hold the 400 seeded records: ${output.failed_checks}"
  }
}

run "s3pg_table" {
  state_key = "s3pg_table"
  module {
    source = "./helpers/streamcheck-step"
  }
  variables {
    words       = ["verify-sink", "postgres"]
    args        = ["--manifest", ".work/connectors/s3pg.manifest", "--table", "s3pg_orders", "--key-column", "event_id", "--timeout", "60s", "--poll-interval", "250ms"]
    result_file = ".work/connectors/s3pg-table.json"
  }
  assert {
    condition     = output.result.passed && output.result.rows_found == 400 && output.result.rows_expected == 400
    error_message = "the table at the end of S3 -> source -> topic -> sink should hold the 400 seeded records: ${output.result.failed_checks}"
  }
}

# ---- recovery: a sink task fails mid-run ---------------------------------------------------------

run "recovery_sink" {
  state_key = "recovery_sink"
  module {
    source = "../terraform-modules/connector"
  }
  variables {
    name           = "recovery-sink"
    connect_url    = run.connect.connect_url
    result_dir     = ".work/connectors/results"
    expected_tasks = 1
    config = {
      "connector.class"   = "io.confluent.connect.jdbc.JdbcSinkConnector"
      "topics"            = "recovery_orders"
      "connection.url"    = var.postgres_jdbc_url
      "connection.user"   = "postgres"
      "insert.mode"       = "insert"
      "auto.create"       = "true"
      "batch.size"        = "50"
      "table.name.format" = "recovery_orders"
    }
  }
}

# Armed before any data exists: task 0 fails after writing 120 records, with a Connect-style trace.
run "recovery_fault" {
  state_key = "recovery_fault"
  module {
    source = "./helpers/connect-standin-fault"
  }
  variables {
    connect_url = run.connect.connect_url
    action      = "fail-task"
    body = jsonencode({
      connector     = "recovery-sink"
      task          = 0
      after_records = 120
      trace         = "org.apache.kafka.connect.errors.ConnectException: java.sql.SQLException: connection reset (injected by the stand-in)\n\tat io.confluent.connect.jdbc.sink.JdbcSinkTask.put(JdbcSinkTask.java:122)"
    })
  }
}

run "recovery_produce" {
  state_key = "recovery_produce"
  module {
    source = "../terraform-modules/kafka-produce"
  }
  variables {
    bootstrap_servers = run.broker.bootstrap_servers
    topic             = "recovery_orders"
    message_count     = 400
    seed              = 24
    output_dir        = ".work/connectors"
    run_id            = "flow-recovery"
  }
}

# While the task is down the table stays incomplete: verify-sink waits its bound and says so.
run "recovery_midrun" {
  state_key = "recovery_midrun"
  module {
    source = "./helpers/streamcheck-step"
  }
  variables {
    words       = ["verify-sink", "postgres"]
    args        = ["--manifest", run.recovery_produce.manifest, "--table", "recovery_orders", "--key-column", "event_id", "--timeout", "10s", "--poll-interval", "250ms", "--expect-failed-checks", "row_count,key_set"]
    result_file = ".work/connectors/recovery-midrun.json"
  }
  assert {
    condition     = !output.result.passed && output.result.as_expected && !output.result.complete && output.result.rows_found == 120
    error_message = "the failed task should have written exactly the 120 records before the fault, got ${output.result.rows_found}"
  }
}

run "recovery_wait_failed" {
  state_key = "recovery_wait_failed"
  module {
    source = "./helpers/streamcheck-step"
  }
  variables {
    words       = ["connector", "wait"]
    args        = ["--connect-url", run.connect.connect_url, "--name", "recovery-sink", "--timeout", "30s", "--expect-failed-checks", "task_states"]
    result_file = ".work/connectors/recovery-wait-failed.json"
  }
  assert {
    condition     = output.result.passed == false && output.result.as_expected && output.result.timed_out == false && output.result.failed_tasks == 1
    error_message = "wait should stop at once on the FAILED task"
  }
  assert {
    condition     = strcontains(output.result.trace, "connection reset (injected by the stand-in)") && strcontains(output.result.trace, "JdbcSinkTask.put")
    error_message = "wait should return the task's trace, got: ${output.result.trace}"
  }
}

run "recovery_restart" {
  state_key = "recovery_restart"
  module {
    source = "./helpers/streamcheck-step"
  }
  variables {
    words       = ["connector", "restart"]
    args        = ["--connect-url", run.connect.connect_url, "--name", "recovery-sink", "--include-tasks", "true", "--only-failed", "true"]
    result_file = ".work/connectors/recovery-restart.json"
  }
  assert {
    condition     = output.result.only_failed && output.result.tasks_restarting == 1
    error_message = "restart --only-failed should restart just the failed task"
  }
}

run "recovery_running" {
  state_key = "recovery_running"
  module {
    source = "../terraform-modules/connector-wait"
  }
  variables {
    name           = "recovery-sink"
    connect_url    = run.connect.connect_url
    expected_tasks = 1
    timeout        = "30s"
    result_dir     = ".work/connectors/results/recovered"
    triggers       = { restarted = run.recovery_restart.result.connector }
  }
  assert {
    condition     = output.state == "RUNNING" && output.tasks_running == 1 && output.failed_tasks == 0
    error_message = "after the restart the connector and its task should be RUNNING"
  }
}

# Complete, judged at-least-once: the only copies allowed are the redelivered ones, at most the
# 120 rows written before the failure (their offsets were never committed).
run "recovery_table" {
  state_key = "recovery_table"
  module {
    source = "./helpers/streamcheck-step"
  }
  variables {
    words = ["verify-sink", "postgres"]
    args = ["--manifest", run.recovery_produce.manifest, "--table", "recovery_orders", "--key-column", "event_id", "--timeout", "60s",
      "--poll-interval", "250ms", "--delivery-guarantee", "at-least-once",
    "--max-redelivered", tostring(run.recovery_midrun.result.rows_found)]
    result_file = ".work/connectors/recovery-table.json"
  }
  assert {
    condition     = output.result.passed && output.result.complete && output.result.missing == 0 && output.result.mismatched == 0
    error_message = "after the restart every record should be in the table: ${output.result.failed_checks}"
  }
  assert {
    condition     = output.result.delivery_guarantee == "at-least-once" && output.result.max_redelivered == 120
    error_message = "the report should state the guarantee and the redelivery bound it judged by"
  }
  assert {
    condition     = output.result.duplicates >= 1 && output.result.duplicates <= 120 && output.result.altered_duplicates == 0
    error_message = "the restart redelivers the uncommitted rows (insert mode keeps them twice), never more than were written before the failure: ${output.result.duplicates}"
  }
  assert {
    condition     = output.result.rows_found == 400 + output.result.duplicates
    error_message = "400 distinct records plus the redelivered copies"
  }
}

# The same table judged exactly-once fails on those copies: the guarantee decides.
run "recovery_table_exactly_once" {
  state_key = "recovery_table_exactly_once"
  module {
    source = "./helpers/streamcheck-step"
  }
  variables {
    words       = ["verify-sink", "postgres"]
    args        = ["--manifest", run.recovery_produce.manifest, "--table", "recovery_orders", "--key-column", "event_id", "--timeout", "10s", "--expect-failed-checks", "row_count,duplicates"]
    result_file = ".work/connectors/recovery-table-exactly-once.json"
  }
  assert {
    condition     = !output.result.passed && output.result.as_expected && output.result.failed_checks == "row_count,duplicates" && output.result.delivery_guarantee == "exactly-once"
    error_message = "exactly-once should fail row_count and duplicates only, got '${output.result.failed_checks}'"
  }
}

# ---- offsets: reset the pg-sink of flow (1) and watch it deliver the topic again -----------------

run "replay_stop" {
  state_key = "replay_stop"
  module {
    source = "./helpers/streamcheck-step"
  }
  variables {
    words       = ["connector", "stop"]
    args        = ["--connect-url", run.connect.connect_url, "--name", "pg-sink"]
    result_file = ".work/connectors/replay-stop.json"
  }
}

run "replay_stopped" {
  state_key = "replay_stopped"
  module {
    source = "../terraform-modules/connector-wait"
  }
  variables {
    name         = "pg-sink"
    connect_url  = run.connect.connect_url
    target_state = "STOPPED"
    timeout      = "30s"
    result_dir   = ".work/connectors/results/stopped"
    triggers     = { stop = run.replay_stop.result.connector }
  }
  assert {
    condition     = output.state == "STOPPED" && output.tasks_total == 0
    error_message = "a STOPPED connector has no tasks"
  }
}

run "replay_offsets_before" {
  state_key = "replay_offsets_before"
  module {
    source = "./helpers/streamcheck-step"
  }
  variables {
    words       = ["connector", "offsets"]
    args        = ["--connect-url", run.connect.connect_url, "--name", "pg-sink", "--action", "get"]
    result_file = ".work/connectors/replay-offsets-before.json"
  }
  assert {
    condition     = output.result.offsets_count == 3 && sum([for o in output.result.offsets : o.offset.kafka_offset]) == 500
    error_message = "the sink should have committed all 500 messages over the 3 partitions"
  }
}

# With the connector stopped, empty its table: only a replay from reset offsets can refill it.
run "replay_empty_table" {
  state_key = "replay_empty_table"
  module {
    source = "./helpers/postgres-sql"
  }
  variables {
    sql = "DELETE FROM pg_orders"
  }
}

run "replay_reset" {
  state_key = "replay_reset"
  module {
    source = "./helpers/streamcheck-step"
  }
  variables {
    words       = ["connector", "offsets"]
    args        = ["--connect-url", run.connect.connect_url, "--name", "pg-sink", "--action", "reset"]
    result_file = ".work/connectors/replay-reset.json"
  }
  assert {
    condition     = output.result.action == "reset"
    error_message = "offsets reset should succeed on the STOPPED connector"
  }
}

run "replay_offsets_after" {
  state_key = "replay_offsets_after"
  module {
    source = "./helpers/streamcheck-step"
  }
  variables {
    words       = ["connector", "offsets"]
    args        = ["--connect-url", run.connect.connect_url, "--name", "pg-sink", "--action", "get"]
    result_file = ".work/connectors/replay-offsets-after.json"
  }
  assert {
    condition     = output.result.offsets_count == 0
    error_message = "after the reset no offsets should be left"
  }
}

run "replay_resume" {
  state_key = "replay_resume"
  module {
    source = "./helpers/streamcheck-step"
  }
  variables {
    words       = ["connector", "resume"]
    args        = ["--connect-url", run.connect.connect_url, "--name", "pg-sink"]
    result_file = ".work/connectors/replay-resume.json"
  }
}

run "replay_table" {
  state_key = "replay_table"
  module {
    source = "./helpers/streamcheck-step"
  }
  variables {
    words       = ["verify-sink", "postgres"]
    args        = ["--manifest", run.pg_produce.manifest, "--table", "pg_orders", "--key-column", "event_id", "--timeout", "60s", "--poll-interval", "250ms"]
    result_file = ".work/connectors/replay-table.json"
  }
  assert {
    condition     = output.result.passed && output.result.rows_found == 500 && output.result.polls > 0
    error_message = "the reset sink should deliver all 500 messages again into the emptied table: ${output.result.failed_checks}"
  }
}

# ---- (9) Avro through a connector: AvroConverter in the JDBC sink -------------------------------

run "registry" {
  state_key = "registry"
  module {
    source = "./helpers/schema-registry-standin"
  }
  variables {
    state_dir = ".work/connectors/registry"
  }
}

# The converter reads Confluent framing (magic byte 0, 4-byte schema id) and fetches the writer
# schema by id from the registry; the table's columns come from that schema (auto.create).
run "avro_sink" {
  state_key = "avro_sink"
  module {
    source = "../terraform-modules/connector"
  }
  variables {
    name           = "avro-sink"
    connect_url    = run.connect.connect_url
    result_dir     = ".work/connectors/results"
    expected_tasks = 1
    config = {
      "connector.class"                     = "io.confluent.connect.jdbc.JdbcSinkConnector"
      "topics"                              = "avro_orders"
      "connection.url"                      = var.postgres_jdbc_url
      "connection.user"                     = "postgres"
      "key.converter"                       = "org.apache.kafka.connect.storage.StringConverter"
      "value.converter"                     = "io.confluent.connect.avro.AvroConverter"
      "value.converter.schema.registry.url" = run.registry.url
      "insert.mode"                         = "upsert"
      "pk.mode"                             = "record_value"
      "pk.fields"                           = "order_id"
      "auto.create"                         = "true"
      "table.name.format"                   = "avro_orders"
    }
  }
}

run "avro_produce" {
  state_key = "avro_produce"
  module {
    source = "../terraform-modules/kafka-produce"
  }
  variables {
    bootstrap_servers   = run.broker.bootstrap_servers
    topic               = "avro_orders"
    message_count       = 300
    seed                = 31
    data_format         = "avro"
    schema_file         = "data/schemas/order-event.avsc"
    schema_registry_url = run.registry.url
    output_dir          = ".work/connectors"
    run_id              = "flow-avro"
  }
  assert {
    condition     = output.messages_produced == 300 && output.result.subject == "avro_orders-value" && output.result.schema_id >= 1
    error_message = "300 Avro messages under the registered avro_orders-value schema"
  }
}

run "avro_table" {
  state_key = "avro_table"
  module {
    source = "./helpers/streamcheck-step"
  }
  variables {
    words       = ["verify-sink", "postgres"]
    args        = ["--manifest", run.avro_produce.manifest, "--table", "avro_orders", "--key-column", "order_id", "--timeout", "60s", "--poll-interval", "250ms"]
    result_file = ".work/connectors/avro-table.json"
  }
  assert {
    condition     = output.result.passed && output.result.rows_found == 300 && output.result.missing == 0 && output.result.mismatched == 0 && output.result.duplicates == 0
    error_message = "the sink should have decoded every Avro record into its row, field by field: ${output.result.failed_checks}"
  }
}

# The same Avro topic read by a sink with no converter configured: the default JsonConverter
# cannot parse Confluent framing, and the task fails with its real DataException.
run "avro_without_converter" {
  state_key = "avro_without_converter"
  module {
    source = "./helpers/streamcheck-step"
  }
  variables {
    words = ["connector", "apply"]
    args = ["--connect-url", run.connect.connect_url, "--name", "avro-json-sink",
      "--config", "connector.class=io.confluent.connect.jdbc.JdbcSinkConnector", "--config", "topics=avro_orders",
      "--config", "connection.url=${var.postgres_jdbc_url}", "--config", "auto.create=true",
    "--config", "table.name.format=avro_as_json"]
    result_file = ".work/connectors/avro-without-converter.json"
  }
}

run "avro_without_converter_failed" {
  state_key = "avro_without_converter_failed"
  module {
    source = "./helpers/streamcheck-step"
  }
  variables {
    words       = ["connector", "wait"]
    args        = ["--connect-url", run.connect.connect_url, "--name", run.avro_without_converter.result.connector, "--timeout", "30s", "--expect-failed-checks", "task_states"]
    result_file = ".work/connectors/avro-without-converter-failed.json"
  }
  assert {
    condition     = !output.result.passed && output.result.as_expected && output.result.failed_tasks == 1
    error_message = "a JSON-reading sink on an Avro topic should have its task FAILED"
  }
  assert {
    condition = (strcontains(output.result.trace, "org.apache.kafka.connect.errors.DataException: Converting byte[] to Kafka Connect data failed due to serialization error")
    && strcontains(output.result.trace, "JsonParseException: Illegal character ((CTRL-CHAR, code 0))"))
    error_message = "the trace should be JsonConverter's DataException on the magic byte, got: ${output.result.trace}"
  }
}
