# The basic flow on the embedded broker, with built-ins only:
#   terraform init && terraform apply    (streamcheck on PATH)
# Starts the broker and a consumer, produces 1000 JSON messages, and collects the verdict. The
# consumer starts first so the delivery SLA is checked against the real produce -> consume latency.
terraform {
  required_version = ">= 1.5.0"
}

variable "message_count" {
  type        = number
  description = "Messages to produce and verify."
  default     = 1000
}

module "broker" {
  source    = "../../terraform-modules/embedded-broker"
  state_dir = "${path.root}/.streamcheck/broker"
  topics    = [{ name = "orders", partitions = 3 }]
}

module "consumer" {
  source            = "../../terraform-modules/kafka-consume-start"
  bootstrap_servers = module.broker.bootstrap_servers
  topic             = "orders"
  manifest          = "${path.root}/.streamcheck/orders.manifest"
  delivery_sla      = "30s"
  output_dir        = "${path.root}/.streamcheck"
}

module "produce" {
  source            = "../../terraform-modules/kafka-produce"
  bootstrap_servers = module.broker.bootstrap_servers
  topic             = "orders"
  message_count     = var.message_count
  manifest          = module.consumer.manifest
  after             = module.consumer.handle
  output_dir        = "${path.root}/.streamcheck"
}

module "verify" {
  source            = "../../terraform-modules/kafka-consume-verify"
  bootstrap_servers = module.broker.bootstrap_servers
  manifest          = module.produce.manifest
  handle            = module.consumer.handle
  output_dir        = "${path.root}/.streamcheck"
}

output "passed" {
  description = "Whether every check passed."
  value       = module.verify.passed
}

output "summary" {
  description = "Counts and latency of the verification."
  value = {
    consumed       = module.verify.result.messages_consumed
    missing        = module.verify.result.missing
    duplicates     = module.verify.result.duplicates
    latency_ms_p99 = module.verify.result.produce_to_consume_ms_p99
  }
}
