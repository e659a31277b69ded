variable "streamcheck_bin" {
  type        = string
  description = "Path or name of the streamcheck binary."
  default     = "streamcheck"
}

variable "bootstrap_servers" {
  type        = string
  description = "Kafka bootstrap servers, host:port[,host:port]."

  validation {
    condition     = can(regex("^[A-Za-z0-9._:,\\[\\]-]+$", var.bootstrap_servers))
    error_message = "bootstrap_servers must be host:port pairs separated by commas."
  }
}

variable "manifest" {
  type        = string
  description = "The manifest written by kafka-produce (its `manifest` output)."
}

variable "topic" {
  type        = string
  description = "Topic to consume; null for the manifest's topic (set it when a connector copied the data elsewhere)."
  default     = null

  validation {
    condition     = var.topic == null || can(regex("^[A-Za-z0-9._-]{1,249}$", var.topic))
    error_message = "topic must be 1-249 letters, digits, '.', '_' or '-'."
  }
}

variable "group_id" {
  type        = string
  description = "Consumer group id; null for streamcheck-<run_id>."
  default     = null

  validation {
    condition     = var.group_id == null || can(regex("^[A-Za-z0-9._-]{1,200}$", var.group_id))
    error_message = "group_id must be 1-200 letters, digits, '.', '_' or '-'."
  }
}

variable "members" {
  type        = number
  description = "Consumers in the group (1-64)."
  default     = 1

  validation {
    condition     = var.members >= 1 && var.members <= 64 && floor(var.members) == var.members
    error_message = "members must be a whole number from 1 to 64."
  }
}

variable "expect_count" {
  type        = number
  description = "Messages to wait for; null for the manifest's count."
  default     = null
}

variable "timeout" {
  type        = string
  description = "Bound on the whole consume, e.g. 30s. It never hangs."
  default     = "30s"

  validation {
    condition     = can(regex("^[0-9.]+(ms|s|m|h)?$", var.timeout))
    error_message = "timeout must be a duration such as 30s, 500ms or 5m."
  }
}

variable "from" {
  type        = string
  description = "beginning, manifest (start at the manifest's first offsets), or committed (resume: what the group committed earlier is not expected again)."
  default     = "beginning"

  validation {
    condition     = contains(["beginning", "manifest", "committed"], var.from)
    error_message = "from must be beginning, manifest or committed."
  }
}

variable "delivery_sla" {
  type        = string
  description = "Every message must arrive within this latency, e.g. 30s; null for no SLA check."
  default     = null

  validation {
    condition     = var.delivery_sla == null || can(regex("^[0-9.]+(ms|s|m|h)?$", var.delivery_sla))
    error_message = "delivery_sla must be a duration such as 30s or 500ms."
  }
}

variable "kafka_config" {
  type        = map(string)
  description = "librdkafka properties (no secrets: credentials come from STREAMCHECK_KAFKA_* environment variables)."
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.kafka_config : !can(regex("'", "${k}${v}"))])
    error_message = "kafka_config keys and values must not contain single quotes."
  }
}

variable "output_dir" {
  type        = string
  description = "Folder for the result file; removed at destroy."
}

variable "name" {
  type        = string
  description = "Distinguishes result files when one configuration verifies several times."
  default     = "verify"

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,100}$", var.name))
    error_message = "name must be 1-100 letters, digits, '.', '_' or '-'."
  }
}

variable "record_in_report" {
  type        = bool
  description = "true: record the result in the run directory ($STREAMCHECK_REPORT_DIR) for `streamcheck report`; false to leave it out (a probe that is not a test). Negative tests say expect_failed_checks instead, so the report agrees with Terraform."
  default     = true
}

variable "expect_failed_checks" {
  type        = string
  description = "A negative test: the comma-separated checks that must fail, exactly (e.g. \"integrity\" or \"count,loss\"). The verify then passes (exit 0, reported as passed) when exactly those fail, and fails otherwise; `result.as_expected` says which. Null: every check must pass."
  default     = null

  validation {
    condition     = var.expect_failed_checks == null || can(regex("^[a-z_]+(,[a-z_]+)*$", var.expect_failed_checks))
    error_message = "expect_failed_checks must be check names separated by commas, e.g. count,loss."
  }
}

variable "handle" {
  type        = string
  description = "The `handle` output of kafka-consume-start: collect that consumer (started before produce, so produce_to_consume latency is real) instead of consuming now. members, from and the SLA were set when it started."
  default     = null
}

variable "fail_on_verification_failure" {
  type        = bool
  description = "true: a failed check fails the apply; false: the apply succeeds and `passed`/`failed_checks` say what failed (for asserts)."
  default     = true
}

variable "schema_file" {
  type        = string
  description = "Adds check schema_compliance. Avro: a reader schema (.avsc) every message must be readable with. JSON: a JSON Schema (draft 2020-12 subset) every message must satisfy. Null: Avro messages are still checked against their writer schema."
  default     = null
}

variable "schema_registry_url" {
  type        = string
  description = "Schema Registry to fetch writer schemas from by the id in each message (default: the one the manifest names). Credentials only from STREAMCHECK_SCHEMA_REGISTRY_USERNAME / STREAMCHECK_SCHEMA_REGISTRY_PASSWORD."
  default     = null

  validation {
    condition     = var.schema_registry_url == null || can(regex("^https?://[^@/]+(/.*)?$", var.schema_registry_url))
    error_message = "schema_registry_url must be an http:// or https:// URL without credentials in it."
  }
}
