# A self-managed Kafka Connect connector driven by streamcheck:
#   create         -> `streamcheck connector apply` (validated; created, or updated when it differs)
#                     then `streamcheck connector wait` (target state, bounded, FAILED fails at once)
#   config change  -> the same two commands again (the connector is updated in place, offsets kept)
#   destroy        -> `streamcheck connector delete` (waits until it is gone)
#   rollback       -> with previous_config_file set, each apply that changes the connector first
#                     keeps what stood there; `streamcheck connector rollback --previous FILE` restores it
# Credentials reach streamcheck through the environment Terraform runs in, never through state.

locals {
  result_dir  = var.result_dir != "" ? var.result_dir : "${path.root}/.streamcheck/connectors"
  file_stem   = "${local.result_dir}/${replace(var.name, "/[^A-Za-z0-9._-]/", "_")}"
  apply_file  = "${local.file_stem}.apply.json"
  wait_file   = "${local.file_stem}.wait.json"
  config_json = jsonencode(merge(var.config, { name = var.name }))
}

# The connector's identity: replaced (deleted, then created) only when name or Connect change.
resource "terraform_data" "connector" {
  input = {
    name           = var.name
    connect_url    = var.connect_url
    streamcheck    = var.streamcheck_bin
    delete_timeout = var.delete_timeout
  }

  provisioner "local-exec" {
    when    = destroy
    command = "\"$STREAMCHECK\" connector delete --connect-url \"$CONNECT_URL\" --name \"$NAME\" --timeout \"$TIMEOUT\""
    environment = {
      STREAMCHECK = self.input.streamcheck
      CONNECT_URL = self.input.connect_url
      NAME        = self.input.name
      TIMEOUT     = self.input.delete_timeout
    }
  }
}

# Applies the config and waits; re-runs whenever the config or the wait settings change.
resource "terraform_data" "apply" {
  depends_on = [terraform_data.connector]

  triggers_replace = {
    connector      = terraform_data.connector.id
    config         = sha256(local.config_json)
    target_state   = var.target_state
    expected_tasks = var.expected_tasks == null ? "" : tostring(var.expected_tasks)
  }

  input = {
    apply_file    = local.apply_file
    wait_file     = local.wait_file
    previous_file = var.previous_config_file
  }

  # The result files belong to this resource: gone with it, so teardown leaves nothing behind.
  provisioner "local-exec" {
    when    = destroy
    command = "rm -f \"$APPLY_FILE\" \"$WAIT_FILE\""
    environment = {
      APPLY_FILE = self.input.apply_file
      WAIT_FILE  = self.input.wait_file
    }
  }

  provisioner "local-exec" {
    # The config travels in an environment variable and a private file, not on the command
    # line (ps) and not in a result; streamcheck substitutes $${env:VAR} references itself.
    command = <<-EOT
      set -eu
      mkdir -p "$RESULT_DIR"
      umask 077
      config_file=$(mktemp "$RESULT_DIR/.config.XXXXXX")
      trap 'rm -f "$config_file"' EXIT
      printf '%s' "$CONNECTOR_CONFIG" > "$config_file"
      set -- --connect-url "$CONNECT_URL" --name "$NAME" --config-file "$config_file" --timeout "$TIMEOUT" --result-file "$APPLY_FILE"
      if [ -n "$PREVIOUS_FILE" ]; then set -- "$@" --save-previous "$PREVIOUS_FILE"; fi
      "$STREAMCHECK" connector apply "$@"
      set -- --connect-url "$CONNECT_URL" --name "$NAME" --target-state "$TARGET_STATE" --timeout "$TIMEOUT" --result-file "$WAIT_FILE"
      if [ -n "$EXPECTED_TASKS" ]; then set -- "$@" --expected-tasks "$EXPECTED_TASKS"; fi
      "$STREAMCHECK" connector wait "$@"
    EOT
    environment = {
      STREAMCHECK      = var.streamcheck_bin
      CONNECT_URL      = var.connect_url
      NAME             = var.name
      CONNECTOR_CONFIG = local.config_json
      TIMEOUT          = var.wait_timeout
      TARGET_STATE     = var.target_state
      EXPECTED_TASKS   = var.expected_tasks == null ? "" : tostring(var.expected_tasks)
      RESULT_DIR       = local.result_dir
      APPLY_FILE       = local.apply_file
      WAIT_FILE        = local.wait_file
      PREVIOUS_FILE    = var.previous_config_file
    }
  }
}

locals {
  # Read after the provisioner ran (the path comes from the resource's output, so it is
  # unknown at plan time and evaluated only once the files exist). A result file deleted by
  # hand yields null outputs instead of a configuration that can no longer plan or destroy.
  apply_result = fileexists(terraform_data.apply.output.apply_file) ? jsondecode(file(terraform_data.apply.output.apply_file)) : null
  wait_result  = fileexists(terraform_data.apply.output.wait_file) ? jsondecode(file(terraform_data.apply.output.wait_file)) : null
}
