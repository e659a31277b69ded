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
  description = "Topic to produce to."

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,249}$", var.topic))
    error_message = "topic must be 1-249 letters, digits, '.', '_' or '-'."
  }
}

variable "message_count" {
  type        = number
  description = "How many messages to produce (1 to 10,000,000)."
  default     = 1000

  validation {
    condition     = var.message_count >= 1 && var.message_count <= 10000000 && floor(var.message_count) == var.message_count
    error_message = "message_count must be a whole number from 1 to 10000000."
  }
}

variable "data_format" {
  type        = string
  description = "Message format: json or avro."
  default     = "json"

  validation {
    condition     = contains(["json", "avro"], var.data_format)
    error_message = "data_format must be json or avro."
  }
}

variable "schema_file" {
  type        = string
  description = "JSON template, sample or JSON Schema (an .avsc for avro) the generator fills; null for the built-in user event."
  default     = null
}

variable "data_file" {
  type        = string
  description = "JSON lines to send as they are; null to generate."
  default     = null
}

variable "key_strategy" {
  type        = string
  description = "Message keys: none, sequence, random or field:<name>."
  default     = "sequence"

  validation {
    condition     = can(regex("^(none|sequence|random|field:[A-Za-z0-9_.-]+)$", var.key_strategy))
    error_message = "key_strategy must be none, sequence, random or field:<name>."
  }
}

variable "seed" {
  type        = number
  description = "Seed for generated data; the same seed gives the same records."
  default     = 1
}

variable "rate" {
  type        = number
  description = "Messages per second; 0 for as fast as possible."
  default     = 0

  validation {
    condition     = var.rate >= 0
    error_message = "rate must be 0 or more."
  }
}

variable "mode" {
  type        = string
  description = "batch (throughput) or stream (one message at a time)."
  default     = "batch"

  validation {
    condition     = contains(["batch", "stream"], var.mode)
    error_message = "mode must be batch or stream."
  }
}

variable "run_id" {
  type        = string
  description = "Run id carried in headers and the manifest; null to generate one."
  default     = null

  validation {
    condition     = var.run_id == null || can(regex("^[A-Za-z0-9._-]{1,100}$", var.run_id))
    error_message = "run_id must be 1-100 letters, digits, '.', '_' or '-'."
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
  description = "Folder for the result file and manifest; they are removed at destroy."
}

variable "timeout" {
  type        = string
  description = "Bound on waiting for delivery reports, e.g. 60s."
  default     = "60s"
}

variable "schema_registry_url" {
  type        = string
  description = "Confluent Schema Registry URL for data_format avro: the schema is registered and messages are Confluent-framed. Credentials come only from STREAMCHECK_SCHEMA_REGISTRY_USERNAME / STREAMCHECK_SCHEMA_REGISTRY_PASSWORD in Terraform's environment. Null: plain Avro binary."
  default     = null

  validation {
    condition     = var.schema_registry_url == null || can(regex("^https?://[^@/]+(/.*)?$", var.schema_registry_url))
    error_message = "schema_registry_url must be an http:// or https:// URL without credentials in it."
  }
}

variable "subject_name_strategy" {
  type        = string
  description = "How the registry subject is named: TopicNameStrategy (<topic>-value), RecordNameStrategy (<record full name>) or TopicRecordNameStrategy (<topic>-<record full name>)."
  default     = "TopicNameStrategy"

  validation {
    condition     = contains(["TopicNameStrategy", "RecordNameStrategy", "TopicRecordNameStrategy"], var.subject_name_strategy)
    error_message = "subject_name_strategy must be TopicNameStrategy, RecordNameStrategy or TopicRecordNameStrategy."
  }
}

variable "check_compatibility" {
  type        = bool
  description = "Ask the registry whether schema_file is compatible with the subject (every version under a *_TRANSITIVE level) before producing; an incompatible schema fails the apply and nothing is produced."
  default     = false
}

variable "auto_register_schemas" {
  type        = bool
  description = "Register schema_file under the subject (true), or only look it up and use its id (false), for read-only registry credentials. A registration refused with 403 is looked up too."
  default     = true
}

variable "manifest" {
  type        = string
  description = "Where to write the manifest; null for <output_dir>/produce-<topic>-<run_id>.manifest. Set it to the path a consumer started before produce (kafka-consume-start) waits for."
  default     = null
}

variable "after" {
  type        = string
  description = "Any value this produce must wait for, e.g. kafka-consume-start's `handle`, so the consumer is reading before the first message is sent."
  default     = null
}
