# The same flow through `data "external"` (needs the hashicorp/external provider, so it cannot
# be initialised in air-gapped CI; the tests drive the binary exactly as this provider does).
# The broker must already run: streamcheck broker start --state-dir .streamcheck/broker
terraform {
  required_version = ">= 1.5.0"
  required_providers {
    external = {
      source  = "hashicorp/external"
      version = "~> 2.3"
    }
  }
}

variable "bootstrap_servers" {
  type        = string
  description = "Kafka bootstrap servers (e.g. from `streamcheck broker start`)."
}

variable "run_id" {
  type        = string
  description = "Run id; fixed so that repeated plans do not produce again under a new id."
  default     = "external-example"
}

# Note: data sources run on every plan and refresh. Produce is therefore keyed by run_id and
# writes its manifest to a fixed path.
data "external" "produce" {
  program = ["streamcheck", "external", "produce"]
  query = {
    bootstrap_servers = var.bootstrap_servers
    topic             = "orders"
    message_count     = "1000"
    run_id            = var.run_id
    manifest          = "${path.root}/.streamcheck/${var.run_id}.manifest"
    kafka_config      = jsonencode({ "acks" = "all" })
  }
}

data "external" "verify" {
  program = ["streamcheck", "external", "consume"]
  query = {
    bootstrap_servers = var.bootstrap_servers
    manifest          = data.external.produce.result.manifest
    timeout           = "60s"
    delivery_sla      = "30s"
  }
}

output "passed" {
  description = "\"true\" when every check passed (the external protocol carries strings only)."
  value       = data.external.verify.result.passed == "true"
}

output "failed_checks" {
  description = "Comma-separated names of failed checks."
  value       = data.external.verify.result.failed_checks
}

output "checks" {
  description = "Every check with expected and found values, decoded from details_json."
  value       = jsondecode(data.external.verify.result.details_json).checks
}
