# Test helper: arms one of the Kafka Connect STAND-IN's fault controls (POST /__standin/ACTION,
# tests only), e.g. fail-task {"connector", "task", "after_records", "trace"}, or lags {"restart": 0}.
variable "connect_url" {
  type        = string
  description = "The stand-in's base URL (output connect_url of helpers/kafka-connect-standin)."
  validation {
    condition     = can(regex("^http://127\\.0\\.0\\.1:[0-9]+$", var.connect_url))
    error_message = "connect_url must be the local stand-in, http://127.0.0.1:PORT."
  }
}

variable "action" {
  type        = string
  description = "Control: fail-task, conflict, rebalance, hang, rate-limit, lags, connect-version or reset-faults."
  validation {
    condition     = contains(["fail-task", "conflict", "rebalance", "hang", "rate-limit", "lags", "connect-version", "reset-faults"], var.action)
    error_message = "action must be one of fail-task, conflict, rebalance, hang, rate-limit, lags, connect-version, reset-faults."
  }
}

variable "body" {
  type        = string
  description = "The control's JSON body (jsonencode({...}))."
  default     = "{}"
  validation {
    condition     = can(jsondecode(var.body))
    error_message = "body must be JSON text."
  }
}

resource "terraform_data" "fault" {
  input = [var.connect_url, var.action, var.body]

  provisioner "local-exec" {
    # Bounded (5 s); a refused control fails the run with the stand-in's answer.
    command = <<-EOT
      python3 -c '
      import sys, urllib.request
      req = urllib.request.Request(sys.argv[1] + "/__standin/" + sys.argv[2], data=sys.argv[3].encode(), method="POST",
                                   headers={"Content-Type": "application/json"})
      urllib.request.urlopen(req, timeout=5).read()
      ' "$CONNECT_URL" "$ACTION" "$BODY"
    EOT
    environment = {
      CONNECT_URL = var.connect_url
      ACTION      = var.action
      BODY        = var.body
    }
  }
}

output "armed" {
  description = "True once the stand-in accepted the control."
  value       = terraform_data.fault.id != ""
}
