# Test helper: copies the messages of one partition to another topic in reverse order, headers
# and values unchanged, with kcat (an independent client). The copy carries every message once,
# intact: only their order differs, so the ordering check alone must fail.
terraform {
  required_version = ">= 1.5.0"
}

variable "bootstrap_servers" {
  type        = string
  description = "Kafka bootstrap servers."
}

variable "from_topic" {
  type        = string
  description = "Topic to read (partition 0, from the beginning to its end)."
}

variable "to_topic" {
  type        = string
  description = "Topic to write the reversed copy to (partition 0)."
}

resource "terraform_data" "copy" {
  input = [var.bootstrap_servers, var.from_topic, var.to_topic]

  provisioner "local-exec" {
    # One line per message: headers (k=v,k=v) TAB value. streamcheck's headers and JSON values
    # hold neither tabs nor newlines.
    command = <<-EOT
      set -eu
      kcat -C -b "$BOOTSTRAP" -t "$FROM" -p 0 -o beginning -e -q -f '%h\t%s\n' | tac | while IFS="$(printf '\t')" read -r headers value; do
        set --
        old_ifs=$IFS; IFS=,
        for h in $headers; do set -- "$@" -H "$h"; done
        IFS=$old_ifs
        printf '%s' "$value" | kcat -P -b "$BOOTSTRAP" -t "$TO" -p 0 "$@"
      done
    EOT
    environment = {
      BOOTSTRAP = var.bootstrap_servers
      FROM      = var.from_topic
      TO        = var.to_topic
    }
  }
}

output "copied" {
  description = "Always true once the copy is written."
  value       = terraform_data.copy.output != null
}
