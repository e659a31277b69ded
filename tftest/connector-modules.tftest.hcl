# The connector modules on the Kafka Connect STAND-IN (tests only) and the embedded broker:
# terraform-modules/connector creates an S3 sink and waits for RUNNING, connector-wait waits on
# it too, and teardown deletes it and stops the stand-in. The data flows themselves are in
# scripts/test.d/40-connectors.sh (and the lead's connectors suites).

run "broker" {
  module {
    source = "../terraform-modules/embedded-broker"
  }
  variables {
    state_dir = ".work/connector-modules/broker"
    topics    = [{ name = "smoke", partitions = 2 }]
  }
}

run "connect" {
  module {
    source = "./helpers/kafka-connect-standin"
  }
  variables {
    state_dir         = ".work/connector-modules/connect"
    bootstrap_servers = run.broker.bootstrap_servers
  }
}

run "sink" {
  module {
    source = "../terraform-modules/connector"
  }
  variables {
    name        = "smoke-s3-sink"
    connect_url = run.connect.connect_url
    result_dir  = ".work/connector-modules/results"
    config = {
      "connector.class" = "io.confluent.connect.s3.S3SinkConnector"
      "topics"          = "smoke"
      "s3.bucket.name"  = "smoke-bucket"
      "flush.size"      = "10"
    }
  }
  assert {
    condition     = output.state == "RUNNING" && output.action == "created"
    error_message = "the connector module should create the sink and see it RUNNING"
  }
}

run "wait" {
  module {
    source = "../terraform-modules/connector-wait"
  }
  variables {
    name        = "smoke-s3-sink"
    connect_url = run.connect.connect_url
    result_dir  = ".work/connector-modules/results"
    triggers    = { id = "x" }
  }
  assert {
    condition     = output.state == "RUNNING"
    error_message = "connector-wait should see the same connector RUNNING"
  }
}
