# Avro through a Confluent Schema Registry, with built-ins only:
#   export STREAMCHECK_SCHEMA_REGISTRY_USERNAME=... STREAMCHECK_SCHEMA_REGISTRY_PASSWORD=...   (if the registry needs them)
#   terraform init && terraform apply -var schema_registry_url=https://registry.example.com
# Starts the embedded broker, checks the schema's compatibility with the subject, registers it,
# produces 1000 generated Avro messages in Confluent framing, then consumes and verifies them,
# including schema_compliance. Point bootstrap at your own cluster by replacing module.broker.
terraform {
  required_version = ">= 1.5.0"
}

variable "schema_registry_url" {
  type        = string
  description = "Schema Registry base URL (credentials only from STREAMCHECK_SCHEMA_REGISTRY_USERNAME / _PASSWORD)."

  validation {
    condition     = can(regex("^https?://[^@/]+(/.*)?$", var.schema_registry_url))
    error_message = "schema_registry_url must be an http:// or https:// URL without credentials in it."
  }
}

variable "message_count" {
  type        = number
  description = "Messages to produce and verify."
  default     = 1000

  validation {
    condition     = var.message_count >= 1
    error_message = "message_count must be at least 1."
  }
}

module "broker" {
  source    = "../../terraform-modules/embedded-broker"
  state_dir = "${path.root}/.streamcheck/broker"
  topics    = [{ name = "user-events", partitions = 3 }]
}

module "produce" {
  source              = "../../terraform-modules/kafka-produce"
  bootstrap_servers   = module.broker.bootstrap_servers
  topic               = "user-events"
  message_count       = var.message_count
  data_format         = "avro"
  schema_file         = "${path.root}/../../tftest/data/schemas/user-event.avsc"
  schema_registry_url = var.schema_registry_url
  check_compatibility = true
  output_dir          = "${path.root}/.streamcheck"
}

module "verify" {
  source            = "../../terraform-modules/kafka-consume-verify"
  bootstrap_servers = module.broker.bootstrap_servers
  manifest          = module.produce.manifest
  output_dir        = "${path.root}/.streamcheck"
}

output "passed" {
  description = "Whether every check passed, schema_compliance included."
  value       = module.verify.passed
}

output "schema" {
  description = "Where the schema was registered and what the consumed messages carried."
  value = {
    subject           = module.produce.result.subject
    schema_id         = module.produce.result.schema_id
    schema_violations = module.verify.result.schema_violations
  }
}
