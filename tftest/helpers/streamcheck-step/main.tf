# Test helper: runs one streamcheck operation (`streamcheck <words...> <args...>`) and exposes its
# typed result file, for the steps no module wraps (connector restart/stop/offsets, verify-sink,
# seed-source). Exit 2 ("verified, and a check failed" or "wait ended FAILED") can be tolerated
# so the asserts decide. Secrets reach streamcheck only through the environment Terraform runs
# in (STREAMCHECK_POSTGRES_URL, AWS_*), never through these variables.
variable "words" {
  type        = list(string)
  description = "The operation's words, e.g. [\"connector\", \"restart\"] or [\"verify-sink\", \"postgres\"]."
  validation {
    condition     = length(var.words) > 0
    error_message = "words must name an operation."
  }
}

variable "args" {
  type        = list(string)
  description = "Flags and values, each one list element (shell-quoted here), e.g. [\"--name\", \"orders-sink\"]."
  default     = []
}

variable "result_file" {
  type        = string
  description = "Where the operation writes its typed JSON result; removed at teardown."
  validation {
    condition     = endswith(var.result_file, ".json")
    error_message = "result_file must end in .json."
  }
}

variable "tolerate_exit_2" {
  type        = bool
  description = "Accept exit code 2 (a verification or wait that ended failed) so asserts can inspect the result."
  default     = false
}

variable "remove_at_destroy" {
  type        = list(string)
  description = "Other files the operation writes (a seed-source manifest), removed at teardown with the result file."
  default     = []
}

variable "streamcheck_bin" {
  type        = string
  description = "The streamcheck binary."
  default     = "streamcheck"
}

locals {
  quoted = join(" ", [for a in concat(var.words, var.args) : "'${replace(a, "'", "'\\''")}'"])
}

resource "terraform_data" "step" {
  input = {
    result_file = var.result_file
    files       = join(" ", [for f in var.remove_at_destroy : "'${replace(f, "'", "'\\''")}'"])
  }

  provisioner "local-exec" {
    command = "mkdir -p \"$(dirname \"$RESULT\")\" && { \"$SC_BIN\" ${local.quoted} --result-file \"$RESULT\"${var.tolerate_exit_2 ? " || [ $? -eq 2 ]" : ""}; }"
    environment = {
      SC_BIN = var.streamcheck_bin
      RESULT = var.result_file
    }
  }

  provisioner "local-exec" {
    when        = destroy
    command     = "rm -f \"$RESULT\" ${self.input.files}"
    environment = { RESULT = self.input.result_file }
  }
}

output "result" {
  description = "The operation's typed result (null if the file is gone)."
  value       = fileexists(terraform_data.step.output.result_file) ? jsondecode(file(terraform_data.step.output.result_file)) : null
}
