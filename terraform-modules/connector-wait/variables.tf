variable "name" {
  type        = string
  description = "The connector's name (for Confluent Cloud: its display name, as the Connect API addresses it)."
  validation {
    condition     = length(var.name) > 0 && length(var.name) <= 249 && trimspace(var.name) == var.name && !can(regex("[[:cntrl:]]", var.name))
    error_message = "name must be 1 to 249 characters, without leading or trailing spaces or control characters."
  }
}

variable "api" {
  type        = string
  description = "Which Connect API: self-managed (Kafka Connect REST at connect_url) or confluent-cloud (needs environment and cluster; key and secret from CONFLUENT_CLOUD_API_KEY / CONFLUENT_CLOUD_API_SECRET)."
  default     = "self-managed"
  validation {
    condition     = contains(["self-managed", "confluent-cloud"], var.api)
    error_message = "api must be self-managed or confluent-cloud."
  }
}

variable "connect_url" {
  type        = string
  description = "Kafka Connect REST URL (self-managed), or the Confluent Cloud API base (empty: https://api.confluent.cloud). Credentials come from the environment, never from here."
  default     = ""
  validation {
    condition     = var.connect_url == "" || (can(regex("^https?://[^/@\\s]+", var.connect_url)) && !can(regex("^https?://[^/]*@", var.connect_url)))
    error_message = "connect_url must be an http:// or https:// URL without user:password@ (credentials come from the environment)."
  }
}

variable "environment" {
  type        = string
  description = "Confluent Cloud environment id (env-...); confluent-cloud only."
  default     = ""
  validation {
    condition     = var.environment == "" || can(regex("^[A-Za-z0-9_-]+$", var.environment))
    error_message = "environment must be an id such as env-abc123."
  }
}

variable "cluster" {
  type        = string
  description = "Confluent Cloud Kafka cluster id (lkc-...); confluent-cloud only."
  default     = ""
  validation {
    condition     = var.cluster == "" || can(regex("^[A-Za-z0-9_-]+$", var.cluster))
    error_message = "cluster must be an id such as lkc-abc123."
  }
}

variable "target_state" {
  type        = string
  description = "State to wait for: RUNNING (default), PAUSED or STOPPED."
  default     = "RUNNING"
  validation {
    condition     = contains(["RUNNING", "PAUSED", "STOPPED"], var.target_state)
    error_message = "target_state must be RUNNING, PAUSED or STOPPED."
  }
}

variable "expected_tasks" {
  type        = number
  description = "How many tasks must reach target_state; null means all of them (at least one for RUNNING)."
  default     = null
  validation {
    condition     = var.expected_tasks == null ? true : (var.expected_tasks >= 0 && floor(var.expected_tasks) == var.expected_tasks)
    error_message = "expected_tasks must be null or a whole number >= 0."
  }
}

variable "timeout" {
  type        = string
  description = "Bound on the wait, e.g. 120s or 5m. A FAILED connector or task fails at once with its trace."
  default     = "120s"
  validation {
    condition     = can(regex("^[0-9]+(\\.[0-9]+)?(ms|s|m|h)?$", var.timeout))
    error_message = "timeout must be a duration such as 500ms, 30s, 5m or 1h."
  }
}

variable "settle" {
  type        = string
  description = "How long a status unchanged since the wait began must hold before it counts (Connect's status lags behind restarts and config changes); 0s trusts the first reading."
  default     = "3s"
  validation {
    condition     = can(regex("^[0-9]+(\\.[0-9]+)?(ms|s|m|h)?$", var.settle))
    error_message = "settle must be a duration such as 0s, 500ms or 3s."
  }
}

variable "triggers" {
  type        = map(string)
  description = "Values that make the wait run again when they change, e.g. { id = confluent_connector.sink.id, config = sha256(jsonencode(...)) }."
  default     = {}
}

variable "streamcheck_bin" {
  type        = string
  description = "The streamcheck executable: a name on PATH or a path."
  default     = "streamcheck"
  validation {
    condition     = length(trimspace(var.streamcheck_bin)) > 0
    error_message = "streamcheck_bin must not be empty."
  }
}

variable "result_dir" {
  type        = string
  description = "Directory for the wait result file. Empty: .streamcheck/connectors under the root module."
  default     = ""
  validation {
    condition     = !can(regex("[[:cntrl:]]", var.result_dir))
    error_message = "result_dir must not contain control characters."
  }
}
