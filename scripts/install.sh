#!/usr/bin/env bash
# Installs streamcheck from an unpacked release (scripts/package.sh) into $PREFIX/bin
# (default /usr/local). Checks the archive's checksum first when it is next to the folder.
#
#   PREFIX=$HOME/.local ./streamcheck-VERSION-linux-ARCH/install.sh
# The target needs the C libraries streamcheck links: on Debian/Ubuntu
#   apt-get install librdkafka1 libavro23 libcurl4 libpq5
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
prefix=${PREFIX:-/usr/local}
archive="$here.tar.gz"
if [ -f "$archive.sha256" ]; then
  (cd "$(dirname "$archive")" && sha256sum --quiet -c "$(basename "$archive").sha256") \
    || { echo "install: $archive does not match its checksum; download it again" >&2; exit 1; }
fi
[ -x "$here/bin/streamcheck" ] || { echo "install: $here/bin/streamcheck is missing: unpack the whole archive" >&2; exit 1; }
mkdir -p "$prefix/bin"
install -m 0755 "$here/bin/streamcheck" "$prefix/bin/streamcheck"
if ! "$prefix/bin/streamcheck" version >/dev/null 2>&1; then
  echo "install: $prefix/bin/streamcheck does not start; missing C libraries? $(ldd "$prefix/bin/streamcheck" | grep 'not found' | awk '{print $1}' | paste -sd, -)" >&2
  exit 1
fi
echo "install: $("$prefix/bin/streamcheck" version) at $prefix/bin/streamcheck"
