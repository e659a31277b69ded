# Confluent Cloud: a topic and a fully managed PostgresSink created by the Confluent provider, and
# streamcheck proving the pipeline around them:
#   confluent_kafka_topic -> confluent_connector (PostgresSink)
#   -> module connector-wait   (streamcheck connector wait --api confluent-cloud: RUNNING, or the trace)
#   -> module kafka-produce    (Avro records, schemas in Schema Registry)
#   -> module kafka-consume-verify (the topic holds them all)
#   -> verify-sink postgres    (the table holds them all, field by field)
# Checked by `terraform fmt -check` only in this repository's CI (no registry or cloud access
# there); see README.md for running it.

locals {
  work_dir        = "${path.root}/.streamcheck"
  connector_name  = "${var.topic}-postgres-sink"
  table_result    = "${local.work_dir}/table.json"
  schema_file     = "${path.root}/order.avsc"
  sasl_over_tls   = { "security.protocol" = "SASL_SSL", "sasl.mechanisms" = "PLAIN" }
  bootstrap_plain = trimprefix(var.kafka_bootstrap_endpoint, "SASL_SSL://")
}

resource "confluent_kafka_topic" "orders" {
  kafka_cluster {
    id = var.kafka_cluster_id
  }
  topic_name       = var.topic
  partitions_count = var.partitions
  rest_endpoint    = var.kafka_rest_endpoint
  credentials {
    key    = var.kafka_api_key
    secret = var.kafka_api_secret
  }
}

resource "confluent_connector" "postgres_sink" {
  environment {
    id = var.environment_id
  }
  kafka_cluster {
    id = var.kafka_cluster_id
  }

  # Confluent Cloud runs the connector, so it must receive the database password; the provider
  # keeps it as a sensitive value in state (use an encrypted backend). streamcheck itself never
  # sees it through Terraform: verify-sink reads STREAMCHECK_POSTGRES_URL from the environment.
  config_sensitive = {
    "connection.password" = var.db_password
  }

  config_nonsensitive = {
    "connector.class"          = "PostgresSink"
    "name"                     = local.connector_name
    "kafka.auth.mode"          = "SERVICE_ACCOUNT"
    "kafka.service.account.id" = var.connector_service_account_id
    "topics"                   = confluent_kafka_topic.orders.topic_name
    "input.data.format"        = "AVRO"
    "connection.host"          = var.db_host
    "connection.port"          = tostring(var.db_port)
    "connection.user"          = var.db_user
    "db.name"                  = var.db_name
    "ssl.mode"                 = "require"
    "insert.mode"              = "UPSERT"
    "pk.mode"                  = "record_value"
    "pk.fields"                = "order_id"
    "auto.create"              = "true"
    "auto.evolve"              = "true"
    "table.name.format"        = var.table
    "tasks.max"                = "1"
  }
}

# RUNNING with its task, or FAILED at once with the task's trace (bounded either way). Re-runs
# whenever the provider replaces or reconfigures the connector.
module "sink_running" {
  source         = "../../terraform-modules/connector-wait"
  name           = local.connector_name
  api            = "confluent-cloud"
  environment    = var.environment_id
  cluster        = var.kafka_cluster_id
  expected_tasks = 1
  timeout        = "10m"
  result_dir     = "${local.work_dir}/connectors"
  triggers = {
    connector = confluent_connector.postgres_sink.id
    config    = sha256(jsonencode(confluent_connector.postgres_sink.config_nonsensitive))
  }
}

# SASL credentials: STREAMCHECK_KAFKA_SASL_USERNAME / _PASSWORD; Schema Registry credentials:
# STREAMCHECK_SCHEMA_REGISTRY_USERNAME / _PASSWORD (all from the environment).
module "produce" {
  source              = "../../terraform-modules/kafka-produce"
  depends_on          = [module.sink_running]
  bootstrap_servers   = local.bootstrap_plain
  topic               = confluent_kafka_topic.orders.topic_name
  message_count       = var.message_count
  data_format         = "avro"
  schema_file         = local.schema_file
  schema_registry_url = var.schema_registry_url
  kafka_config        = local.sasl_over_tls
  output_dir          = local.work_dir
  timeout             = "5m"
}

module "topic" {
  source              = "../../terraform-modules/kafka-consume-verify"
  bootstrap_servers   = local.bootstrap_plain
  manifest            = module.produce.manifest
  schema_registry_url = var.schema_registry_url
  kafka_config        = local.sasl_over_tls
  timeout             = "5m"
  output_dir          = local.work_dir
  name                = "topic"
}

# The table holds every produced record once (upserts on order_id), field by field. Exit 2 (a
# failed check) is kept as a result so the outputs can show what differed.
resource "terraform_data" "table" {
  depends_on       = [module.topic]
  triggers_replace = [module.produce.manifest, module.produce.run_id, var.table]
  input            = { result = local.table_result }

  provisioner "local-exec" {
    command = "\"$SC\" verify-sink postgres --manifest \"$MANIFEST\" --table \"$TABLE\" --key-column order_id --delivery-guarantee at-least-once --timeout 10m --poll-interval 5s --result-file \"$RESULT\" || [ $? -eq 2 ]"
    environment = {
      SC       = var.streamcheck_bin
      MANIFEST = module.produce.manifest
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
