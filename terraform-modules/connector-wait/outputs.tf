output "state" {
  description = "The connector's state when the wait ended."
  value       = local.result.state
}

output "tasks_running" {
  description = "Tasks in RUNNING state when the wait ended."
  value       = local.result.tasks_running
}

output "tasks_total" {
  description = "Tasks the connector had when the wait ended."
  value       = local.result.tasks_total
}

output "failed_tasks" {
  description = "Tasks in FAILED state (0 after a successful wait)."
  value       = local.result.failed_tasks
}

output "waited_ms" {
  description = "How long the wait took, in milliseconds."
  value       = local.result.waited_ms
}

output "result" {
  description = "The full result of `streamcheck connector wait` (checks, tasks, trace, ...)."
  value       = local.result
}
