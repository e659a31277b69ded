#!/usr/bin/env bash
# Installs everything streamcheck needs to build and test on a fresh Debian machine
# (Swift comes with the machine). Safe to run again: it installs only what is missing.
set -euo pipefail

APT_PACKAGES=(
  librdkafka-dev libavro-dev libcurl4-openssl-dev libpq-dev libjansson-dev pkg-config
  kcat postgresql nftables chromium
)
PIP_PACKAGES=(
  "moto[server]" aiosmtpd fastavro check-jsonschema bitrab "kafka-python==2.0.2" pg8000
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

# importlib.metadata answers in milliseconds; `pip show` takes seconds per call, and every CI
# job runs this script.
mapfile -t pip_missing < <(python3 - "${PIP_PACKAGES[@]}" <<'PY'
import importlib.metadata as metadata, re, sys
for spec in sys.argv[1:]:
    try:
        metadata.distribution(re.split(r"[\[=<>]", spec)[0])
    except metadata.PackageNotFoundError:
        print(spec)
PY
)
if [ ${#pip_missing[@]} -gt 0 ]; then
  echo "setup: installing Python tools: ${pip_missing[*]}" >&2
  python3 -m pip install -q --disable-pip-version-check "${pip_missing[@]}"
fi
echo "setup: ready" >&2
