# Avro through the embedded broker with the Schema Registry stand-in: 1000 generated Avro
# messages, Confluent-framed, verified for count, integrity, ordering and schema compliance.
# Then a message that is not valid under its writer schema must fail schema_compliance.

run "broker" {
  module {
    source = "../terraform-modules/embedded-broker"
  }
  variables {
    state_dir = ".work/avro-flow/broker"
    topics    = [{ name = "avro-events", partitions = 3 }, { name = "avro-negative", partitions = 1 }]
  }
}

run "registry" {
  module {
    source = "./helpers/schema-registry-standin"
  }
  variables {
    state_dir = ".work/avro-flow/registry"
  }
  assert {
    condition     = can(regex("^http://127\\.0\\.0\\.1:[0-9]+$", output.url))
    error_message = "the registry stand-in should serve on loopback"
  }
}

run "produce" {
  module {
    source = "../terraform-modules/kafka-produce"
  }
  variables {
    bootstrap_servers   = run.broker.bootstrap_servers
    topic               = "avro-events"
    message_count       = 1000
    data_format         = "avro"
    schema_file         = "data/schemas/user-event.avsc"
    schema_registry_url = run.registry.url
    check_compatibility = true
    output_dir          = ".work/avro-flow"
    run_id              = "avro-flow"
  }
  assert {
    condition     = output.messages_produced == 1000 && output.result.messages_failed == 0
    error_message = "every Avro message should be acknowledged"
  }
  assert {
    condition     = output.result.subject == "avro-events-value" && output.result.schema_id >= 1
    error_message = "the schema should be registered under the TopicNameStrategy subject"
  }
}

run "verify" {
  module {
    source = "../terraform-modules/kafka-consume-verify"
  }
  variables {
    bootstrap_servers = run.broker.bootstrap_servers
    manifest          = run.produce.manifest
    output_dir        = ".work/avro-flow"
    name              = "verify"
  }
  assert {
    condition     = output.passed && output.failed_checks == ""
    error_message = "all checks should pass: ${output.failed_checks}"
  }
  assert {
    condition     = output.messages_consumed == 1000 && output.result.missing == 0 && output.result.duplicates == 0
    error_message = "exactly the 1000 produced messages should arrive, once each"
  }
  assert {
    condition     = output.result.corrupted == 0 && output.result.out_of_order == 0
    error_message = "decoded content and per-partition order should be intact"
  }
  assert {
    condition     = contains([for c in output.result.checks : c.name if c.passed], "schema_compliance") && output.result.schema_violations == 0
    error_message = "every message should be valid under its writer schema"
  }
  assert {
    condition     = output.result.schema_id == run.produce.result.schema_id && output.result.subject == "avro-events-value"
    error_message = "the consumed messages should carry the registered schema id"
  }
}

# Negative: a Confluent-framed value with the registered id whose payload does not decode
# (a negative string length), written first to a one-partition topic, then 10 good messages.
run "inject_bad" {
  module {
    source = "./helpers/inject-bytes"
  }
  variables {
    bootstrap_servers = run.broker.bootstrap_servers
    topic             = "avro-negative"
    value_hex         = "0000000001010203"
  }
}

run "produce_negative" {
  state_key = "produce_negative"
  module {
    source = "../terraform-modules/kafka-produce"
  }
  variables {
    bootstrap_servers   = run.broker.bootstrap_servers
    topic               = "avro-negative"
    message_count       = 10
    data_format         = "avro"
    schema_file         = "data/schemas/user-event.avsc"
    schema_registry_url = run.registry.url
    output_dir          = ".work/avro-flow"
    run_id              = "avro-negative"
  }
}

run "verify_negative" {
  state_key = "verify_negative"
  module {
    source = "../terraform-modules/kafka-consume-verify"
  }
  variables {
    bootstrap_servers    = run.broker.bootstrap_servers
    manifest             = run.produce_negative.manifest
    output_dir           = ".work/avro-flow"
    name                 = "verify-negative"
    expect_failed_checks = "schema_compliance"
  }
  assert {
    condition     = output.passed == false && output.result.as_expected && output.failed_checks == "schema_compliance"
    error_message = "the undecodable message should fail exactly schema_compliance, got '${output.failed_checks}'"
  }
  assert {
    condition     = output.result.schema_violations == 1 && output.messages_consumed == 10
    error_message = "one violation should be found beside the 10 good messages"
  }
}
