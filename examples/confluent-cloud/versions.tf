terraform {
  required_version = ">= 1.5.0"
  required_providers {
    confluent = {
      source  = "confluentinc/confluent"
      version = "~> 2.0"
    }
  }
}

# CONFLUENT_CLOUD_API_KEY / CONFLUENT_CLOUD_API_SECRET from the environment: the same variables
# `streamcheck connector wait --api confluent-cloud` reads.
provider "confluent" {}
