variable "streamcheck_bin" {
  type        = string
  description = "Path or name of the streamcheck binary."
  default     = "streamcheck"
}

variable "state_dir" {
  type        = string
  description = "Folder for the broker's state (broker.json, broker.log); removed at destroy."

  validation {
    condition     = length(var.state_dir) > 0 && !can(regex("['\"]", var.state_dir))
    error_message = "state_dir must be a non-empty path without quotes."
  }
}

variable "brokers" {
  type        = number
  description = "Number of brokers in the embedded cluster."
  default     = 1

  validation {
    condition     = var.brokers >= 1 && var.brokers <= 9 && floor(var.brokers) == var.brokers
    error_message = "brokers must be a whole number from 1 to 9."
  }
}

variable "topics" {
  type = list(object({
    name       = string
    partitions = number
  }))
  description = "Topics to create at start, each with its partition count."
  default     = []

  validation {
    condition     = alltrue([for t in var.topics : can(regex("^[A-Za-z0-9._-]{1,249}$", t.name)) && t.partitions >= 1 && t.partitions <= 1000])
    error_message = "Each topic needs a name of 1-249 letters, digits, '.', '_' or '-', and 1 to 1000 partitions."
  }
}
