output "bootstrap_servers" {
  description = "Bootstrap servers of the embedded broker, e.g. 127.0.0.1:39123."
  value       = jsondecode(file(terraform_data.broker.output.result_file)).bootstrap_servers
}

output "pid" {
  description = "Process id of the background broker."
  value       = jsondecode(file(terraform_data.broker.output.result_file)).pid
}

output "state_dir" {
  description = "The broker's state folder."
  value       = terraform_data.broker.output.state_dir
}
