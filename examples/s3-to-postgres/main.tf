# S3 -> S3 source connector -> Kafka topic -> JDBC sink connector -> PostgreSQL, proven end to end:
#   1. `streamcheck seed-source s3` writes test records as JSON-lines objects, and a manifest
#   2. the S3 source connector moves them into the topic; the JDBC sink upserts them into a table
#   3. `streamcheck consume` verifies the topic (records identified by content: no headers)
#   4. `streamcheck verify-sink postgres` verifies the table against the same manifest
# Built-ins only (terraform_data + local-exec) and this repository's modules. See README.md for
# running it offline against the Kafka Connect stand-in, moto and a local PostgreSQL.
terraform {
  required_version = ">= 1.5.0"
}

locals {
  work_dir      = "${path.root}/.streamcheck"
  manifest      = "${local.work_dir}/seed.manifest"
  seed_result   = "${local.work_dir}/seed.json"
  table_result  = "${local.work_dir}/table.json"
  source_prefix = "${var.run_id}/"
}

# 1. Test data in S3, and the manifest every later check compares with.
resource "terraform_data" "seed" {
  triggers_replace = [var.bucket, var.run_id, var.message_count, var.seed]
  input = {
    manifest    = local.manifest
    seed_result = local.seed_result
  }

  provisioner "local-exec" {
    command = "mkdir -p \"$WORK\" && \"$SC\" seed-source s3 --bucket \"$BUCKET\" --prefix \"$PREFIX\" --create-bucket --message-count ${var.message_count} --records-per-object 100 --seed ${var.seed} --topic \"$TOPIC\" --run-id \"$RUN_ID\" --s3-endpoint \"$ENDPOINT\" --manifest \"$MANIFEST\" --result-file \"$RESULT\""
    environment = {
      SC       = var.streamcheck_bin
      WORK     = local.work_dir
      BUCKET   = var.bucket
      PREFIX   = local.source_prefix
      TOPIC    = var.topic
      RUN_ID   = var.run_id
      ENDPOINT = var.s3_endpoint
      MANIFEST = local.manifest
      RESULT   = local.seed_result
    }
  }

  provisioner "local-exec" {
    when        = destroy
    command     = "rm -f \"$MANIFEST\" \"$RESULT\""
    environment = { MANIFEST = self.input.manifest, RESULT = self.input.seed_result }
  }
}

# 2. The connectors: created on apply (validated, then waited on until RUNNING), deleted on destroy.
module "s3_source" {
  source      = "../../terraform-modules/connector"
  depends_on  = [terraform_data.seed]
  name        = "${var.run_id}-s3-source"
  connect_url = var.connect_url
  result_dir  = "${local.work_dir}/connectors"
  config = {
    "connector.class" = "io.confluent.connect.s3.source.S3SourceConnector"
    "s3.bucket.name"  = var.bucket
    "s3.prefix"       = local.source_prefix
    "kafka.topic"     = var.topic
    "store.url"       = var.s3_endpoint
  }
}

module "jdbc_sink" {
  source      = "../../terraform-modules/connector"
  name        = "${var.run_id}-jdbc-sink"
  connect_url = var.connect_url
  result_dir  = "${local.work_dir}/connectors"
  config = {
    "connector.class" = "io.confluent.connect.jdbc.JdbcSinkConnector"
    "topics"          = var.topic
    "connection.url"  = var.postgres_jdbc_url
    "connection.user" = var.postgres_user
    # Connect receives the password; Terraform only ever sees this reference, which streamcheck
    # resolves from its own environment (export ORDERS_DB_PASSWORD) just before the request.
    "connection.password" = "$${env:ORDERS_DB_PASSWORD}"
    "insert.mode"         = "upsert"
    "pk.mode"             = "record_value"
    "pk.fields"           = "event_id"
    "auto.create"         = "true"
    "table.name.format"   = var.table
  }
}

# 3. The topic between the connectors holds every seeded record once.
module "topic" {
  source            = "../../terraform-modules/kafka-consume-verify"
  depends_on        = [module.s3_source]
  bootstrap_servers = var.bootstrap_servers
  manifest          = terraform_data.seed.output.manifest
  timeout           = "120s"
  output_dir        = local.work_dir
  name              = "topic"
}

# 4. The table holds every seeded record, field by field. STREAMCHECK_POSTGRES_URL comes from the
#    environment (it holds a password); exit 2 (a failed check) is kept as a result for outputs.
resource "terraform_data" "table" {
  depends_on       = [module.jdbc_sink, module.topic]
  triggers_replace = [terraform_data.seed.id, var.table]
  input            = { result = local.table_result }

  provisioner "local-exec" {
    command = "\"$SC\" verify-sink postgres --manifest \"$MANIFEST\" --table \"$TABLE\" --key-column event_id --delivery-guarantee at-least-once --timeout 120s --result-file \"$RESULT\" || [ $? -eq 2 ]"
    environment = {
      SC       = var.streamcheck_bin
      MANIFEST = terraform_data.seed.output.manifest
      TABLE    = var.table
      RESULT   = local.table_result
    }
  }

  provisioner "local-exec" {
    when        = destroy
    command     = "rm -f \"$RESULT\""
    environment = { RESULT = self.input.result }
  }
}

locals {
  table = jsondecode(file(terraform_data.table.output.result))
}
