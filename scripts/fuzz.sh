#!/usr/bin/env bash
# `make fuzz`: runs every libFuzzer target for FUZZ_RUNS executions (default 10^6 each), from the
# checked-in seeds (Fuzz/corpus/<target>) and regressions (Fuzz/regressions/<target>). New inputs
# go to .build-fuzz/corpus/<target>, never into the repository. FUZZ_RUNS_<target> (for example
# FUZZ_RUNS_json) overrides the count for one target; a crash or leak stops the run and
# names the input libFuzzer saved, which then belongs in Fuzz/regressions/<target>/ with the fix.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${FUZZ_RUNS:-1000000}"
binary=.build-fuzz/debug/lockbridge-fuzz
targets="${FUZZ_TARGETS:-$("$binary" --list 2>/dev/null | cut -f1 || true)}"
[[ -n "$targets" ]] || targets="json command device request config"
mkdir -p .build-fuzz/corpus .build-fuzz/crashes
total_execs=0
started=$(date +%s)
for target in $targets; do
    runs_var="FUZZ_RUNS_$target"
    target_runs="${!runs_var:-$runs}"
    work=".build-fuzz/corpus/$target"
    mkdir -p "$work" "Fuzz/regressions/$target"
    log=".build-fuzz/$target.log"
    t0=$(date +%s)
    if ! FUZZ_TARGET="$target" "$binary" -runs="$target_runs" -max_len=4096 -timeout=10 -print_final_stats=1 \
        -artifact_prefix=".build-fuzz/crashes/$target-" "$work" "Fuzz/corpus/$target" "Fuzz/regressions/$target" > "$log" 2>&1; then
        echo "fuzz $target: FAILED after $(( $(date +%s) - t0 )) s; the input is in .build-fuzz/crashes/ (log: $log)" >&2
        grep -E "ERROR|Fatal error|SUMMARY|Test unit written" "$log" | head -5 >&2
        exit 1
    fi
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
    corpus=$(find "$work" -type f | wc -l)
    total_execs=$((total_execs + execs))
    printf 'fuzz %-8s %9d executions in %4d s, coverage %5s edges, corpus %4d inputs, no crash, no leak\n' \
        "$target" "$execs" "$(( $(date +%s) - t0 ))" "$cov" "$corpus"
done
echo "fuzz total: $total_execs executions in $(( $(date +%s) - started )) s"
