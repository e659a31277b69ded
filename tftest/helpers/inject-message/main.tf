# Test helper: writes one message with kcat (an independent client), optionally carrying
# streamcheck's run headers, to prove that verification catches what it should.
variable "bootstrap_servers" {
  type        = string
  description = "Kafka bootstrap servers."
}

variable "topic" {
  type        = string
  description = "Topic to write to."
}

variable "payload" {
  type        = string
  description = "Message value."
}

variable "headers" {
  type        = map(string)
  description = "Message headers."
  default     = {}
}

resource "terraform_data" "inject" {
  input = [var.bootstrap_servers, var.topic, var.payload, var.headers]

  provisioner "local-exec" {
    command = "printf '%s' \"$PAYLOAD\" | kcat -P -b \"$BOOTSTRAP\" -t \"$TOPIC\" ${join(" ", [for k, v in var.headers : "-H '${k}=${v}'"])}"
    environment = {
      PAYLOAD   = var.payload
      BOOTSTRAP = var.bootstrap_servers
      TOPIC     = var.topic
    }
  }
}

output "injected" {
  description = "Always true once the message is written."
  value       = terraform_data.inject.output != null
}
