locals {
  result = jsondecode(file(terraform_data.verify.output.result_file))
}

output "result" {
  description = "The whole verification result (typed), including checks, latency histogram and partition assignment."
  value       = local.result
}

output "passed" {
  description = "Whether every check passed."
  value       = local.result.passed
}

output "failed_checks" {
  description = "Comma-separated names of the checks that failed (empty when all passed)."
  value       = local.result.failed_checks
}

output "messages_consumed" {
  description = "Distinct expected messages consumed."
  value       = local.result.messages_consumed
}
