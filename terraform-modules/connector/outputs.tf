output "name" {
  description = "The connector's name."
  value       = var.name
}

output "action" {
  description = "What apply did the last time it ran: created, updated or unchanged."
  value       = try(local.apply_result.action, null)
}

output "state" {
  description = "The connector's state when the wait ended (RUNNING, PAUSED, STOPPED)."
  value       = try(local.wait_result.state, null)
}

output "tasks_running" {
  description = "Tasks in RUNNING state when the wait ended."
  value       = try(local.wait_result.tasks_running, null)
}

output "tasks_total" {
  description = "Tasks the connector had when the wait ended."
  value       = try(local.wait_result.tasks_total, null)
}

output "tasks" {
  description = "Each task's id, state and worker."
  value       = try([for t in local.wait_result.tasks : { id = t.id, state = t.state, worker_id = t.worker_id }], null)
}

output "waited_ms" {
  description = "How long the wait took, in milliseconds."
  value       = try(local.wait_result.waited_ms, null)
}

output "wait_result" {
  description = "The full result of `streamcheck connector wait` (checks, failed_tasks, trace, ...)."
  value       = local.wait_result
}

output "previous_config_file" {
  description = "The file holding the config from before the last change (for `streamcheck connector rollback`), or null when previous_config_file is not set or nothing has changed yet."
  # Read from the resource's output, as the result files are: evaluated once apply has run.
  value = try(fileexists(terraform_data.apply.output.previous_file), false) ? terraform_data.apply.output.previous_file : null
}
