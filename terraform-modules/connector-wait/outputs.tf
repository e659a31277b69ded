output "state" {
  description = "The connector's state when the wait ended."
  value       = try(local.result.state, null)
}

output "tasks_running" {
  description = "Tasks in RUNNING state when the wait ended."
  value       = try(local.result.tasks_running, null)
}

output "tasks_total" {
  description = "Tasks the connector had when the wait ended."
  value       = try(local.result.tasks_total, null)
}

output "failed_tasks" {
  description = "Tasks in FAILED state (0 after a successful wait)."
  value       = try(local.result.failed_tasks, null)
}

output "waited_ms" {
  description = "How long the wait took, in milliseconds."
  value       = try(local.result.waited_ms, null)
}

output "result" {
  description = "The full result of `streamcheck connector wait` (checks, tasks, trace, ...)."
  value       = local.result
}
