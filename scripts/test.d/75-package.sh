#!/usr/bin/env bash
# streamcheck as an installable tool: scripts/package.sh builds the release with the Swift
# runtime linked in and packs it with a checksum; scripts/install.sh installs it under a
# PREFIX; the installed binary, with no Swift toolchain on its PATH or library path, runs a
# produce and a verified consume on the embedded broker. A tampered archive is refused.
set -uo pipefail
cd "$(dirname "$0")/../.."
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
passed=0
failed=0
check() { local name=$1; shift; if "$@"; then echo "PASS $name"; passed=$((passed + 1)); else echo "FAIL $name" >&2; failed=$((failed + 1)); fi; }

archive=$(bash scripts/package.sh "$W/dist" 2>"$W/package.err" | tail -n 1)
check "package.sh writes an archive and its checksum" test -s "$archive" -a -s "$archive.sha256"
check "the packed binary links no Swift library dynamically" bash -c "tar -xzf '$archive' -C '$W/dist' && ! ldd '$W'/dist/streamcheck-*/bin/streamcheck | grep -q libswift"
PREFIX="$W/prefix" bash "$W"/dist/streamcheck-*/install.sh >"$W/install.out" 2>&1
check "install.sh verifies the checksum and installs under PREFIX" bash -c "[ -x '$W/prefix/bin/streamcheck' ] && grep -q '^install: streamcheck ' '$W/install.out'"
# Run it as a machine without Swift would: a PATH and library path with no toolchain on them.
sc() { env -i PATH=/usr/bin:/bin HOME="$W" "$W/prefix/bin/streamcheck" "$@"; }
sc broker start --state-dir "$W/broker" >/dev/null 2>"$W/broker.err"
boot=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bootstrap_servers"])' "$W/broker/broker.json" 2>/dev/null)
sc produce --bootstrap-servers "$boot" --topic installed --message-count 200 --manifest "$W/m" >/dev/null 2>"$W/p.err"
sc consume --bootstrap-servers "$boot" --manifest "$W/m" --timeout 20s --result-file "$W/c.json" >/dev/null 2>"$W/c.err"
check "the installed binary produces and verifies 200 messages" python3 -c "import json,sys; r=json.load(open(sys.argv[1])); assert r['passed'] and r['messages_consumed'] == 200" "$W/c.json"
sc broker stop --state-dir "$W/broker" >/dev/null 2>&1
# A changed archive is refused before anything is installed.
printf 'x' >>"$archive"
PREFIX="$W/prefix2" bash "$W"/dist/streamcheck-*/install.sh >"$W/install2.out" 2>&1
check "a tampered archive is refused, nothing installed" bash -c "[ ! -e '$W/prefix2/bin/streamcheck' ] && grep -q 'does not match its checksum' '$W/install2.out'"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
