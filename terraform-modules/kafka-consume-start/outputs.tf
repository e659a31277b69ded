output "handle" {
  description = "The consumer's handle file: pass it to kafka-consume-verify's `handle` to collect the verdict after produce."
  value       = terraform_data.consumer.output.handle
}

output "manifest" {
  description = "The manifest path the consumer waits for: pass it to kafka-produce's `manifest`."
  value       = var.manifest
}
