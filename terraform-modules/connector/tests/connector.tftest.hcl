# Runs against a Kafka Connect endpoint (in CI: the Kafka Connect stand-in, see
# scripts/test.d/40-connectors.sh). connect_url, config, streamcheck_bin and result_dir come from
# TF_VAR_* set by the suite.

run "creates_and_waits_for_running" {
  assert {
    condition     = output.action == "created"
    error_message = "the first apply must create the connector"
  }
  assert {
    condition     = output.state == "RUNNING" && output.tasks_running == output.tasks_total && output.tasks_total >= 1
    error_message = "the connector and all its tasks must be RUNNING"
  }
  assert {
    condition     = output.wait_result.failed_tasks == 0
    error_message = "no task may be FAILED"
  }
}

run "config_change_updates_in_place" {
  variables {
    config = merge(var.config, { "flush.size" = "7" })
  }
  assert {
    condition     = output.action == "updated"
    error_message = "a changed config must update the connector"
  }
  assert {
    condition     = output.state == "RUNNING"
    error_message = "the updated connector must be RUNNING again"
  }
}

run "keeps_the_previous_config_for_rollback" {
  variables {
    config               = merge(var.config, { "flush.size" = "9" })
    previous_config_file = "${var.result_dir}/tf-previous.json"
  }
  assert {
    condition     = output.action == "updated" && output.previous_config_file != null
    error_message = "a changing apply with previous_config_file must keep the config it replaced"
  }
  assert {
    condition     = jsondecode(file(output.previous_config_file)).existed && jsondecode(file(output.previous_config_file)).config["flush.size"] == "7"
    error_message = "the kept config must be the one before this apply (flush.size 7), not the new one"
  }
}

run "expects_two_tasks" {
  variables {
    config         = merge(var.config, { "flush.size" = "7", "tasks.max" = "2" })
    expected_tasks = 2
  }
  assert {
    condition     = output.tasks_running == 2
    error_message = "both tasks must run"
  }
}

run "rejects_a_url_with_credentials" {
  command = plan
  variables {
    connect_url = "http://admin:secret@connect:8083"
  }
  expect_failures = [var.connect_url]
}

run "rejects_a_config_without_connector_class" {
  command = plan
  variables {
    config = { "topics" = "orders" }
  }
  expect_failures = [var.config]
}

run "rejects_a_bad_timeout" {
  command = plan
  variables {
    wait_timeout = "soon"
  }
  expect_failures = [var.wait_timeout]
}
