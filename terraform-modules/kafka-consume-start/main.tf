locals {
  handle = "${var.output_dir}/${var.name}.handle"
  optional_flags = join(" ", compact([
    var.group_id == null ? "" : "--group-id \"$SC_GROUP\"",
    var.delivery_sla == null ? "" : "--delivery-sla \"$SC_SLA\"",
    var.schema_file == null ? "" : "--schema-file \"$SC_SCHEMA_FILE\"",
    var.schema_registry_url == null ? "" : "--schema-registry-url \"$SC_REGISTRY\"",
    join(" ", [for k, v in var.kafka_config : "-X '${k}=${v}'"]),
  ]))
}

# Starts `streamcheck consume --background` before anything is produced: it reads the topic from
# the partitions' ends as they are now, remembers when each message arrived, and verifies once
# produce has written the manifest. Only so is produce_to_consume a real latency (never the gap
# between two Terraform run blocks). The apply returns once the consumer holds its starting offsets.
resource "terraform_data" "consumer" {
  triggers_replace = [var.bootstrap_servers, var.topic, var.manifest, var.group_id, var.timeout, var.delivery_sla, var.kafka_config, var.output_dir, var.name, var.schema_file, var.schema_registry_url]

  input = {
    streamcheck_bin = var.streamcheck_bin
    handle          = local.handle
  }

  provisioner "local-exec" {
    command = "mkdir -p \"$SC_OUTPUT_DIR\" && rm -f \"$SC_MANIFEST\" && \"$SC_BIN\" consume --background --handle \"$SC_HANDLE\" --bootstrap-servers \"$SC_BOOTSTRAP\" --topic \"$SC_TOPIC\" --manifest \"$SC_MANIFEST\" --timeout \"$SC_TIMEOUT\" ${local.optional_flags}"
    environment = {
      SC_BIN         = var.streamcheck_bin
      SC_OUTPUT_DIR  = var.output_dir
      SC_HANDLE      = local.handle
      SC_BOOTSTRAP   = var.bootstrap_servers
      SC_TOPIC       = var.topic
      SC_MANIFEST    = var.manifest
      SC_TIMEOUT     = var.timeout
      SC_GROUP       = var.group_id == null ? "" : var.group_id
      SC_SLA         = var.delivery_sla == null ? "" : var.delivery_sla
      SC_SCHEMA_FILE = var.schema_file == null ? "" : var.schema_file
      SC_REGISTRY    = var.schema_registry_url == null ? "" : var.schema_registry_url
    }
  }

  # A consumer still running at destroy (nobody collected it) is stopped; its files go.
  provisioner "local-exec" {
    when    = destroy
    command = "pid=$(sed -n 's/.*\"pid\" *: *\\([0-9]*\\).*/\\1/p' \"$SC_HANDLE\" 2>/dev/null); [ -n \"$pid\" ] && kill \"$pid\" 2>/dev/null; rm -f \"$SC_HANDLE\" \"$SC_HANDLE.ready\" \"$SC_HANDLE.log\" \"$SC_HANDLE.result.json\"; true"
    environment = {
      SC_HANDLE = self.input.handle
    }
  }
}
