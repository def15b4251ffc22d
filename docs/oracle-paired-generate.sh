#!/usr/bin/env bash
# Adapter generation (BENCHMARKS-WORKLOADS.md §1) in steady state, the reference stack and ours alternating:
# reference, ours, reference, ours... Each run is 8 warm-up calls and 30 timed ones per variant by default
# (WARMUP, RUNS below; 20 and 100 settle the JIT and the heap better). The oracle's
# paired.sh times 2 + 7, and on these VMs the first calls of a process (the JIT's warm-up, packing the head
# weights) move those medians by up to 2x (BENCHMARKS.md, fourteenth and eighteenth sessions), so generation is
# compared from here. Each stack runs in its own tuned environment, as in paired.sh: the reference with the
# oracle's env.sh, ours without its OpenBLAS and OpenMP settings.
# Usage: T2L_ORACLE=/work/oracle bash docs/oracle-paired-generate.sh [ROUNDS=2] [REPO=the repository root]
# WARMUP and RUNS (environment, default 8 and 30) set the calls per variant for both stacks alike; HEADS (default f32)
# is ours' `--heads` (f32, bf16, bf16dot: docs/PERFORMANCE.md), the reference's stays float32.
set -euo pipefail
ROUNDS=${1:-2}
WARMUP=${WARMUP:-8}
RUNS=${RUNS:-30}
HEADS=${HEADS:-f32}
REPO=${2:-$(cd "$(dirname "$0")/.." && pwd)}
: "${T2L_ORACLE:?set T2L_ORACLE to the reference stack (docs/oracle-setup.sh)}"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
failed() { echo "$1 failed; the end of its output:" >&2; tail -20 "$2" >&2; exit 1; }
for r in $(seq "$ROUNDS"); do
    echo "round $r: reference $(date +%T), load $(cut -d' ' -f1 /proc/loadavg)" >&2
    (. "$T2L_ORACLE/env.sh" && cd "$T2L_ORACLE/bench" && $PY t2l_gen.py --warmup "$WARMUP" --runs "$RUNS") \
        > "$OUT/ref_$r.log" 2>&1 || failed "the reference" "$OUT/ref_$r.log"
    grep '^{' "$OUT/ref_$r.log" > "$OUT/ref_$r"
    echo "round $r: ours $(date +%T), load $(cut -d' ' -f1 /proc/loadavg)" >&2
    (cd "$REPO" && env -u OPENBLAS_CORETYPE -u OPENBLAS_NUM_THREADS -u PYTHONPATH -u OMP_WAIT_POLICY \
        ./t2l bench generate --warmup "$WARMUP" --runs "$RUNS" --heads "$HEADS") > "$OUT/ours_$r.log" 2>&1 || failed "ours" "$OUT/ours_$r.log"
    grep '^| hypernet' "$OUT/ours_$r.log" > "$OUT/ours_$r"
done
python3 - "$OUT" "$ROUNDS" <<'EOF'
import json, sys
out, rounds = sys.argv[1], int(sys.argv[2])
print("| variant | round | reference median ms | ours median ms | reference ÷ ours |")
print("|---|---|---|---|---|")
for v in "LMS":
    for r in range(1, rounds + 1):
        ref = [json.loads(l) for l in open(f"{out}/ref_{r}")]
        ref = next(x["ms"]["median"] for x in ref if x["workload"] == f"t2l gen {v}")
        row = next(l for l in open(f"{out}/ours_{r}") if l.startswith(f"| hypernet {v} "))
        ours = float(row.split("|")[4])  # columns: measure, parameters, min, median, ...
        print(f"| {v} | {r} | {ref:.1f} | {ours:.1f} | {ref / ours:.2f}× |")
EOF
