terraform {
  # Built-ins only (terraform_data, local-exec): no provider to download, so this module
  # runs in air-gapped CI.
  required_version = ">= 1.5.0"
}
