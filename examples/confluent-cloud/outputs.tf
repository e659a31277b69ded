output "passed" {
  description = "Whether the topic and the table both hold exactly the produced records."
  value       = module.topic.passed && local.table.passed
}

output "connector" {
  description = "The sink as streamcheck saw it after the wait."
  value = {
    name          = local.connector_name
    state         = module.sink_running.state
    tasks_running = module.sink_running.tasks_running
    waited_ms     = module.sink_running.waited_ms
  }
}

output "table" {
  description = "What verify-sink postgres found in the table."
  value = {
    passed             = local.table.passed
    rows_expected      = local.table.rows_expected
    rows_found         = local.table.rows_found
    mismatched         = local.table.mismatched
    delivery_guarantee = local.table.delivery_guarantee
    failed_checks      = local.table.failed_checks
    sample_mismatches  = local.table.sample_mismatches
  }
}
