#!/usr/bin/env bash
# The seed 002 measurement, side by side in one sitting: tcp vs tcp_offload (the reference engine), alternated
# ROUNDS times, against `nvmeof4j target` (RAM, 4 KiB blocks) in its own JVM. The workload is the seed's:
# 16 KiB random reads, QD 4 on each of QUEUES queues, paced at RATE IOPS in total (perf --rate), host threads
# blocking when idle (--host-idle block, the kernel's interrupt-driven mode). Per run: IOPS, average and p99.99
# latency, the CPU of the perf process (host_cpu_seconds: the engine threads are in it), of the threads that submit
# and complete (app_cpu_seconds), and of the whole machine (/proc/stat: target included).
# Usage: offload-compare.sh [ROUNDS] [extra perf args...]   env: RATE (20000), QUEUES (4), PERF_SECONDS (10)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
rounds="${1:-3}"; shift || true
rate="${RATE:-20000}"
queues="${QUEUES:-4}"
secs="${PERF_SECONDS:-10}"
./nvmeof4j --version >/dev/null          # builds the jar if needed
jar="$here/nvmeof4j-cli/target/nvmeof4j.jar"
port="${PERF_PORT:-14431}"
nqn=nqn.2014-08.org.nvmeof4j:offload-compare
out=/tmp/nvmeof4j-offload-compare.txt
java -jar "$jar" target --port "$port" --nqn "$nqn" --ram-mib 1024 --block-size 4096 \
  >/tmp/nvmeof4j-offload-compare-target.log 2>&1 &
tpid=$!
trap 'kill $tpid 2>/dev/null; wait $tpid 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do grep -q listening /tmp/nvmeof4j-offload-compare-target.log && break; sleep 0.2; done
busy() { awk '/^cpu /{print $2+$3+$4+$7+$8}' /proc/stat; }   # user nice system irq softirq, in clock ticks
hz=$(getconf CLK_TCK)
: > "$out"
for r in $(seq 1 "$rounds"); do
  for t in tcp tcp_offload; do
    b0=$(busy)
    json=$(java -jar "$jar" perf -t "$t" -a 127.0.0.1 -s "$port" -n "$nqn" -w randread -o 16384 -q 4 \
      --queues "$queues" --rate "$rate" --time "$secs" --host-idle block --no-progress --json "$@" 2>/dev/null \
      | sed -n '/^{/,$p' | tr -d '\n')
    b1=$(busy)
    echo "$r $t $(( b1 - b0 )) $hz $json" >> "$out"
    echo "round $r $t done" >&2
  done
done
python3 - "$out" <<'PY'
import json, sys, statistics
rows = {}
for line in open(sys.argv[1]):
    r, t, ticks, hz, js = line.strip().split(' ', 4)
    try:
        d = json.loads(js)
    except Exception:
        print(f"round {r} {t}: no result"); continue
    d['machine_cpu_seconds'] = int(ticks) / int(hz)
    rows.setdefault(t, []).append(d)
print(f"{'transport':12s} {'IOPS':>9s} {'avg_us':>8s} {'p99.99_us':>10s} {'host_cpu_s':>10s} {'app_cpu_s':>9s} {'machine_cpu_s':>13s}")
for t, ds in rows.items():
    for d in ds:
        l = d['latency_us']
        print(f"{t:12s} {d['iops']:9.0f} {l['avg']:8.1f} {l.get('p99_99', float('nan')):10.1f} "
              f"{d['host_cpu_seconds']:10.2f} {d.get('app_cpu_seconds', float('nan')):9.2f} {d['machine_cpu_seconds']:13.2f}")
def med(t, f):
    return statistics.median(f(d) for d in rows[t])
if 'tcp' in rows and 'tcp_offload' in rows:
    print()
    for name, f in [('host_cpu_s', lambda d: d['host_cpu_seconds']), ('app_cpu_s', lambda d: d.get('app_cpu_seconds', 0)),
                    ('machine_cpu_s', lambda d: d['machine_cpu_seconds']), ('avg_us', lambda d: d['latency_us']['avg']),
                    ('p99.99_us', lambda d: d['latency_us'].get('p99_99', 0))]:
        a, b = med('tcp', f), med('tcp_offload', f)
        print(f"median {name:14s} tcp {a:10.2f}  tcp_offload {b:10.2f}  offload/tcp {b / a if a else float('nan'):.2f}")
PY
