#!/usr/bin/env bash
# Fails when GitLab security reports (gl-sast-report.json, gl-secret-detection-report.json, any
# report in GitLab's security report format) contain findings. The template jobs themselves
# succeed with findings; this gate is what fails the pipeline.
#
#   scripts/check-security-reports.sh REPORT.json...
#
# A report that is missing is skipped (its analyzer did not run: no files of its language),
# with a note. Prints one line per finding: severity, name, file:line; never the secret itself.
# Exit: 0 no findings, 1 bad usage or an unreadable report, 2 findings.
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 REPORT.json..." >&2; exit 1; }
python3 - "$@" <<'PY'
import json, sys
findings, read = 0, 0
for path in sys.argv[1:]:
    try:
        with open(path) as f:
            report = json.load(f)
    except FileNotFoundError:
        print(f"security: {path} not found (its analyzer did not run); skipped")
        continue
    except (OSError, ValueError) as error:
        print(f"security: cannot read {path}: {error}", file=sys.stderr)
        sys.exit(1)
    read += 1
    vulnerabilities = report.get("vulnerabilities")
    if not isinstance(vulnerabilities, list):
        print(f"security: {path} has no 'vulnerabilities' list: is it a GitLab security report?", file=sys.stderr)
        sys.exit(1)
    scanner = (report.get("scan") or {}).get("scanner", {}).get("name", path)
    for v in vulnerabilities:
        location = v.get("location") or {}
        where = f"{location.get('file', '?')}:{location.get('start_line', '?')}"
        # The finding's name and place only: raw_source_code_extract would print the secret.
        print(f"security: {v.get('severity', 'Unknown')}: {v.get('name') or v.get('message') or v.get('id')} at {where} ({scanner})")
    findings += len(vulnerabilities)
print(f"security: {findings} finding(s) in {read} report(s)")
sys.exit(2 if findings else 0)
PY
