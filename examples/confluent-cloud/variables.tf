variable "environment_id" {
  type        = string
  description = "Confluent Cloud environment (env-...)."
  validation {
    condition     = can(regex("^env-[a-z0-9]+$", var.environment_id))
    error_message = "environment_id must look like env-abc123."
  }
}

variable "kafka_cluster_id" {
  type        = string
  description = "Kafka cluster (lkc-...)."
  validation {
    condition     = can(regex("^lkc-[a-z0-9]+$", var.kafka_cluster_id))
    error_message = "kafka_cluster_id must look like lkc-abc123."
  }
}

variable "kafka_rest_endpoint" {
  type        = string
  description = "The cluster's REST endpoint (https://pkc-....confluent.cloud:443), for topic management."
  validation {
    condition     = can(regex("^https://", var.kafka_rest_endpoint))
    error_message = "kafka_rest_endpoint must be an https:// URL."
  }
}

variable "kafka_bootstrap_endpoint" {
  type        = string
  description = "The cluster's bootstrap endpoint (SASL_SSL://pkc-....confluent.cloud:9092 or host:port)."
  validation {
    condition     = can(regex("^(SASL_SSL://)?[^,\\s]+:[0-9]+$", var.kafka_bootstrap_endpoint))
    error_message = "kafka_bootstrap_endpoint must be host:port, optionally prefixed with SASL_SSL://."
  }
}

variable "kafka_api_key" {
  type        = string
  description = "Cluster API key for topic management (TF_VAR_kafka_api_key)."
  sensitive   = true
  validation {
    condition     = length(var.kafka_api_key) > 0
    error_message = "kafka_api_key must not be empty."
  }
}

variable "kafka_api_secret" {
  type        = string
  description = "Cluster API secret for topic management (TF_VAR_kafka_api_secret)."
  sensitive   = true
  validation {
    condition     = length(var.kafka_api_secret) > 0
    error_message = "kafka_api_secret must not be empty."
  }
}

variable "connector_service_account_id" {
  type        = string
  description = "Service account (sa-...) the connector uses, with READ on the topic and its consumer group."
  validation {
    condition     = can(regex("^sa-[a-z0-9]+$", var.connector_service_account_id))
    error_message = "connector_service_account_id must look like sa-abc123."
  }
}

variable "schema_registry_url" {
  type        = string
  description = "The environment's Schema Registry endpoint (https://psrc-....confluent.cloud), without credentials."
  validation {
    condition     = can(regex("^https://[^@/]+/?$", var.schema_registry_url))
    error_message = "schema_registry_url must be an https:// URL without credentials or a path."
  }
}

variable "db_host" {
  type        = string
  description = "PostgreSQL host reachable from Confluent Cloud."
  validation {
    condition     = length(var.db_host) > 0
    error_message = "db_host must not be empty."
  }
}

variable "db_port" {
  type        = number
  description = "PostgreSQL port."
  default     = 5432
  validation {
    condition     = var.db_port >= 1 && var.db_port <= 65535
    error_message = "db_port must be from 1 to 65535."
  }
}

variable "db_name" {
  type        = string
  description = "Database the sink writes to."
  validation {
    condition     = length(var.db_name) > 0
    error_message = "db_name must not be empty."
  }
}

variable "db_user" {
  type        = string
  description = "Database user of the sink connector."
  validation {
    condition     = length(var.db_user) > 0
    error_message = "db_user must not be empty."
  }
}

variable "db_password" {
  type        = string
  description = "The sink connector's database password (TF_VAR_db_password): Confluent Cloud needs it, so it is kept in state as sensitive."
  sensitive   = true
  validation {
    condition     = length(var.db_password) > 0
    error_message = "db_password must not be empty."
  }
}

variable "topic" {
  type        = string
  description = "Topic created for the test."
  default     = "streamcheck_orders"
  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,249}$", var.topic))
    error_message = "topic must be a valid Kafka topic name."
  }
}

variable "partitions" {
  type        = number
  description = "Partitions of the topic."
  default     = 6
  validation {
    condition     = var.partitions >= 1 && var.partitions <= 100 && floor(var.partitions) == var.partitions
    error_message = "partitions must be a whole number from 1 to 100."
  }
}

variable "table" {
  type        = string
  description = "Table the sink creates and writes."
  default     = "streamcheck_orders"
  validation {
    condition     = can(regex("^[a-z_][a-z0-9_]{0,62}$", var.table))
    error_message = "table must be a lowercase SQL identifier."
  }
}

variable "message_count" {
  type        = number
  description = "Records to produce."
  default     = 1000
  validation {
    condition     = var.message_count >= 1 && var.message_count <= 1000000 && floor(var.message_count) == var.message_count
    error_message = "message_count must be a whole number from 1 to 1000000."
  }
}

variable "streamcheck_bin" {
  type        = string
  description = "The streamcheck binary."
  default     = "streamcheck"
}
