# Test helper: starts the Schema Registry STAND-IN (tests/standins/schema_registry_standin.py,
# for tests only: no real registry can be installed here) in the background on a free port,
# and stops it by its PID at teardown.
variable "state_dir" {
  type        = string
  description = "Directory for the stand-in's state file and log; removed at teardown."
}

locals {
  standin    = abspath("${path.module}/../../../tests/standins/schema_registry_standin.py")
  state_file = "${var.state_dir}/registry.json"
}

resource "terraform_data" "standin" {
  input = {
    state_dir  = var.state_dir
    state_file = local.state_file
  }

  provisioner "local-exec" {
    # setsid + redirects: returns at once, the stand-in keeps running. Waits (bounded) for
    # the state file it writes once it listens.
    command = "mkdir -p \"$DIR\" && rm -f \"$STATE\" && (setsid python3 \"$STANDIN\" --state-file \"$STATE\" > \"$DIR/registry.out\" 2> \"$DIR/registry.log\" < /dev/null &) && for i in $(seq 100); do [ -s \"$STATE\" ] && exit 0; sleep 0.1; done; echo 'schema registry stand-in did not start' >&2; cat \"$DIR/registry.log\" >&2; exit 1"
    environment = {
      DIR     = var.state_dir
      STATE   = local.state_file
      STANDIN = local.standin
    }
  }

  provisioner "local-exec" {
    when    = destroy
    command = "[ -s \"$STATE\" ] && kill \"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[\"pid\"])' \"$STATE\")\" 2>/dev/null; rm -rf \"$DIR\""
    environment = {
      STATE = self.input.state_file
      DIR   = self.input.state_dir
    }
  }
}

output "url" {
  description = "Base URL of the running stand-in."
  value       = jsondecode(file(terraform_data.standin.output.state_file)).url
}
