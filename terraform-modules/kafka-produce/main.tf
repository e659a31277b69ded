locals {
  name        = "produce-${var.topic}-${coalesce(var.run_id, "auto")}"
  result_file = "${var.output_dir}/${local.name}.json"
  manifest    = coalesce(var.manifest, "${var.output_dir}/${local.name}.manifest")
  optional_flags = join(" ", compact([
    var.schema_file == null ? "" : "--schema-file \"$SC_SCHEMA_FILE\"",
    var.data_file == null ? "" : "--data-file \"$SC_DATA_FILE\"",
    var.run_id == null ? "" : "--run-id \"$SC_RUN_ID\"",
    var.schema_registry_url == null ? "" : "--schema-registry-url \"$SC_REGISTRY\" --subject-name-strategy ${var.subject_name_strategy}",
    var.check_compatibility ? "--check-compatibility" : "",
    var.auto_register_schemas ? "" : "--auto-register-schemas false",
    join(" ", [for k, v in var.kafka_config : "-X '${k}=${v}'"]),
  ]))
}

resource "terraform_data" "produce" {
  # A change of any setting replaces the resource so its provisioner runs again (an in-place
  # update of terraform_data runs none, and outputs would read a file that was never written).
  triggers_replace = [var.bootstrap_servers, var.topic, var.message_count, var.data_format, var.schema_file, var.data_file, var.key_strategy, var.seed, var.rate, var.mode, var.run_id, var.kafka_config, var.output_dir, var.schema_registry_url, var.subject_name_strategy, var.check_compatibility, var.auto_register_schemas, var.manifest, var.after]

  # A change of any setting replaces the resource, so the producer runs again
  # (an in-place update of terraform_data runs no provisioner).
  input = {
    streamcheck_bin = var.streamcheck_bin
    result_file     = local.result_file
    manifest        = local.manifest
    settings        = [var.bootstrap_servers, var.topic, var.message_count, var.data_format, var.schema_file, var.data_file, var.key_strategy, var.seed, var.rate, var.mode, var.run_id, var.kafka_config]
  }

  provisioner "local-exec" {
    # Values travel as environment variables so no shell quoting can break them.
    command = "mkdir -p \"$SC_OUTPUT_DIR\" && \"$SC_BIN\" produce --bootstrap-servers \"$SC_BOOTSTRAP\" --topic \"$SC_TOPIC\" --message-count ${var.message_count} --data-format ${var.data_format} --key-strategy \"$SC_KEY_STRATEGY\" --seed ${var.seed} --rate ${var.rate} --mode ${var.mode} --timeout \"$SC_TIMEOUT\" --manifest \"$SC_MANIFEST\" --result-file \"$SC_RESULT\" ${local.optional_flags}"
    environment = {
      SC_BIN          = var.streamcheck_bin
      SC_OUTPUT_DIR   = var.output_dir
      SC_BOOTSTRAP    = var.bootstrap_servers
      SC_TOPIC        = var.topic
      SC_KEY_STRATEGY = var.key_strategy
      SC_TIMEOUT      = var.timeout
      SC_MANIFEST     = local.manifest
      SC_RESULT       = local.result_file
      SC_SCHEMA_FILE  = var.schema_file == null ? "" : var.schema_file
      SC_DATA_FILE    = var.data_file == null ? "" : var.data_file
      SC_RUN_ID       = var.run_id == null ? "" : var.run_id
      SC_REGISTRY     = var.schema_registry_url == null ? "" : var.schema_registry_url
    }
  }

  provisioner "local-exec" {
    when    = destroy
    command = "rm -f \"$SC_RESULT\" \"$SC_MANIFEST\""
    environment = {
      SC_RESULT   = self.input.result_file
      SC_MANIFEST = self.input.manifest
    }
  }
}
