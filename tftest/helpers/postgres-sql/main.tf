# Test helper: runs one SQL statement on the test PostgreSQL with psql, connecting with
# STREAMCHECK_POSTGRES_URL from the environment (never a variable: it may hold a password).
variable "sql" {
  type        = string
  description = "The statement to run, e.g. DELETE FROM pg_orders."
  validation {
    condition     = length(trimspace(var.sql)) > 0
    error_message = "sql must not be empty."
  }
}

resource "terraform_data" "sql" {
  input = var.sql

  provisioner "local-exec" {
    command = "test -n \"$STREAMCHECK_POSTGRES_URL\" || { echo 'postgres-sql: STREAMCHECK_POSTGRES_URL is not set' >&2; exit 1; }; psql \"$STREAMCHECK_POSTGRES_URL\" -X -q -v ON_ERROR_STOP=1 -c \"$SQL\""
    environment = {
      SQL               = var.sql
      PGCONNECT_TIMEOUT = "10"
    }
  }
}

output "done" {
  description = "True once the statement ran."
  value       = terraform_data.sql.id != ""
}
