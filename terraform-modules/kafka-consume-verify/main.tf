locals {
  result_file = "${var.output_dir}/${var.name}.json"
  optional_flags = join(" ", compact([
    var.topic == null ? "" : "--topic \"$SC_TOPIC\"",
    var.group_id == null ? "" : "--group-id \"$SC_GROUP\"",
    var.expect_count == null ? "" : "--expect-count ${var.expect_count}",
    var.delivery_sla == null ? "" : "--delivery-sla \"$SC_SLA\"",
    var.schema_file == null ? "" : "--schema-file \"$SC_SCHEMA_FILE\"",
    var.schema_registry_url == null ? "" : "--schema-registry-url \"$SC_REGISTRY\"",
    var.expect_failed_checks == null ? "" : "--expect-failed-checks \"$SC_EXPECT_FAILED\"",
    join(" ", [for k, v in var.kafka_config : "-X '${k}=${v}'"]),
  ]))
  # With a handle, collect the consumer kafka-consume-start began before produce.
  mode_flags = var.handle == null ? "--members ${var.members} --from ${var.from}" : "--collect --handle \"$SC_HANDLE\""
  # Exit code 2 means "verified, and a check failed": tolerated when asserts should decide.
  tolerate_failed_checks = var.fail_on_verification_failure ? "" : " || [ $? -eq 2 ]"
  # An empty STREAMCHECK_REPORT_DIR records nothing; otherwise the inherited one is used.
  report_dir_override = var.record_in_report ? "" : "STREAMCHECK_REPORT_DIR= "
}

resource "terraform_data" "verify" {
  # A change of any setting replaces the resource so its provisioner runs again (an in-place
  # update of terraform_data runs none, and outputs would read a file that was never written).
  triggers_replace = [var.bootstrap_servers, var.manifest, var.topic, var.group_id, var.members, var.expect_count, var.timeout, var.from, var.delivery_sla, var.kafka_config, var.output_dir, var.name, var.schema_file, var.schema_registry_url, var.handle, var.expect_failed_checks]

  input = {
    result_file = local.result_file
    settings    = [var.bootstrap_servers, var.manifest, var.topic, var.group_id, var.members, var.expect_count, var.timeout, var.from, var.delivery_sla, var.kafka_config]
  }

  provisioner "local-exec" {
    command = "mkdir -p \"$SC_OUTPUT_DIR\" && { ${local.report_dir_override}\"$SC_BIN\" consume --bootstrap-servers \"$SC_BOOTSTRAP\" --manifest \"$SC_MANIFEST\" ${local.mode_flags} --timeout \"$SC_TIMEOUT\" --result-file \"$SC_RESULT\" ${local.optional_flags}${local.tolerate_failed_checks}; }"
    environment = {
      SC_SCHEMA_FILE   = var.schema_file == null ? "" : var.schema_file
      SC_REGISTRY      = var.schema_registry_url == null ? "" : var.schema_registry_url
      SC_BIN           = var.streamcheck_bin
      SC_OUTPUT_DIR    = var.output_dir
      SC_BOOTSTRAP     = var.bootstrap_servers
      SC_MANIFEST      = var.manifest
      SC_TIMEOUT       = var.timeout
      SC_RESULT        = local.result_file
      SC_TOPIC         = var.topic == null ? "" : var.topic
      SC_GROUP         = var.group_id == null ? "" : var.group_id
      SC_SLA           = var.delivery_sla == null ? "" : var.delivery_sla
      SC_HANDLE        = var.handle == null ? "" : var.handle
      SC_EXPECT_FAILED = var.expect_failed_checks == null ? "" : var.expect_failed_checks
    }
  }

  provisioner "local-exec" {
    when        = destroy
    command     = "rm -f \"$SC_RESULT\""
    environment = { SC_RESULT = self.input.result_file }
  }
}
