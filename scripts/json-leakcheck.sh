#!/usr/bin/env bash
# Builds json-leakcheck and runs it under valgrind; fails on a definite leak or a memory
# error, so a json_object_put or json_tokener_free that goes missing is caught.
# Usage: scripts/json-leakcheck.sh [iterations]   (default 3000, about 35 s under valgrind)
set -euo pipefail
cd "$(dirname "$0")/.."

iterations="${1:-3000}"
log="$(mktemp -t json-leakcheck.XXXXXX)"
trap 'rm -f "$log"' EXIT

if ! command -v valgrind >/dev/null; then
    echo "json-leakcheck: FAIL (valgrind is not installed: apt-get install valgrind)"
    exit 2
fi

swift build --product json-leakcheck >"$log" 2>&1 || { cat "$log"; echo "json-leakcheck: FAIL (build failed)"; exit 2; }
binary="$(swift build --product json-leakcheck --show-bin-path)/json-leakcheck"

status=0
valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=1 \
    "$binary" "$iterations" >"$log" 2>&1 || status=$?

definite="$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes in \([0-9,]*\) blocks.*/\1 bytes in \2 blocks/p' "$log" | tail -1)"
errors="$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$log" | tail -1)"
if [ "$status" -eq 0 ]; then
    echo "json-leakcheck: PASS ($iterations iterations; definitely lost: ${definite:-0 bytes}; valgrind errors: ${errors:-0})"
else
    grep -A12 "definitely lost in" "$log" | head -40 || true
    echo "json-leakcheck: FAIL (valgrind exit $status; definitely lost: ${definite:-0 bytes}; valgrind errors: ${errors:-?})"
    exit 1
fi
