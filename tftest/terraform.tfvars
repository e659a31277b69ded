# Defaults for the suites' knobs (see main.tf); `terraform test -var` overrides them.
message_count = 1000
run_id_prefix = ""
