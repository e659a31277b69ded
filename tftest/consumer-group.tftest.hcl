# Consumer groups on the embedded broker: two groups each receive every message; two members
# of one group split the partitions and no message is read twice.

run "broker" {
  module {
    source = "../terraform-modules/embedded-broker"
  }
  variables {
    state_dir = ".work/consumer-group/broker"
    topics    = [{ name = "group-orders", partitions = 4 }]
  }
}

run "produce" {
  module {
    source = "../terraform-modules/kafka-produce"
  }
  variables {
    bootstrap_servers = run.broker.bootstrap_servers
    topic             = "group-orders"
    message_count     = var.message_count
    output_dir        = ".work/consumer-group"
    run_id            = "${var.run_id_prefix}consumer-group"
  }
}

run "group_a" {
  state_key = "group_a"
  module {
    source = "../terraform-modules/kafka-consume-verify"
  }
  variables {
    bootstrap_servers = run.broker.bootstrap_servers
    manifest          = run.produce.manifest
    group_id          = "analytics"
    output_dir        = ".work/consumer-group"
    name              = "group-a"
  }
  assert {
    condition     = output.passed && output.messages_consumed == var.message_count
    error_message = "group analytics should receive every message"
  }
}

run "group_b" {
  state_key = "group_b"
  module {
    source = "../terraform-modules/kafka-consume-verify"
  }
  variables {
    bootstrap_servers = run.broker.bootstrap_servers
    manifest          = run.produce.manifest
    group_id          = "billing"
    output_dir        = ".work/consumer-group"
    name              = "group-b"
  }
  assert {
    condition     = output.passed && output.messages_consumed == var.message_count
    error_message = "group billing should also receive every message"
  }
}

run "two_members" {
  state_key = "two_members"
  module {
    source = "../terraform-modules/kafka-consume-verify"
  }
  variables {
    bootstrap_servers = run.broker.bootstrap_servers
    manifest          = run.produce.manifest
    group_id          = "shared-work"
    members           = 2
    output_dir        = ".work/consumer-group"
    name              = "two-members"
    # Nobody reads until both members own partitions, for at most half the timeout (30 s at
    # most): on a loaded runner two joins on the embedded broker took longer than the 15 s of
    # the default 30s, member 0 read everything alone, and the rebalance after made the group
    # read it all again (redelivered 1000). The consume still ends as soon as all is read.
    timeout = "90s"
  }
  assert {
    condition     = output.passed && output.messages_consumed == var.message_count
    error_message = "the two members together should receive every message: ${output.failed_checks}"
  }
  assert {
    condition     = output.result.duplicates == 0 && output.result.redelivered == 0
    error_message = "no message should be read twice within one group"
  }
  assert {
    condition     = length(output.result.partition_assignment) == 2 && alltrue([for m in output.result.partition_assignment : length(m.partitions) > 0])
    error_message = "both members should own partitions"
  }
  assert {
    condition     = length(distinct(flatten([for m in output.result.partition_assignment : m.partitions]))) == 4 && length(flatten([for m in output.result.partition_assignment : m.partitions])) == 4
    error_message = "the 4 partitions should be split between the members, none owned by both"
  }
}
