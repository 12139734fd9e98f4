#!/usr/bin/env bash
# The cost of --write-through (O_DSYNC) on a file namespace: two `nvmeof4j target --file` JVMs, one with and one
# without --write-through, each on its own file; `nvmeof4j perf -w randwrite` at 4 KiB QD32 and 128 KiB QD32
# against each, alternated within every round so that both modes see the same machine load.
# Prints one line per run (IOPS, p50/p99 µs, errors, load average) and per size the ratio write-through/write-back
# per round with the median.
#
#   nvmeof4j-bench/write-through-cost.sh [--rounds N] [--time S] [--dir DIR] [--size-mib N] [--prefill]
#
# --prefill writes both files in full first, so that the writes overwrite allocated blocks (a fresh sparse file
# makes every first write allocate, which O_DSYNC then commits to the journal too).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds=3; time=3; dir="$(mktemp -d /var/tmp/nvmeof4j-wt.XXXXXX)"; size=256; prefill=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --time) time="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --size-mib) size="$2"; shift 2 ;;
    --prefill) prefill=1; shift ;;
    *) echo "usage: $0 [--rounds N] [--time S] [--dir DIR] [--size-mib N] [--prefill]" >&2; exit 2 ;;
  esac
done
"$here/nvmeof4j" --version >/dev/null # builds the jar when needed
jar="$here/nvmeof4j-cli/target/nvmeof4j.jar"
nqn=nqn.2014-08.org.nvmeof4j:default
mkdir -p "$dir"
if [ "$prefill" = 1 ]; then
  for m in wb wt; do dd if=/dev/zero of="$dir/$m.img" bs=1M count="$size" conv=fsync status=none; done
fi
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
declare -A port
for m in wb wt; do
  extra=(); [ "$m" = wt ] && extra=(--write-through)
  java -Xmx256m -XX:+UseParallelGC -jar "$jar" target -a 127.0.0.1 -s 0 --file "$dir/$m.img" --size-mib "$size" \
    --idle block "${extra[@]}" >"$dir/target-$m.log" 2>&1 &
  pids+=($!)
done
for m in wb wt; do
  for _ in $(seq 120); do grep -q 'listening on' "$dir/target-$m.log" && break; sleep 0.5; done
  port[$m]="$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$dir/target-$m.log" | head -1)"
  [ -n "${port[$m]}" ] || { echo "target $m did not start:" >&2; cat "$dir/target-$m.log" >&2; exit 1; }
done
results="$dir/results.txt"; : >"$results"
for r in $(seq "$rounds"); do
  for io in 4096 131072; do
    for m in wb wt; do
      load="$(cut -d' ' -f1 /proc/loadavg)"
      java -jar "$jar" perf -a 127.0.0.1 -s "${port[$m]}" -n "$nqn" -w randwrite -o "$io" -q 32 --time "$time" \
        --warmup 1 --range-mib "$size" --no-progress --json >"$dir/perf.json" 2>"$dir/perf.err"
      line="$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); l=d['latency_us']; \
print(d['iops'], l['p50'], l['p99'], d['errors'])" "$dir/perf.json")"
      echo "round=$r io=$io mode=$m load=$load $line" | tee -a "$results"
    done
  done
done
python3 - "$results" <<'EOF'
import statistics, sys
runs = {}
for l in open(sys.argv[1]):
    f = dict(x.split('=') for x in l.split()[:4])
    runs[(f['round'], f['io'], f['mode'])] = float(l.split()[4])
for io in ('4096', '131072'):
    rs = sorted({k[0] for k in runs})
    ratio = [runs[(r, io, 'wt')] / runs[(r, io, 'wb')] for r in rs]
    print(f"{int(io) // 1024} KiB randwrite QD32: write-through/write-back IOPS "
          f"{' '.join(f'{x:.3f}' for x in ratio)}, median {statistics.median(ratio):.3f}")
EOF
