terraform {
  # Built-ins only (terraform_data + local-exec): nothing to download, runs offline.
  required_version = ">= 1.5.0"
}
