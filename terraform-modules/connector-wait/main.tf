# Waits on a connector that another provider created (confluent_connector, Mongey's
# kafka-connect_connector, ...): `streamcheck connector wait`, bounded, failing at once with the
# trace when the connector or a task is FAILED. Creates and deletes nothing.

locals {
  result_dir = var.result_dir != "" ? var.result_dir : "${path.root}/.streamcheck/connectors"
  wait_file  = "${local.result_dir}/${replace(var.name, "/[^A-Za-z0-9._-]/", "_")}.connector-wait.json"
}

resource "terraform_data" "wait" {
  triggers_replace = merge(var.triggers, {
    name           = var.name
    api            = var.api
    connect_url    = var.connect_url
    environment    = var.environment
    cluster        = var.cluster
    target_state   = var.target_state
    expected_tasks = var.expected_tasks == null ? "" : tostring(var.expected_tasks)
  })

  input = {
    wait_file = local.wait_file
  }

  # The result file belongs to this resource: gone with it, so teardown leaves nothing behind.
  provisioner "local-exec" {
    when    = destroy
    command = "rm -f \"$WAIT_FILE\""
    environment = {
      WAIT_FILE = self.input.wait_file
    }
  }

  lifecycle {
    precondition {
      condition     = var.api == "confluent-cloud" ? (var.environment != "" && var.cluster != "") : var.connect_url != ""
      error_message = "api confluent-cloud needs environment and cluster; self-managed needs connect_url."
    }
    precondition {
      condition     = var.api == "confluent-cloud" || (var.environment == "" && var.cluster == "")
      error_message = "environment and cluster apply only with api = \"confluent-cloud\"."
    }
  }

  provisioner "local-exec" {
    command = <<-EOT
      set -eu
      mkdir -p "$RESULT_DIR"
      set -- --api "$API" --name "$NAME" --target-state "$TARGET_STATE" --timeout "$TIMEOUT" --settle "$SETTLE" --result-file "$WAIT_FILE"
      if [ -n "$CONNECT_URL" ]; then set -- "$@" --connect-url "$CONNECT_URL"; fi
      if [ -n "$CC_ENVIRONMENT" ]; then set -- "$@" --environment "$CC_ENVIRONMENT" --cluster "$CC_CLUSTER"; fi
      if [ -n "$EXPECTED_TASKS" ]; then set -- "$@" --expected-tasks "$EXPECTED_TASKS"; fi
      "$STREAMCHECK" connector wait "$@"
    EOT
    environment = {
      STREAMCHECK    = var.streamcheck_bin
      API            = var.api
      CONNECT_URL    = var.connect_url
      CC_ENVIRONMENT = var.environment
      CC_CLUSTER     = var.cluster
      NAME           = var.name
      TARGET_STATE   = var.target_state
      TIMEOUT        = var.timeout
      SETTLE         = var.settle
      EXPECTED_TASKS = var.expected_tasks == null ? "" : tostring(var.expected_tasks)
      RESULT_DIR     = local.result_dir
      WAIT_FILE      = local.wait_file
    }
  }
}

locals {
  # Read after the provisioner ran: the path comes from the resource's output. A result file
  # deleted by hand yields null outputs instead of a configuration that can no longer plan.
  result = fileexists(terraform_data.wait.output.wait_file) ? jsondecode(file(terraform_data.wait.output.wait_file)) : null
}
