# Basic flow on the embedded broker, in the order that makes latency honest: start the consumer,
# produce var.message_count (default 1000) JSON messages, collect the verdict: count, integrity,
# ordering, duplicates, loss and the produce -> consume latency SLA. Then prove that each check
# fails when it should: a missing message, a tampered one, a reordered copy, a pipeline slower
# than its SLA. Those negative runs state the checks they expect to fail (expect_failed_checks),
# so the run report says passed exactly when this suite does.

run "broker" {
  module {
    source = "../terraform-modules/embedded-broker"
  }
  variables {
    state_dir = ".work/basic-flow/broker"
    topics = [
      { name = "basic-orders", partitions = 3 }, { name = "basic-partial", partitions = 3 }, { name = "basic-decoy", partitions = 1 },
      { name = "basic-ordered", partitions = 1 }, { name = "basic-reversed", partitions = 1 }, { name = "basic-slow", partitions = 2 },
    ]
  }
  assert {
    condition     = can(regex("^127\\.0\\.0\\.1:[0-9]+", output.bootstrap_servers))
    error_message = "the embedded broker should serve on loopback"
  }
}

# The consumer starts first: it reads from the partitions' ends and waits for the manifest.
run "consumer" {
  module {
    source = "../terraform-modules/kafka-consume-start"
  }
  variables {
    bootstrap_servers = run.broker.bootstrap_servers
    topic             = "basic-orders"
    manifest          = ".work/basic-flow/basic-orders.manifest"
    delivery_sla      = "30s"
    output_dir        = ".work/basic-flow"
  }
}

run "produce" {
  module {
    source = "../terraform-modules/kafka-produce"
  }
  variables {
    bootstrap_servers = run.broker.bootstrap_servers
    topic             = "basic-orders"
    message_count     = var.message_count
    output_dir        = ".work/basic-flow"
    run_id            = "${var.run_id_prefix}basic-flow"
    manifest          = run.consumer.manifest
    after             = run.consumer.handle
  }
  assert {
    condition     = output.messages_produced == var.message_count && output.result.messages_failed == 0
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
    handle            = run.consumer.handle
    output_dir        = ".work/basic-flow"
    name              = "verify"
  }
  assert {
    condition     = output.passed && output.failed_checks == ""
    error_message = "all checks should pass: ${output.failed_checks}"
  }
  assert {
    condition     = output.messages_consumed == var.message_count && output.result.missing == 0 && output.result.duplicates == 0
    error_message = "exactly the ${var.message_count} produced messages should arrive, once each"
  }
  assert {
    condition     = output.result.corrupted == 0 && output.result.out_of_order == 0
    error_message = "content and per-partition order should be intact"
  }
  assert {
    condition     = output.result.sla_latency_kind == "produce_to_consume" && output.result.produce_to_consume_ms_max < 30000 && output.result.sla_violations == 0
    error_message = "every message should arrive within the 30s SLA, measured produce to consume"
  }
  assert {
    condition     = output.result.latency_ms_p50 == null && output.result.latency_ms_null_reason != null
    error_message = "the record timestamp is the producer's own (CreateTime): that figure measures nothing and must be null"
  }
}

# Missing: the same run (same seed, same run id) written with 10 messages fewer to another
# topic. Verifying that topic against the full manifest must report 10 missing.
run "produce_partial" {
  state_key = "produce_partial"
  module {
    source = "../terraform-modules/kafka-produce"
  }
  variables {
    bootstrap_servers = run.broker.bootstrap_servers
    topic             = "basic-partial"
    message_count     = var.message_count - 10
    output_dir        = ".work/basic-flow"
    run_id            = "${var.run_id_prefix}basic-missing"
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
    message_count     = var.message_count
    output_dir        = ".work/basic-flow"
    run_id            = "${var.run_id_prefix}basic-missing"
  }
}

run "verify_missing" {
  state_key = "verify_missing"
  module {
    source = "../terraform-modules/kafka-consume-verify"
  }
  variables {
    bootstrap_servers    = run.broker.bootstrap_servers
    manifest             = run.produce_reference.manifest
    topic                = "basic-partial"
    timeout              = "8s"
    output_dir           = ".work/basic-flow"
    name                 = "verify-missing"
    expect_failed_checks = "count,loss"
  }
  assert {
    condition     = output.passed == false && output.failed_checks == "count,loss" && output.result.as_expected
    error_message = "10 missing messages should fail exactly count and loss, got '${output.failed_checks}'"
  }
  assert {
    condition     = output.result.missing == 10 && output.messages_consumed == var.message_count - 10
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
    headers           = { "streamcheck.run_id" = "${var.run_id_prefix}basic-flow", "streamcheck.seq" = "5" }
  }
}

