#!/usr/bin/env bash
# Fails when GitLab security reports (gl-sast-report.json, gl-secret-detection-report.json, any
# report in GitLab's security report format) contain findings. The template jobs themselves
# succeed with findings; this gate is what fails the pipeline.
#
#   scripts/check-security-reports.sh REPORT.json...
#
# A report that is missing fails the gate (exit 3): its analyzer did not run, so nothing was
# scanned, and a gate that passes on nothing proves nothing. Only an analyzer excluded on
# purpose, with GitLab's own variables, may leave its report out:
#   gl-sast-report.json              SAST_DISABLED, or "semgrep" in SAST_EXCLUDED_ANALYZERS
#   gl-sast-iac-report.json          SAST_DISABLED, or "kics" in SAST_EXCLUDED_ANALYZERS
#   gl-secret-detection-report.json  SECRET_DETECTION_DISABLED
# Prints one line per finding: severity, name, file:line; never the secret itself.
# Exit: 0 no findings, 1 bad usage or an unreadable report, 2 findings, 3 a report missing.
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 REPORT.json..." >&2; exit 1; }
python3 - "$@" <<'PY'
import json, os, sys

def on(name):
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes")

def excluded(path):
    """Why the report's analyzer was deliberately not run, or None."""
    name = os.path.basename(path)
    analyzers = {a.strip() for a in os.environ.get("SAST_EXCLUDED_ANALYZERS", "").split(",")}
    if name in ("gl-sast-report.json", "gl-sast-iac-report.json"):
        if on("SAST_DISABLED"):
            return "SAST_DISABLED"
        analyzer = "kics" if "iac" in name else "semgrep"
        if analyzer in analyzers:
            return f"SAST_EXCLUDED_ANALYZERS has {analyzer}"
    if name == "gl-secret-detection-report.json" and on("SECRET_DETECTION_DISABLED"):
        return "SECRET_DETECTION_DISABLED"
    return None

findings, read, missing = 0, 0, []
for path in sys.argv[1:]:
    try:
        with open(path) as f:
            report = json.load(f)
    except FileNotFoundError:
        why = excluded(path)
        if why:
            print(f"security: {path} not found; its analyzer is excluded ({why})")
        else:
            print(f"security: {path} not found: its analyzer did not run, so nothing was scanned", file=sys.stderr)
            missing.append(path)
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
if findings:
    sys.exit(2)
if missing:
    print(f"security: {len(missing)} report(s) missing ({', '.join(missing)}); exclude an analyzer on purpose with GitLab's variables, or fix its job", file=sys.stderr)
    sys.exit(3)
sys.exit(0)
PY
