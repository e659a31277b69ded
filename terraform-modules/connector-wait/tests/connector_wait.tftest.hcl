# Waits on a connector created outside Terraform's view (in CI: created by
# scripts/test.d/40-connectors.sh on the Kafka Connect stand-in). name, connect_url,
# streamcheck_bin and result_dir come from TF_VAR_*.

run "waits_for_running" {
  assert {
    condition     = output.state == "RUNNING" && output.failed_tasks == 0
    error_message = "the connector must be RUNNING with no failed task"
  }
  assert {
    condition     = output.tasks_running == output.tasks_total
    error_message = "all tasks must be RUNNING"
  }
}

run "cloud_needs_environment_and_cluster" {
  command = plan
  variables {
    api = "confluent-cloud"
  }
  expect_failures = [terraform_data.wait]
}

run "rejects_an_unknown_state" {
  command = plan
  variables {
    target_state = "DONE"
  }
  expect_failures = [var.target_state]
}
