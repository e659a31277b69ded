variable "connect_url" {
  type        = string
  description = "Kafka Connect REST URL (credentials, if any, from STREAMCHECK_CONNECT_USERNAME/_PASSWORD)."
  validation {
    condition     = can(regex("^https?://", var.connect_url))
    error_message = "connect_url must be an http(s) URL."
  }
}

variable "bootstrap_servers" {
  type        = string
  description = "Kafka bootstrap servers of the cluster the connectors use."
  validation {
    condition     = can(regex("^[^,\\s]+:[0-9]+(,[^,\\s]+:[0-9]+)*$", var.bootstrap_servers))
    error_message = "bootstrap_servers must be host:port[,host:port...]."
  }
}

variable "s3_endpoint" {
  type        = string
  description = "S3 API endpoint for streamcheck and the connectors (moto, MinIO, https://s3.eu-west-1.amazonaws.com). Credentials from AWS_* in the environment."
  validation {
    condition     = can(regex("^https?://", var.s3_endpoint))
    error_message = "s3_endpoint must be an http(s) URL."
  }
}

variable "postgres_jdbc_url" {
  type        = string
  description = "JDBC URL the sink connector writes to, without credentials: jdbc:postgresql://HOST:PORT/DB."
  validation {
    condition     = can(regex("^jdbc:postgresql://[^/@]+/[A-Za-z0-9_]+$", var.postgres_jdbc_url))
    error_message = "postgres_jdbc_url must be jdbc:postgresql://HOST:PORT/DB, without user or password."
  }
}

variable "postgres_user" {
  type        = string
  description = "Database user of the sink connector (its password comes from ORDERS_DB_PASSWORD in the environment)."
  default     = "postgres"
  validation {
    condition     = length(var.postgres_user) > 0
    error_message = "postgres_user must not be empty."
  }
}

variable "bucket" {
  type        = string
  description = "Bucket the S3 source reads (created if missing)."
  default     = "streamcheck-s3-to-postgres"
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket))
    error_message = "bucket must be a valid S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)."
  }
}

variable "topic" {
  type        = string
  description = "Topic between the connectors."
  default     = "s3_orders"
  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,249}$", var.topic))
    error_message = "topic must be a valid Kafka topic name."
  }
}

variable "table" {
  type        = string
  description = "Table the JDBC sink writes (created by the connector)."
  default     = "s3_orders"
  validation {
    condition     = can(regex("^[a-z_][a-z0-9_]{0,62}$", var.table))
    error_message = "table must be a lowercase SQL identifier."
  }
}

variable "run_id" {
  type        = string
  description = "Names this run: the S3 prefix, the connector names and the manifest's run id."
  default     = "s3-to-postgres"
  validation {
    condition     = can(regex("^[a-z0-9-]{1,40}$", var.run_id))
    error_message = "run_id must be 1-40 lowercase letters, digits or hyphens."
  }
}

variable "message_count" {
  type        = number
  description = "Records to seed (in objects of 100)."
  default     = 1000
  validation {
    condition     = var.message_count >= 1 && var.message_count <= 1000000 && floor(var.message_count) == var.message_count
    error_message = "message_count must be a whole number from 1 to 1000000."
  }
}

variable "seed" {
  type        = number
  description = "Seed of the record generator (the same seed regenerates the same records)."
  default     = 42
  validation {
    condition     = var.seed >= 0 && floor(var.seed) == var.seed
    error_message = "seed must be a non-negative whole number."
  }
}

variable "streamcheck_bin" {
  type        = string
  description = "The streamcheck binary."
  default     = "streamcheck"
}
