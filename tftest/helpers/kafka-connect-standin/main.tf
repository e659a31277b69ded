# Test helper: starts the Kafka Connect STAND-IN (tests/standins/kafka_connect_standin.py, for
# tests only: no Kafka Connect runtime can be installed here) detached, with its connectors using
# the embedded broker's bootstrap servers, and stops it by its PID at teardown.
variable "state_dir" {
  type        = string
  description = "Directory for the stand-in's connect.json and log; removed at teardown."
  validation {
    condition     = length(trimspace(var.state_dir)) > 0
    error_message = "state_dir must not be empty."
  }
}

variable "bootstrap_servers" {
  type        = string
  description = "Kafka for the stand-in's connectors (e.g. the embedded broker's bootstrap_servers)."
  validation {
    condition     = can(regex("^[^,\\s]+:[0-9]+(,[^,\\s]+:[0-9]+)*$", var.bootstrap_servers))
    error_message = "bootstrap_servers must be host:port[,host:port...]."
  }
}

variable "basic_auth_user" {
  type        = string
  description = "When set, the stand-in requires basic auth with this user and the password in KAFKA_CONNECT_STANDIN_PASSWORD (from the environment)."
  default     = ""
}

locals {
  standin    = abspath("${path.module}/../../../tests/standins/kafka_connect_standin.py")
  state_file = "${var.state_dir}/connect.json"
}

resource "terraform_data" "standin" {
  input = {
    state_dir  = var.state_dir
    state_file = local.state_file
    standin    = local.standin
  }

  provisioner "local-exec" {
    # --background returns once the stand-in serves (bounded, 20 s) and leaves it running in its
    # own session; its log is DIR/connect.log.
    command = "mkdir -p \"$DIR\" && if [ -n \"$AUTH_USER\" ]; then export KAFKA_CONNECT_STANDIN_USERNAME=\"$AUTH_USER\"; fi && python3 \"$STANDIN\" --background --state-dir \"$DIR\" --bootstrap-servers \"$BOOTSTRAP\" >/dev/null"
    environment = {
      DIR       = var.state_dir
      STANDIN   = local.standin
      BOOTSTRAP = var.bootstrap_servers
      AUTH_USER = var.basic_auth_user
    }
  }

  provisioner "local-exec" {
    when    = destroy
    command = "python3 \"$STANDIN\" --stop --state-dir \"$DIR\"; rm -rf \"$DIR\""
    environment = {
      STANDIN = self.input.standin
      DIR     = self.input.state_dir
    }
  }
}

output "connect_url" {
  description = "Base URL of the running stand-in's Kafka Connect REST API."
  value       = jsondecode(file(terraform_data.standin.output.state_file)).connect_url
}
