output "passed" {
  description = "Whether the topic and the table both hold exactly the seeded records."
  value       = module.topic.passed && local.table.passed
}

output "topic" {
  description = "What consume found in the topic between the connectors."
  value = {
    passed                = module.topic.passed
    consumed              = module.topic.messages_consumed
    identified_by_content = module.topic.result.identified_by_content
    missing               = module.topic.result.missing
    failed_checks         = module.topic.failed_checks
  }
}

output "table" {
  description = "What verify-sink postgres found in the table."
  value = {
    passed             = local.table.passed
    rows_expected      = local.table.rows_expected
    rows_found         = local.table.rows_found
    missing            = local.table.missing
    duplicates         = local.table.duplicates
    mismatched         = local.table.mismatched
    delivery_guarantee = local.table.delivery_guarantee
    failed_checks      = local.table.failed_checks
  }
}
