# Fault injection on the embedded broker, each scenario with its exact expected outcome:
#  1. a broker goes down during an idempotent streaming produce and comes back;
#  2. produce requests fail with retriable errors;
#  3. the group coordinator moves while a group of two forms and reads;
#  4. a member leaves mid-run while commits fail: re-reads are redeliveries, not duplicates;
#  5. the only broker stays down past the timeout: bounded failure with a partial result.
# Faults go through `streamcheck broker fault` (helpers/broker-fault), mid-run ones from a
# background process started by local-exec.

run "cluster" {
  module {
    source = "../terraform-modules/embedded-broker"
  }
  variables {
    state_dir = ".work/faults/cluster"
    brokers   = 3
    topics    = [{ name = "faults-outage", partitions = 3 }, { name = "faults-errors", partitions = 3 }, { name = "faults-group", partitions = 4 }]
  }
}

# 1. Broker 1 goes down 1 s into a 3 s streaming produce and comes back 1.5 s later.
run "schedule_outage" {
  state_key = "schedule_outage"
  module {
    source = "./helpers/broker-fault"
  }
  variables {
    state_dir  = run.cluster.state_dir
    work_dir   = ".work/faults"
    name       = "outage"
    background = true
    steps      = [{ after_seconds = 1, action = "broker-down", broker = 1 }, { after_seconds = 1.5, action = "broker-up", broker = 1 }]
  }
  assert {
    condition     = output.steps == 2
    error_message = "both outage steps should be scheduled"
  }
}

run "produce_through_outage" {
  state_key = "produce_through_outage"
  module {
    source = "../terraform-modules/kafka-produce"
  }
  variables {
    bootstrap_servers = run.cluster.bootstrap_servers
    topic             = "faults-outage"
    message_count     = 600
    mode              = "stream"
    rate              = 200
    output_dir        = ".work/faults"
    run_id            = "faults-outage"
  }
  assert {
    condition     = output.messages_produced == 600 && output.result.messages_failed == 0
    error_message = "the idempotent producer should get every message acknowledged across the outage"
  }
}

run "verify_outage" {
  state_key = "verify_outage"
  module {
    source = "../terraform-modules/kafka-consume-verify"
  }
  variables {
    bootstrap_servers = run.cluster.bootstrap_servers
    manifest          = run.produce_through_outage.manifest
    timeout           = "60s"
    output_dir        = ".work/faults"
    name              = "verify-outage"
  }
  assert {
    condition     = output.passed && output.messages_consumed == 600
    error_message = "every message should arrive: ${output.failed_checks}"
  }
  assert {
    condition     = output.result.duplicates == 0 && output.result.redelivered == 0 && output.result.out_of_order == 0 && output.result.missing == 0
    error_message = "each message exactly once, in order per partition"
  }
}

# 2. The next 3 Produce requests fail with NOT_LEADER_OR_FOLLOWER (6), then 3 with REQUEST_TIMED_OUT (7).
run "produce_errors" {
  state_key = "produce_errors"
  module {
    source = "./helpers/broker-fault"
  }
  variables {
    state_dir = run.cluster.state_dir
    work_dir  = ".work/faults"
    name      = "produce-errors"
    steps = [
      { action = "request-errors", api_key = 0, error_code = 6, count = 3 },
      { action = "request-errors", api_key = 0, error_code = 7, count = 3 },
    ]
  }
}

run "produce_with_errors" {
  state_key = "produce_with_errors"
  module {
    source = "../terraform-modules/kafka-produce"
  }
  variables {
    bootstrap_servers = run.cluster.bootstrap_servers
    topic             = "faults-errors"
    message_count     = 500
    mode              = "stream"
    output_dir        = ".work/faults"
    run_id            = "faults-errors"
  }
  assert {
    condition     = output.messages_produced == 500 && output.result.messages_failed == 0
    error_message = "the retried requests should all succeed"
  }
}

run "verify_errors" {
  state_key = "verify_errors"
  module {
    source = "../terraform-modules/kafka-consume-verify"
  }
  variables {
    bootstrap_servers = run.cluster.bootstrap_servers
    manifest          = run.produce_with_errors.manifest
    output_dir        = ".work/faults"
    name              = "verify-errors"
  }
  assert {
    condition     = output.passed && output.messages_consumed == 500 && output.result.missing == 0 && output.result.duplicates == 0
    error_message = "no loss and no duplicates after retried produce errors: ${output.failed_checks}"
  }
}

# 3. The coordinator of group faults-moving moves to broker 2, then 3, while two members form
#    the group and read.
run "produce_group" {
  state_key = "produce_group"
  module {
    source = "../terraform-modules/kafka-produce"
  }
  variables {
    bootstrap_servers = run.cluster.bootstrap_servers
    topic             = "faults-group"
    message_count     = 1000
    output_dir        = ".work/faults"
    run_id            = "faults-group"
  }
}

run "schedule_coordinator_moves" {
  state_key = "schedule_coordinator_moves"
  module {
    source = "./helpers/broker-fault"
  }
  variables {
    state_dir  = run.cluster.state_dir
    work_dir   = ".work/faults"
    name       = "coordinator"
    background = true
    steps = [
      { after_seconds = 0.5, action = "coordinator", group_id = "faults-moving", broker = 2 },
      { after_seconds = 1, action = "coordinator", group_id = "faults-moving", broker = 3 },
    ]
  }
}

