# The configuration under test for the suites in this folder: each run block picks the module
# it exercises with `module { source = ... }`. This root module pins the Terraform version and
# declares the knobs the suites read as var.* (defaults in terraform.tfvars; the e2e runner
# scripts/run-e2e-tests.sh overrides them with -var).
terraform {
  required_version = ">= 1.5.0"
}

variable "message_count" {
  type        = number
  description = "Messages the main flow of a suite produces and verifies."

  validation {
    condition     = var.message_count >= 20 && var.message_count <= 1000000 && floor(var.message_count) == var.message_count
    error_message = "message_count must be a whole number from 20 to 1000000."
  }
}

variable "run_id_prefix" {
  type        = string
  description = "Prefix of the suites' run ids, so parallel runs of one pipeline are told apart (e.g. \"sc-1234-\")."

  validation {
    condition     = can(regex("^[a-z0-9-]{0,60}$", var.run_id_prefix))
    error_message = "run_id_prefix must be at most 60 lower-case letters, digits or '-'."
  }
}
