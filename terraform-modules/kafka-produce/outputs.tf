output "result" {
  description = "The whole produce result (typed): run_id, messages_produced, messages_failed, partitions, manifest, duration_ms, throughput_msgs_per_s, ack latency."
  value       = jsondecode(file(terraform_data.produce.output.result_file))
}

output "run_id" {
  description = "The run id carried by every message."
  value       = jsondecode(file(terraform_data.produce.output.result_file)).run_id
}

output "messages_produced" {
  description = "Messages acknowledged by the broker."
  value       = jsondecode(file(terraform_data.produce.output.result_file)).messages_produced
}

output "manifest" {
  description = "Path of the manifest to verify against."
  value       = terraform_data.produce.output.manifest
}
