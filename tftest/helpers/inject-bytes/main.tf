# Test helper: writes one message whose value is given in hex (binary, e.g. a Confluent-framed
# Avro payload that does not decode) with kafka-python, an independent client.
variable "bootstrap_servers" {
  type        = string
  description = "Kafka bootstrap servers."
}

variable "topic" {
  type        = string
  description = "Topic to write to (partition 0)."
}

variable "value_hex" {
  type        = string
  description = "Message value as hex digits."

  validation {
    condition     = can(regex("^([0-9a-fA-F]{2})+$", var.value_hex))
    error_message = "value_hex must be an even number of hex digits."
  }
}

resource "terraform_data" "inject" {
  input = [var.bootstrap_servers, var.topic, var.value_hex]

  provisioner "local-exec" {
    command = "timeout 60 python3 -c 'import os; from kafka import KafkaProducer; p = KafkaProducer(bootstrap_servers=os.environ[\"BOOTSTRAP\"], acks=\"all\"); p.send(os.environ[\"TOPIC\"], value=bytes.fromhex(os.environ[\"VALUE_HEX\"]), partition=0).get(timeout=30); p.close()'"
    environment = {
      BOOTSTRAP = var.bootstrap_servers
      TOPIC     = var.topic
      VALUE_HEX = var.value_hex
    }
  }
}

output "injected" {
  description = "Always true once the message is written."
  value       = terraform_data.inject.output != null
}
