#!/usr/bin/env bash
# Builds streamcheck for installing elsewhere: a release build with the Swift runtime and
# Foundation linked in (--static-swift-stdlib), so the target needs only the C libraries
# (librdkafka, libavro, libcurl, libpq: Debian's runtime packages), packed as
#   dist/streamcheck-VERSION-linux-ARCH.tar.gz  (bin/streamcheck, install.sh, README.md)
#   dist/streamcheck-VERSION-linux-ARCH.tar.gz.sha256
# and checked: the packed binary runs and links no Swift library dynamically.
#
#   scripts/package.sh [OUT_DIR]        (default dist/)
# Then, on the target: tar xzf ...tar.gz && PREFIX=/usr/local ./streamcheck-*/install.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-dist}
# Its own build folder: the static build does not disturb the one the tests use.
# SWIFT_BUILD_FLAGS: more flags for swift build (the pipeline's swift-build job: warnings as errors).
# shellcheck disable=SC2086
swift build -c release --static-swift-stdlib ${SWIFT_BUILD_FLAGS:-} --product streamcheck --scratch-path .build-static 2>&1 | tail -n 1
bin=.build-static/release/streamcheck
version=$("$bin" version | awk '{print $2}')
name="streamcheck-$version-linux-$(uname -m)"
if ldd "$bin" | grep -q 'libswift\|libFoundation'; then
  echo "package: $bin still links the Swift runtime dynamically" >&2; exit 1
fi
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name/bin" "$out"
install -m 0755 "$bin" "$stage/$name/bin/streamcheck"
install -m 0755 scripts/install.sh "$stage/$name/install.sh"
cp README.md "$stage/$name/"
tar -C "$stage" -czf "$out/$name.tar.gz" "$name"
(cd "$out" && sha256sum "$name.tar.gz" >"$name.tar.gz.sha256")
echo "$out/$name.tar.gz"