run "verify_tampered" {
  state_key = "verify_tampered"
  module {
    source = "../terraform-modules/kafka-consume-verify"
  }
  variables {
    bootstrap_servers    = run.broker.bootstrap_servers
    manifest             = run.produce.manifest
    group_id             = "basic-flow-tampered"
    output_dir           = ".work/basic-flow"
    name                 = "verify-tampered"
    expect_failed_checks = "integrity"
  }
  assert {
    condition     = output.passed == false && output.failed_checks == "integrity" && output.result.as_expected
    error_message = "the tampered message should fail exactly the integrity check, got '${output.failed_checks}'"
  }
  assert {
    condition     = output.result.corrupted == 1 && output.messages_consumed == var.message_count
    error_message = "one corrupted message should be found beside the ${var.message_count} intact ones"
  }
}

# Reordered: 20 messages on one partition, copied to another topic in reverse order, each
# intact and once. Verifying the copy must fail exactly the ordering check.
run "produce_ordered" {
  state_key = "produce_ordered"
  module {
    source = "../terraform-modules/kafka-produce"
  }
  variables {
    bootstrap_servers = run.broker.bootstrap_servers
    topic             = "basic-ordered"
    message_count     = 20
    output_dir        = ".work/basic-flow"
    run_id            = "${var.run_id_prefix}basic-ordered"
  }
}

run "reverse" {
  state_key = "reverse"
  module {
    source = "./helpers/copy-reversed"
  }
  variables {
    bootstrap_servers = run.broker.bootstrap_servers
    from_topic        = "basic-ordered"
    to_topic          = "basic-reversed"
  }
}

run "verify_reordered" {
  state_key = "verify_reordered"
  module {
    source = "../terraform-modules/kafka-consume-verify"
  }
  variables {
    bootstrap_servers    = run.broker.bootstrap_servers
    manifest             = run.produce_ordered.manifest
    topic                = "basic-reversed"
    output_dir           = ".work/basic-flow"
    name                 = "verify-reordered"
    expect_failed_checks = "ordering"
  }
  assert {
    condition     = output.failed_checks == "ordering" && output.result.as_expected && output.result.out_of_order == 19
    error_message = "the reversed copy should fail exactly ordering (19 out of order), got '${output.failed_checks}'"
  }
  assert {
    condition     = output.messages_consumed == 20 && output.result.duplicates == 0 && output.result.corrupted == 0
    error_message = "the copy carries every message once, intact"
  }
}

# Slower than the SLA: every broker answer takes 1.2 s, the SLA is 1 s, measured produce to
# consume by a consumer started first. latency_sla alone must fail. The latency is lifted after.
run "slow_consumer" {
  state_key = "slow_consumer"
  module {
    source = "../terraform-modules/kafka-consume-start"
  }
  variables {
    bootstrap_servers = run.broker.bootstrap_servers
    topic             = "basic-slow"
    manifest          = ".work/basic-flow/basic-slow.manifest"
    delivery_sla      = "1s"
    output_dir        = ".work/basic-flow"
    name              = "slow-consumer"
  }
}

run "slow_broker" {
  state_key = "slow_broker"
  module {
    source = "./helpers/broker-fault"
  }
  variables {
    state_dir = run.broker.state_dir
    work_dir  = ".work/basic-flow"
    name      = "slow"
    steps     = [{ action = "latency", milliseconds = 1200 }]
  }
}

run "produce_slow" {
  state_key = "produce_slow"
  module {
    source = "../terraform-modules/kafka-produce"
  }
  variables {
    bootstrap_servers = run.broker.bootstrap_servers
    topic             = "basic-slow"
    message_count     = 50
    output_dir        = ".work/basic-flow"
    run_id            = "${var.run_id_prefix}basic-slow"
    manifest          = run.slow_consumer.manifest
    after             = run.slow_consumer.handle
  }
}

run "verify_slow" {
  state_key = "verify_slow"
  module {
    source = "../terraform-modules/kafka-consume-verify"
  }
  variables {
    bootstrap_servers    = run.broker.bootstrap_servers
    manifest             = run.produce_slow.manifest
    handle               = run.slow_consumer.handle
    output_dir           = ".work/basic-flow"
    name                 = "verify-slow"
    expect_failed_checks = "latency_sla"
  }
  assert {
    condition     = output.failed_checks == "latency_sla" && output.result.as_expected && output.result.produce_to_consume_ms_max >= 1000
    error_message = "a pipeline slower than the 1s SLA should fail exactly latency_sla, got '${output.failed_checks}'"
  }
  assert {
    condition     = output.messages_consumed == 50 && output.result.missing == 0
    error_message = "slow is not lost: every message should still arrive"
  }
}

run "fast_broker" {
  state_key = "fast_broker"
  module {
    source = "./helpers/broker-fault"
  }
  variables {
    state_dir = run.broker.state_dir
    work_dir  = ".work/basic-flow"
    name      = "fast"
    steps     = [{ action = "latency", milliseconds = 0 }]
  }
}
