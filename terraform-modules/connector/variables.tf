variable "name" {
  type        = string
  description = "The connector's name in Kafka Connect."
  validation {
    condition     = length(var.name) > 0 && length(var.name) <= 249 && trimspace(var.name) == var.name && !can(regex("[[:cntrl:]]", var.name))
    error_message = "name must be 1 to 249 characters, without leading or trailing spaces or control characters."
  }
}

variable "connect_url" {
  type        = string
  description = "Kafka Connect REST URL, e.g. http://connect:8083. Basic auth and client TLS come from the environment Terraform runs in (STREAMCHECK_CONNECT_USERNAME / _PASSWORD, STREAMCHECK_CONNECT_CLIENT_CERT / _KEY / _CA_FILE), never from here."
  validation {
    condition     = can(regex("^https?://[^/@\\s]+", var.connect_url)) && !can(regex("^https?://[^/]*@", var.connect_url))
    error_message = "connect_url must be an http:// or https:// URL without user:password@ (credentials come from STREAMCHECK_CONNECT_USERNAME and STREAMCHECK_CONNECT_PASSWORD)."
  }
}

variable "config" {
  type        = map(string)
  description = "Connector config (all values strings). Secrets: write \"$${env:VAR}\" and streamcheck substitutes the environment variable VAR, so the secret never enters Terraform state."
  validation {
    condition     = contains(keys(var.config), "connector.class") && length(trimspace(lookup(var.config, "connector.class", ""))) > 0
    error_message = "config must include connector.class, e.g. \"io.confluent.connect.jdbc.JdbcSinkConnector\"."
  }
  validation {
    condition     = lookup(var.config, "name", var.name) == var.name
    error_message = "config.name, when given, must equal name."
  }
}

variable "target_state" {
  type        = string
  description = "State to wait for after apply: RUNNING (default), PAUSED or STOPPED."
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

variable "wait_timeout" {
  type        = string
  description = "Bound on applying and on waiting for target_state, e.g. 120s or 5m. A FAILED connector or task fails the apply at once with its trace."
  default     = "120s"
  validation {
    condition     = can(regex("^[0-9]+(\\.[0-9]+)?(ms|s|m|h)?$", var.wait_timeout))
    error_message = "wait_timeout must be a duration such as 500ms, 30s, 5m or 1h."
  }
}

variable "delete_timeout" {
  type        = string
  description = "Bound on deleting the connector at destroy and waiting until Connect no longer lists it."
  default     = "60s"
  validation {
    condition     = can(regex("^[0-9]+(\\.[0-9]+)?(ms|s|m|h)?$", var.delete_timeout))
    error_message = "delete_timeout must be a duration such as 500ms, 30s, 5m or 1h."
  }
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
  description = "Directory for the apply and wait result files (JSON read back into the outputs). Empty: .streamcheck/connectors under the root module."
  default     = ""
  validation {
    condition     = !can(regex("[[:cntrl:]]", var.result_dir))
    error_message = "result_dir must not contain control characters."
  }
}

variable "previous_config_file" {
  type        = string
  description = "When set, each apply that changes the connector first keeps its config as it stood (secrets left out) in this file, for `streamcheck connector rollback --previous FILE`; an unchanged apply leaves the file alone. Kept when the module is destroyed: it is the rollback artifact."
  default     = ""
  validation {
    condition     = !can(regex("[[:cntrl:]]", var.previous_config_file))
    error_message = "previous_config_file must not contain control characters."
  }
}
