#!/usr/bin/env bash
# Installs everything streamcheck needs to build and test on a fresh Debian machine
# (Swift comes with the machine, or with the CI image). Safe to run again: it installs only what
# is missing. Fails loudly, with one line naming the tool, when something it needs is absent:
# a job that goes on without it fails later, far from the cause.
#
# Python tools go where pip may install them: the running Python's site-packages when it is
# not managed by the system (pyenv, a venv), else a venv at $STREAMCHECK_VENV (default
# ./.venv; Debian's python3 carries PEP 668's EXTERNALLY-MANAGED marker, and pip refuses).
# scripts/test.sh and the CI jobs put that venv's bin first on PATH.
# STREAMCHECK_SETUP_INSTALL=never (set in the CI image) installs nothing and fails instead.
set -euo pipefail
cd "$(dirname "$0")/.."

# The lists live in ci/ (the CI image installs the same ones): one name per line, # comments.
mapfile -t APT_PACKAGES < <(grep -v '^\s*#' ci/apt-packages.txt | grep .)
mapfile -t PIP_PACKAGES < <(grep -v '^\s*#' ci/requirements.txt | grep .)
# never: check only (the CI image sets it), so a tool the image lacks fails here, by name.
install=${STREAMCHECK_SETUP_INSTALL:-missing}
# The local pipeline proof's own tools (scripts/test.d/70-pipeline.sh builds the CI image and
# runs the jobs in it); the CI image itself has no use for them.
[ "$install" = never ] || APT_PACKAGES+=(buildah debootstrap)

die() { echo "setup: $*" >&2; exit 1; }

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$install" != never ] || die "Debian packages missing: ${missing[*]} (STREAMCHECK_SETUP_INSTALL=never: add them to the image, ci/apt-packages.txt)"
  command -v apt-get >/dev/null || die "Debian packages missing (${missing[*]}) and no apt-get to install them"
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null || die "apt-get update failed; check the network and the Debian mirror"
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null || die "apt-get could not install: ${missing[*]}"
fi

for tool in swift python3; do
  command -v "$tool" >/dev/null || die "$tool not found on PATH; it is needed to build and test streamcheck"
done

# A venv when the system manages this Python (PEP 668), or when one was made before.
venv=${STREAMCHECK_VENV:-$PWD/.venv}
marker=$(python3 -c 'import sysconfig, os; print(os.path.join(sysconfig.get_paths()["stdlib"], "EXTERNALLY-MANAGED"))')
if [ -x "$venv/bin/python3" ] || { [ -e "$marker" ] && [ "${VIRTUAL_ENV:-}" = "" ]; }; then
  if [ ! -x "$venv/bin/python3" ]; then
    python3 -m venv "$venv" 2>/dev/null || die "python3 -m venv $venv failed: install python3-venv (this Python is system-managed, PEP 668)"
    echo "setup: made a venv for the Python tools at $venv" >&2
  fi
  export PATH="$venv/bin:$PATH"
fi
python3 -m pip --version >/dev/null 2>&1 || die "pip is missing for $(command -v python3); install python3-pip (or python3-venv)"

# importlib.metadata answers in milliseconds; `pip show` takes seconds per call, and every CI
# job runs this script. A failure here must stop setup, so the list goes to a file first (a
# process substitution would hide the exit status).
pip_list=$(mktemp)
trap 'rm -f "$pip_list"' EXIT
python3 - "${PIP_PACKAGES[@]}" >"$pip_list" <<'PY' || die "could not ask $(command -v python3) which Python tools are installed"
import importlib.metadata as metadata, re, sys
for spec in sys.argv[1:]:
    try:
        metadata.distribution(re.split(r"[\[=<>]", spec)[0])
    except metadata.PackageNotFoundError:
        print(spec)
PY
mapfile -t pip_missing <"$pip_list"
if [ ${#pip_missing[@]} -gt 0 ]; then
  [ "$install" != never ] || die "Python tools missing: ${pip_missing[*]} (STREAMCHECK_SETUP_INSTALL=never: add them to the image, ci/requirements.txt)"
  echo "setup: installing Python tools: ${pip_missing[*]}" >&2
  python3 -m pip install -q --disable-pip-version-check "${pip_missing[@]}" || die "pip could not install: ${pip_missing[*]}"
fi
for tool in terraform kcat; do
  command -v "$tool" >/dev/null || die "$tool not found on PATH; the tests need it"
done
echo "setup: ready" >&2
