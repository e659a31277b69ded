# Test helper: runs one streamcheck command that is expected to fail, and keeps its exit
# code, its stderr and its result file, so a run block can assert on a failure (a failing
# local-exec would end the test instead).
terraform {
  required_version = ">= 1.5.0"
}

variable "streamcheck_bin" {
  type        = string
  description = "Path or name of the streamcheck binary."
  default     = "streamcheck"
}

variable "arguments" {
  type        = list(string)
  description = "Arguments after the binary, e.g. [\"produce\", \"--topic\", \"t\"]. --result-file is added."
}

variable "output_dir" {
  type        = string
  description = "Folder for the captured files."
}

variable "name" {
  type        = string
  description = "Names the captured files."

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]+$", var.name))
    error_message = "name must be letters, digits, '_' or '-'."
  }
}

variable "extra_files" {
  type        = list(string)
  description = "Other files the command writes (e.g. a manifest), removed at destroy."
  default     = []
}

locals {
  base   = "${var.output_dir}/${var.name}"
  quoted = join(" ", [for a in var.arguments : "'${replace(a, "'", "'\\''")}'"])
}

resource "terraform_data" "run" {
  input = {
    files = concat(["${local.base}.json", "${local.base}.exit", "${local.base}.stderr"], var.extra_files)
  }

  provisioner "local-exec" {
    command = "mkdir -p \"$SC_OUT\" && rm -f \"$SC_BASE.json\"; \"$SC_BIN\" ${local.quoted} --result-file \"$SC_BASE.json\" 2> \"$SC_BASE.stderr\"; echo $? > \"$SC_BASE.exit\""
    environment = {
      SC_BIN  = var.streamcheck_bin
      SC_OUT  = var.output_dir
      SC_BASE = local.base
    }
  }

  provisioner "local-exec" {
    when    = destroy
    command = "rm -f ${join(" ", [for f in self.input.files : "'${f}'"])}"
  }
}

output "exit_code" {
  description = "The command's exit code."
  value       = tonumber(trimspace(file(terraform_data.run.output.files[1])))
}

output "stderr" {
  description = "What the command wrote to stderr."
  value       = trimspace(file(terraform_data.run.output.files[2]))
}

output "result" {
  description = "The result file, or null when the command wrote none."
  value       = try(jsondecode(file(terraform_data.run.output.files[0])), null)
}
