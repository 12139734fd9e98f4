#!/usr/bin/env bash
# The SPDK comparison matrix: nvmeof4j target (RAM namespace, 4 KiB blocks) in one JVM, nvmeof4j perf in another,
# one I/O queue, the workloads the README's comparison table names. Extra args go to every perf run
# (e.g. --host-idle block, --time 10). Prints one JSON line per workload, then a table.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
# NVMEOF4J_JAR=path runs another build (e.g. an older commit's jar, for a before/after comparison in one sitting)
if [ -n "${NVMEOF4J_JAR:-}" ]; then
  jar="$NVMEOF4J_JAR"
else
  ./nvmeof4j --version >/dev/null          # builds the jar if needed
  jar="$here/nvmeof4j-cli/target/nvmeof4j.jar"
fi
port="${PERF_PORT:-14430}"
nqn=nqn.2014-08.org.nvmeof4j:perf
secs="${PERF_SECONDS:-10}"
java -jar "$jar" target --port "$port" --nqn "$nqn" --ram-mib 1024 --block-size 4096 >/tmp/nvmeof4j-perf-target.log 2>&1 &
tpid=$!
trap 'kill $tpid 2>/dev/null; wait $tpid 2>/dev/null || true' EXIT
for i in $(seq 1 50); do grep -q listening /tmp/nvmeof4j-perf-target.log && break; sleep 0.2; done
run() { # name, perf args...
  local name=$1; shift
  local json
  json=$(java -jar "$jar" perf -a 127.0.0.1 -s "$port" -n "$nqn" --queues 1 --time "$secs" --json "$@" 2>/dev/null \
    | sed -n '/^{/,$p' | tr -d '\n')
  echo "$name $json"
}
{
  run "randread-4k-qd1"    -w randread  -o 4096   -q 1   "${@}"
  run "randread-4k-qd32"   -w randread  -o 4096   -q 32  "${@}"
  run "randread-4k-qd128"  -w randread  -o 4096   -q 128 "${@}"
  run "randwrite-4k-qd32"  -w randwrite -o 4096   -q 32  "${@}"
  run "read-128k-qd32"     -w read      -o 131072 -q 32  "${@}"
} | tee /tmp/nvmeof4j-perf-matrix.txt
echo
printf '%-20s %10s %10s %10s %10s %8s %8s\n' workload IOPS MiB/s p50_us p99_us user_s sys_s
python3 - <<'PY'
import json
for line in open('/tmp/nvmeof4j-perf-matrix.txt'):
    name, _, js = line.strip().partition(' ')
    try:
        d = json.loads(js)
    except Exception:
        print(f"{name:20s} (no result)"); continue
    l = d['latency_us']; c = d['cpu_seconds']
    print(f"{name:20s} {d['iops']:10.0f} {d['mib_per_s']:10.1f} {l['p50']:10.1f} {l['p99']:10.1f} {c['user']:8.2f} {c['system']:8.2f}")
PY
