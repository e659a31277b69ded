#!/usr/bin/env bash
# Coverage-guided fuzzing of the user-facing parsers (Avro schema, external query) for a
# bounded time each (STREAMCHECK_FUZZ_SECONDS, 30 by default). See scripts/fuzz.
set -uo pipefail
cd "$(dirname "$0")/../.."
exec scripts/fuzz --seconds="${STREAMCHECK_FUZZ_SECONDS:-30}"
