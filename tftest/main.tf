# The configuration under test for the suites in this folder: each run block picks the module
# it exercises with `module { source = ... }`. This root module only pins the Terraform version.
terraform {
  required_version = ">= 1.5.0"
}
