#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) for SECONDS each and prints,
# per target, the executions, the executions per second, the coverage and
# the crashes found.
#
#   fuzz/run.sh SECONDS [TARGET...]
#   FUZZ_JOBS=2 fuzz/run.sh 600       # two targets at a time (one per core)
#
# Needs a nightly toolchain and cargo-fuzz:
#   rustup toolchain install nightly && cargo install cargo-fuzz
#
# The working corpus grows in fuzz/corpus/<target>/ (not committed), seeded
# from fuzz/seeds/<target>/ and fuzz/regressions/<target>/ (committed). A
# crash, timeout or out-of-memory input is copied to fuzz/regressions/<target>/
# so that `cargo test --test fuzz_regressions` replays it from then on: fix
# the reader, keep the file. The figures are also written to
# fuzz/last-run.txt. Exits 1 if any target found a crash.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

all_targets=(detect legacy_json raw deps_json name_map perfetto levels)

if [[ $# -lt 1 || ! "$1" =~ ^[0-9]+$ ]]; then
    echo "usage: fuzz/run.sh SECONDS [TARGET...]   targets: ${all_targets[*]}" >&2
    exit 2
fi
seconds="$1"
shift
targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=("${all_targets[@]}")
jobs="${FUZZ_JOBS:-1}"
toolchain="${FUZZ_TOOLCHAIN:-nightly}"

if ! cargo "+$toolchain" fuzz --version >/dev/null 2>&1; then
    echo "fuzz/run.sh: needs 'cargo +$toolchain fuzz' (rustup toolchain install $toolchain; cargo install cargo-fuzz)" >&2
    exit 2
fi

echo "building the targets (cargo +$toolchain fuzz build) ..." >&2
cargo "+$toolchain" fuzz build >&2

logs="$here/target/run-logs"
mkdir -p "$logs"

run_one() {
    local t="$1"
    local corpus="$here/corpus/$t" artifacts="$here/artifacts/$t/"
    # Only this run's findings are reported.
    rm -rf "$artifacts"
    mkdir -p "$corpus" "$artifacts" "$here/regressions/$t" "$here/seeds/$t"
    # Stop at the first finding (libFuzzer's default); the summary says so.
    cargo "+$toolchain" fuzz run "$t" "$corpus" "$here/seeds/$t" "$here/regressions/$t" -- \
        -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$artifacts" \
        >"$logs/$t.log" 2>&1 || true
}

running=0
for t in "${targets[@]}"; do
    echo "fuzzing $t for ${seconds}s (log: fuzz/target/run-logs/$t.log)" >&2
    run_one "$t" &
    running=$((running + 1))
    if [[ $running -ge $jobs ]]; then
        wait -n || true
        running=$((running - 1))
    fi
done
wait || true

summary="$here/last-run.txt"
crashed=0
{
    echo "fuzz/run.sh $seconds on $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, FUZZ_JOBS=$jobs, $(cargo "+$toolchain" --version)"
    printf '%-12s %14s %10s %8s %8s %8s  %s\n' target execs exec/s cov corpus seconds findings
    for t in "${targets[@]}"; do
        log="$logs/$t.log"
        execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
        rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
        secs=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | awk '{print $5}' | tail -1 || true)
        cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}' || true)
        corp=$(find "$here/corpus/$t" -type f | wc -l || true)
        findings=()
        while IFS= read -r -d '' a; do
            cp "$a" "$here/regressions/$t/"
            findings+=("$(basename "$a")")
        done < <(find "$here/artifacts/$t" -type f -print0)
        if [[ ${#findings[@]} -gt 0 ]]; then
            crashed=1
        fi
        if [[ -z "$execs" ]]; then
            crashed=1
            findings+=("no final stats: see $log")
        fi
        printf '%-12s %14s %10s %8s %8s %8s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "$corp" "${secs:-?}" \
            "${findings[*]:-none}"
    done
} | tee "$summary"

if [[ $crashed -ne 0 ]]; then
    echo "findings were copied to fuzz/regressions/<target>/; 'cargo test --test fuzz_regressions' replays them" >&2
    exit 1
fi
