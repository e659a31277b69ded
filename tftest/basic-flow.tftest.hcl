# Basic flow on the embedded broker: produce 1000 JSON messages, consume, verify count,
# integrity, ordering and the latency SLA. Then prove that a missing and a tampered message
# are caught.

run "broker" {
  module {
    source = "../terraform-modules/embedded-broker"
  }
  variables {
    state_dir = ".work/basic-flow/broker"
    topics    = [{ name = "basic-orders", partitions = 3 }, { name = "basic-partial", partitions = 3 }, { name = "basic-decoy", partitions = 1 }]
  }
  assert {
    condition     = can(regex("^127\\.0\\.0\\.1:[0-9]+", output.bootstrap_servers))
    error_message = "the embedded broker should serve on loopback"
  }
}

run "produce" {
  module {
    source = "../terraform-modules/kafka-produce"
  }
  variables {
    bootstrap_servers = run.broker.bootstrap_servers
    topic             = "basic-orders"
    message_count     = 1000
    output_dir        = ".work/basic-flow"
    run_id            = "basic-flow"
  }
  assert {
    condition     = output.messages_produced == 1000 && output.result.messages_failed == 0
    error_message = "every message should be acknowledged"
  }
  assert {
    condition     = output.result.partitions == 3
    error_message = "keys should spread messages over all 3 partitions"
  }
}

run "verify" {
  module {
    source = "../terraform-modules/kafka-consume-verify"
  }
  variables {
    bootstrap_servers = run.broker.bootstrap_servers
    manifest          = run.produce.manifest
    delivery_sla      = "30s"
    output_dir        = ".work/basic-flow"
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
    error_message = "content and per-partition order should be intact"
  }
  assert {
    condition     = output.result.latency_ms_max < 30000 && output.result.sla_violations == 0
    error_message = "every message should arrive within the 30s SLA"
  }
}

# Missing: the same run (same seed, same run id) written with only 990 messages to another
# topic. Verifying that topic against the 1000-message manifest must report 10 missing.
run "produce_partial" {
  state_key = "produce_partial"
  module {
    source = "../terraform-modules/kafka-produce"
  }
  variables {
    bootstrap_servers = run.broker.bootstrap_servers
    topic             = "basic-partial"
    message_count     = 990
    output_dir        = ".work/basic-flow"
    run_id            = "basic-missing"
  }
}

run "produce_reference" {
  state_key = "produce_reference"
  module {
    source = "../terraform-modules/kafka-produce"
  }
  variables {
    bootstrap_servers = run.broker.bootstrap_servers
    topic             = "basic-decoy"
    message_count     = 1000
    output_dir        = ".work/basic-flow"
    run_id            = "basic-missing"
  }
}

run "verify_missing" {
  state_key = "verify_missing"
  module {
    source = "../terraform-modules/kafka-consume-verify"
  }
  variables {
    bootstrap_servers            = run.broker.bootstrap_servers
    manifest                     = run.produce_reference.manifest
    topic                        = "basic-partial"
    timeout                      = "8s"
    output_dir                   = ".work/basic-flow"
    name                         = "verify-missing"
    fail_on_verification_failure = false
  }
  assert {
    condition     = output.passed == false && output.failed_checks == "count,loss"
    error_message = "10 missing messages should fail exactly count and loss, got '${output.failed_checks}'"
  }
  assert {
    condition     = output.result.missing == 10 && output.messages_consumed == 990
    error_message = "exactly 10 messages should be reported missing"
  }
}

# Tampered: a message carrying the run's headers for seq 5, with other content.
run "tamper" {
  state_key = "tamper"
  module {
    source = "./helpers/inject-message"
  }
  variables {
    bootstrap_servers = run.broker.bootstrap_servers
    topic             = "basic-orders"
    payload           = "{\"amount\":0,\"tampered\":true}"
    headers           = { "streamcheck.run_id" = "basic-flow", "streamcheck.seq" = "5" }
  }
}

run "verify_tampered" {
  state_key = "verify_tampered"
  module {
    source = "../terraform-modules/kafka-consume-verify"
  }
  variables {
    bootstrap_servers            = run.broker.bootstrap_servers
    manifest                     = run.produce.manifest
    group_id                     = "basic-flow-tampered"
    output_dir                   = ".work/basic-flow"
    name                         = "verify-tampered"
    fail_on_verification_failure = false
  }
  assert {
    condition     = output.passed == false && output.failed_checks == "integrity"
    error_message = "the tampered message should fail exactly the integrity check, got '${output.failed_checks}'"
  }
  assert {
    condition     = output.result.corrupted == 1 && output.messages_consumed == 1000
    error_message = "one corrupted message should be found beside the 1000 intact ones"
  }
}
