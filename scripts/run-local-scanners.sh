#!/usr/bin/env bash
# The security scans GitLab's analyzers run, with the scanners PyPI has, so the security gate
# (scripts/check-security-reports.sh) can be proven where GitLab's analyzer images cannot run:
#
#   semgrep (ci/semgrep-rules.yml)        -> OUT/gl-sast-report.json            (GitLab: semgrep-sast)
#   checkov on the Terraform              -> OUT/gl-sast-iac-report.json        (GitLab: kics-iac-sast)
#   detect-secrets, token formats and     -> OUT/gl-secret-detection-report.json (GitLab: secret_detection)
#     passwords in URLs; allowlist ci/secrets-allowlist.json
#
#   scripts/run-local-scanners.sh OUT [PROJECT_DIR]
#
# Every report is in GitLab's security report format. The paths GitLab's variables exclude
# (SAST_EXCLUDED_PATHS, SECRET_DETECTION_EXCLUDED_PATHS in .gitlab-ci.yml) are excluded here
# too. The scanners: pip install -r ci/scanners.txt. Nothing leaves the machine (semgrep's
# metrics off, checkov's downloads skipped).
# Exit: 0 reports written (findings or not: the gate judges them), 1 bad usage, 3 a scanner missing.
set -euo pipefail
source "$(dirname "$0")/lib/ci.sh"
[ $# -ge 1 ] && [ $# -le 2 ] || ci_die "$EXIT_USAGE" "usage: $0 OUT [PROJECT_DIR]"
out=$(mkdir -p "$1" && cd "$1" && pwd)
project=$(cd "${2:-$(ci_root)}" && pwd)
for tool in semgrep checkov detect-secrets; do
  command -v "$tool" >/dev/null || ci_die "$EXIT_CONFIG" "$tool not found: pip install -r ci/scanners.txt"
done
cd "$project"

# The pipeline's own exclusions, read from .gitlab-ci.yml (one list, not two).
excluded() { python3 -c 'import sys, yaml
v = (yaml.safe_load(open(".gitlab-ci.yml")).get("variables") or {}).get(sys.argv[1], "")
print("\n".join(p.strip().rstrip("/") for p in str(v).split(",") if p.strip()))' "$1"; }
# tracked (and new, not ignored) files outside the excluded paths
files_outside() {
  local list; list=$(excluded "$1")
  git ls-files -co --exclude-standard | python3 -c 'import sys
excl = [e for e in sys.argv[1].split("\n") if e]
for f in sys.stdin.read().splitlines():
    parts = f.split("/")
    if not any(f == e or f.startswith(e + "/") or e in parts[:-1] for e in excl):
        print(f)' "$list"
}

mapfile -t sast_files < <(files_outside SAST_EXCLUDED_PATHS)
semgrep scan --metrics off --disable-version-check --quiet --config "$(ci_root)/ci/semgrep-rules.yml" \
  --gitlab-sast --output "$out/gl-sast-report.json" "${sast_files[@]}" 2>"$out/semgrep.log"
echo "scanners: semgrep read ${#sast_files[@]} files -> gl-sast-report.json" >&2

iac_dirs=() iac_names=()
for d in terraform-modules examples tftest; do [ -d "$d" ] && iac_dirs+=(-d "$d") iac_names+=("$d"); done
rm -rf "$out/checkov"
checkov "${iac_dirs[@]}" --framework terraform --skip-download --quiet --compact -o gitlab_sast \
  --output-file-path "$out/checkov" >"$out/checkov.log" 2>&1 || true   # exit 1 means findings; the gate judges them
[ -s "$out/checkov/results_gitlab_sast.json" ] || ci_die "$EXIT_CONFIG" "checkov wrote no report (see $out/checkov.log)"
# The examples and tftest suites call the modules, so checkov reports a module's finding once
# per caller too: one entry per finding and place is kept.
python3 - "$out/checkov/results_gitlab_sast.json" "$out/gl-sast-iac-report.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
seen, kept = set(), []
for v in report.get("vulnerabilities", []):
    loc = v.get("location") or {}
    key = (v.get("name"), loc.get("file"), loc.get("start_line"))
    if key not in seen:
        seen.add(key)
        kept.append(v)
report["vulnerabilities"] = kept
json.dump(report, open(sys.argv[2], "w"), indent=1)
PY
rm -rf "$out/checkov"
echo "scanners: checkov read ${iac_names[*]} -> gl-sast-iac-report.json" >&2

# detect-secrets' generic keyword and entropy plugins are left out: GitLab's rules look for
# token formats and passwords in URLs, and those plugins flag every variable named "password".
mapfile -t secret_files < <(files_outside SECRET_DETECTION_EXCLUDED_PATHS)
detect-secrets scan --disable-plugin KeywordDetector --disable-plugin HexHighEntropyString \
  --disable-plugin Base64HighEntropyString "${secret_files[@]}" >"$out/detect-secrets.json"
python3 - "$out/detect-secrets.json" "$(ci_root)/ci/secrets-allowlist.json" "$out/gl-secret-detection-report.json" <<'PY'
import datetime, json, sys
found, allow_path, report_path = sys.argv[1:]
allowed = {(a["filename"], a["hashed_secret"], a["type"]) for a in json.load(open(allow_path))["allowed"]}
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
vulnerabilities = []
for filename, hits in json.load(open(found))["results"].items():
    for hit in hits:
        if (filename, hit["hashed_secret"], hit["type"]) in allowed:
            continue
        vulnerabilities.append({
            "id": hit["hashed_secret"], "category": "secret_detection", "name": hit["type"],
            "description": f"{hit['type']} found by detect-secrets", "severity": "Critical",
            "location": {"file": filename, "start_line": hit["line_number"]},
            "identifiers": [{"type": "detect_secrets_plugin", "name": hit["type"], "value": hit["type"]}],
        })
scanner = {"id": "detect-secrets", "name": "detect-secrets", "vendor": {"name": "Yelp"}, "version": "1.5.0"}
json.dump({"version": "15.0.4", "vulnerabilities": vulnerabilities,
           "scan": {"type": "secret_detection", "status": "success", "start_time": now, "end_time": now,
                    "scanner": scanner, "analyzer": scanner}}, open(report_path, "w"), indent=1)
PY
echo "scanners: detect-secrets read ${#secret_files[@]} files -> gl-secret-detection-report.json" >&2