run "verify_coordinator_moves" {
  state_key = "verify_coordinator_moves"
  module {
    source = "../terraform-modules/kafka-consume-verify"
  }
  variables {
    bootstrap_servers = run.cluster.bootstrap_servers
    manifest          = run.produce_group.manifest
    group_id          = "faults-moving"
    members           = 2
    timeout           = "60s"
    output_dir        = ".work/faults"
    name              = "verify-coordinator"
  }
  assert {
    condition     = output.passed && output.messages_consumed == 1000 && output.result.missing == 0
    error_message = "nothing should be lost when the coordinator moves: ${output.failed_checks}"
  }
  assert {
    condition     = output.result.duplicates == 0 && output.result.corrupted == 0
    error_message = "a coordinator move may cause redeliveries, never duplicates or corruption"
  }
}

# 4 and 5 on a single-broker cluster of their own: the queued commit errors and the outage
#    must not reach the scenarios above.
run "single" {
  state_key = "single"
  module {
    source = "../terraform-modules/embedded-broker"
  }
  variables {
    state_dir = ".work/faults/single"
    topics    = [{ name = "faults-leave", partitions = 4 }, { name = "faults-down", partitions = 2 }]
  }
}

run "produce_leave" {
  state_key = "produce_leave"
  module {
    source = "../terraform-modules/kafka-produce"
  }
  variables {
    bootstrap_servers = run.single.bootstrap_servers
    topic             = "faults-leave"
    message_count     = 1000
    output_dir        = ".work/faults"
    run_id            = "faults-leave"
  }
}

# Every OffsetCommit fails with OFFSET_METADATA_TOO_LARGE (12, not retried): when member 0
# leaves after 50 messages, its partitions are read again from the start.
run "commits_fail" {
  state_key = "commits_fail"
  module {
    source = "./helpers/broker-fault"
  }
  variables {
    state_dir = run.single.state_dir
    work_dir  = ".work/faults"
    name      = "commits-fail"
    steps     = [{ action = "request-errors", api_key = 8, error_code = 12, count = 1000 }]
  }
}

run "member_leaves" {
  state_key = "member_leaves"
  module {
    source = "./helpers/capture"
  }
  variables {
    arguments  = ["consume", "--bootstrap-servers", run.single.bootstrap_servers, "--manifest", run.produce_leave.manifest, "--members", "2", "--leave-after", "50", "--group-id", "faults-leave", "--timeout", "90s"]
    output_dir = ".work/faults"
    name       = "member-leaves"
  }
  assert {
    condition     = output.exit_code == 0 && output.result.passed
    error_message = "the group should rebalance and verify: ${output.stderr}"
  }
  assert {
    condition     = output.result.messages_consumed == 1000 && output.result.missing == 0 && output.result.duplicates == 0 && output.result.corrupted == 0
    error_message = "nothing lost, nothing counted as duplicate or corrupted"
  }
  assert {
    condition     = output.result.redelivered >= 50
    error_message = "the 50 messages member 0 read (and could not commit) should be re-read and reported as redelivered, got ${output.result.redelivered}"
  }
}

# 5. The only broker goes down about 2 s into a 4 s streaming produce and stays down: produce
#    fails at its 3 s delivery timeout (expected: --expect-error, so the run report agrees), with
#    one clear line and a result that says how many were and were not acknowledged (how many made it before the outage depends on when
#    Terraform started the next run block, so only the split is asserted).
run "schedule_lasting_outage" {
  state_key = "schedule_lasting_outage"
  module {
    source = "./helpers/broker-fault"
  }
  variables {
    state_dir  = run.single.state_dir
    work_dir   = ".work/faults"
    name       = "lasting-outage"
    background = true
    steps      = [{ after_seconds = 2, action = "broker-down", broker = 1 }]
  }
}

run "produce_into_outage" {
  state_key = "produce_into_outage"
  module {
    source = "./helpers/capture"
  }
  variables {
    arguments   = ["produce", "--bootstrap-servers", run.single.bootstrap_servers, "--topic", "faults-down", "--message-count", "400", "--mode", "stream", "--rate", "100", "--timeout", "3s", "--run-id", "faults-down", "--manifest", ".work/faults/faults-down.manifest", "--expect-error", "were not acknowledged"]
    output_dir  = ".work/faults"
    name        = "produce-into-outage"
    extra_files = [".work/faults/faults-down.manifest"]
  }
  assert {
    condition     = output.exit_code == 0 && output.result.as_expected && strcontains(output.result.error, "were not acknowledged")
    error_message = "produce should fail as the run expects (exit 0 with --expect-error) when the broker stays down, got ${output.exit_code}"
  }
  assert {
    condition     = length(split("\n", output.stderr)) == 1 && strcontains(output.stderr, "of 400 messages to 'faults-down' were not acknowledged")
    error_message = "one clear line saying how many were not acknowledged, got: ${output.stderr}"
  }
  assert {
    condition     = output.result.messages_produced + output.result.messages_failed == 400 && output.result.messages_failed > 0
    error_message = "the partial result should say what was and was not delivered"
  }
  assert {
    condition     = strcontains(output.stderr, "the manifest records the ${output.result.messages_produced} that were")
    error_message = "the message should agree with the result file"
  }
}
