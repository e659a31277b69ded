# Starts librdkafka's mock cluster in the background for the life of this resource and stops
# it at destroy. `broker start` detaches the broker (setsid, output to broker.log), so
# local-exec returns as soon as the broker serves.
locals {
  topic_args = join(" ", [for t in var.topics : "--topic '${t.name}:${t.partitions}'"])
}

resource "terraform_data" "broker" {
  # A change of any setting replaces the resource so its provisioner runs again (an in-place
  # update of terraform_data runs none, and outputs would read a file that was never written).
  triggers_replace = [var.state_dir, var.brokers, var.topics]

  input = {
    streamcheck_bin = var.streamcheck_bin
    state_dir       = var.state_dir
    result_file     = "${var.state_dir}.start.json"
  }

  provisioner "local-exec" {
    command = "'${var.streamcheck_bin}' broker start --state-dir '${var.state_dir}' --brokers ${var.brokers} ${local.topic_args} --result-file '${var.state_dir}.start.json'"
  }

  provisioner "local-exec" {
    when    = destroy
    command = "'${self.input.streamcheck_bin}' broker stop --state-dir '${self.input.state_dir}' && rm -f '${self.input.result_file}'"
  }
}
