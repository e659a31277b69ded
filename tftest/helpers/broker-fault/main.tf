# Test helper: applies a sequence of faults to a running embedded broker with
# `streamcheck broker fault`. With background = true the steps run in a detached process
# (setsid, output to a log) so the next run block (e.g. a streaming produce) runs while they
# fire; teardown stops that process if it is still running and removes its files.
terraform {
  required_version = ">= 1.5.0"
}

variable "streamcheck_bin" {
  type        = string
  description = "Path or name of the streamcheck binary."
  default     = "streamcheck"
}

variable "state_dir" {
  type        = string
  description = "The embedded broker's state dir."
}

variable "work_dir" {
  type        = string
  description = "Folder for the background process's pid and log files."
}

variable "name" {
  type        = string
  description = "Names the pid and log files."

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]+$", var.name))
    error_message = "name must be letters, digits, '_' or '-'."
  }
}

variable "background" {
  type        = bool
  description = "Run the steps in a detached process and return at once."
  default     = false
}

variable "steps" {
  type = list(object({
    after_seconds = optional(number, 0)
    action        = string
    broker        = optional(number, 1)
    api_key       = optional(number)
    error_code    = optional(number)
    count         = optional(number)
    milliseconds  = optional(number)
    group_id      = optional(string)
    topic         = optional(string)
    partition     = optional(number)
  }))
  description = "Faults in order; each waits after_seconds after the previous one."

  validation {
    condition     = length(var.steps) > 0 && alltrue([for s in var.steps : contains(["broker-down", "broker-up", "request-errors", "latency", "coordinator", "leader"], s.action) && s.after_seconds >= 0 && s.after_seconds <= 300])
    error_message = "each step needs an action (broker-down, broker-up, request-errors, latency, coordinator, leader) and after_seconds from 0 to 300."
  }
}

locals {
  pid_file = "${var.work_dir}/${var.name}.pid"
  log_file = "${var.work_dir}/${var.name}.log"
  commands = [for s in var.steps : join(" ", compact([
    "sleep ${s.after_seconds} &&",
    "\"$SC_BIN\" broker fault --state-dir \"$SC_STATE_DIR\" --action ${s.action} --broker ${s.broker}",
    s.api_key == null ? "" : "--api-key ${s.api_key}",
    s.error_code == null ? "" : "--error-code ${s.error_code}",
    s.count == null ? "" : "--count ${s.count}",
    s.milliseconds == null ? "" : "--milliseconds ${s.milliseconds}",
    s.group_id == null ? "" : "--group-id ${s.group_id}",
    s.topic == null ? "" : "--topic ${s.topic}",
    s.partition == null ? "" : "--partition ${s.partition}",
  ]))]
  script = join(" && ", local.commands)
}

resource "terraform_data" "faults" {
  input = {
    pid_file = local.pid_file
    log_file = local.log_file
    steps    = var.steps
  }

  provisioner "local-exec" {
    command = var.background ? "mkdir -p \"$SC_WORK\" && (setsid sh -c '${local.script}' > \"$SC_LOG\" 2>&1 < /dev/null & echo $! > \"$SC_PID\")" : "mkdir -p \"$SC_WORK\" && ${local.script}"
    environment = {
      SC_BIN       = var.streamcheck_bin
      SC_STATE_DIR = var.state_dir
      SC_WORK      = var.work_dir
      SC_LOG       = local.log_file
      SC_PID       = local.pid_file
    }
  }

  provisioner "local-exec" {
    when    = destroy
    command = "if [ -f \"$SC_PID\" ]; then kill \"$(cat \"$SC_PID\")\" 2>/dev/null; fi; rm -f \"$SC_PID\" \"$SC_LOG\""
    environment = {
      SC_PID = self.input.pid_file
      SC_LOG = self.input.log_file
    }
  }
}

output "steps" {
  description = "The number of fault steps applied (or scheduled, in the background)."
  value       = length(terraform_data.faults.output.steps)
}
