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

variable "topic" {
  type        = string
  description = "Topic to read, from the partitions' ends as they are when the consumer starts."

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,249}$", var.topic))
    error_message = "topic must be 1-249 letters, digits, '.', '_' or '-'."
  }
}

variable "manifest" {
  type        = string
  description = "Where the produce that follows will write its manifest (kafka-produce's `manifest` variable): the consumer verifies once it exists. A file already there is removed first."
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

variable "timeout" {
  type        = string
  description = "Bound on the whole consume, from its start until the last message is verified (the produce in between included), e.g. 2m. It never hangs."
  default     = "2m"

  validation {
    condition     = can(regex("^[0-9.]+(ms|s|m|h)?$", var.timeout))
    error_message = "timeout must be a duration such as 30s, 500ms or 5m."
  }
}

variable "output_dir" {
  type        = string
  description = "Folder for the handle, log and result files; removed at destroy."
}

variable "name" {
  type        = string
  description = "Distinguishes the handle files when one configuration starts several consumers."
  default     = "consumer"

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,100}$", var.name))
    error_message = "name must be 1-100 letters, digits, '.', '_' or '-'."
  }
}
