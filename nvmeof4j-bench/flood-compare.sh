#!/usr/bin/env bash
# What abusive peers do to an honest host (issue 13): `nvmeof4j target` (RAM, 4 KiB blocks, default limits) in its
# own JVM, and an honest `nvmeof4j perf` (4 KiB randread, QD 32, one queue, --json) run three ways, alternated
# ROUNDS times:
#   base       perf alone;
#   silent     perf while FLOOD silent TCP connections (no ICReq) are held open against the same port, each
#              re-opened as soon as the target drops it (the ICReq timeout, 10 s by default, fires during the run);
#   slowloris  the same with peers that send an ICReq one byte per second.
# The flood comes from silent-flood.py --hold, spread over 127.0.0.2..5 (the default limit is 1024 per address).
# Per run: IOPS, p99 and p99.99 (us), IOPS and p99 relative to the median base run, the target's limit counters
# over the run (from --metrics), connections accepted, the target's CPU seconds, threads and RSS at the end.
# Usage: flood-compare.sh [ROUNDS]      env: FLOOD (2000), PERF_SECONDS (10), PERF_PORT (14441), METRICS_PORT (14442)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
rounds="${1:-3}"
flood="${FLOOD:-2000}"
secs="${PERF_SECONDS:-10}"
port="${PERF_PORT:-14441}"
mport="${METRICS_PORT:-14442}"
nqn=nqn.2014-08.org.nvmeof4j:flood-compare
work="$(mktemp -d /tmp/nvmeof4j-flood.XXXXXX)"
./nvmeof4j --version >/dev/null          # builds the jar if needed
jar="$here/nvmeof4j-cli/target/nvmeof4j.jar"

# each flood connection is one descriptor in the target (and one in the flooder): raise the soft limit to the hard
# one for both (the JVM also raises its own soft limit to the hard one, -XX:+MaxFDLimit, on by default on Linux)
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $(( flood + 1024 )) ]; then
  echo "flood-compare: ulimit -n is $(ulimit -n), below FLOOD + 1024: the target will hit EMFILE" >&2
fi
echo "flood-compare: ulimit -n $(ulimit -n), flood $flood connections, perf ${secs}s, work dir $work" >&2

java -XX:+UseParallelGC -Xms256m -jar "$jar" target --port "$port" --nqn "$nqn" --ram-mib 512 --block-size 4096 \
  --metrics "127.0.0.1:$mport" >"$work/target.log" 2>&1 &
tpid=$!
fpid=
cleanup() {
  [ -n "$fpid" ] && kill "$fpid" 2>/dev/null || true
  kill "$tpid" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 1 100); do grep -q listening "$work/target.log" && break; sleep 0.2; done
grep -q listening "$work/target.log" || { cat "$work/target.log" >&2; echo "flood-compare: target did not start" >&2; exit 1; }

# one line of the target's state: limit counters, accepted, CPU ticks, threads, RSS (KiB)
snapshot() {
  local m
  m="$(curl -s "http://127.0.0.1:$mport/metrics" || true)"
  local v
  v() { awk -v k="$1" '$1 == k { printf "%d", $2; f=1 } END { if (!f) printf "0" }' <<<"$m"; }
  echo "per_port=$(v 'nvmeof4j_target_connections_refused_total{limit="per_port"}')" \
    "per_address=$(v 'nvmeof4j_target_connections_refused_total{limit="per_address"}')" \
    "icreq_timeouts=$(v 'nvmeof4j_target_connection_timeouts_total{step="icreq"}')" \
    "connect_timeouts=$(v 'nvmeof4j_target_connection_timeouts_total{step="connect"}')" \
    "accepted=$(v nvmeof4j_target_connections_accepted_total)" \
    "cpu_ticks=$(awk '{print $14 + $15}' "/proc/$tpid/stat")" \
    "threads=$(awk '/^Threads:/{print $2}' "/proc/$tpid/status")" \
    "rss_kib=$(awk '/^VmRSS:/{print $2}' "/proc/$tpid/status")"
}

run_perf() {
  java -jar "$jar" perf -a 127.0.0.1 -s "$port" -n "$nqn" -w randread -o 4096 -q 32 --time "$secs" --warmup 1 \
    --no-progress --json 2>"$work/perf.err" | sed -n '/^{/,$p' | tr -d '\n'
}

out="$work/runs.txt"
: > "$out"
echo "idle target: $(snapshot)" >&2
for r in $(seq 1 "$rounds"); do
  for phase in base silent slowloris; do
    fl="-"
    if [ "$phase" != base ]; then
      rm -f "$work/ready"
      python3 "$here/nvmeof4j-bench/silent-flood.py" --hold "$port" "$flood" --mode "$phase" --sources 4 \
        --ready-file "$work/ready" >"$work/flood.log" 2>&1 &
      fpid=$!
      for _ in $(seq 1 300); do [ -f "$work/ready" ] && break; sleep 0.2; done
      [ -f "$work/ready" ] || echo "flood-compare: round $r $phase: the flood did not reach $flood connections in 60 s" >&2
      sleep 1
    fi
    s0="$(snapshot)"
    json="$(run_perf)"
    s1="$(snapshot)"
    if [ -n "$fpid" ]; then
      kill -TERM "$fpid"; wait "$fpid" 2>/dev/null || true; fpid=
      fl="$(grep 'mode=' "$work/flood.log" | tr ' ' ',' || echo -)"
      sleep 3   # let the target close the flood's sockets before the next run
    fi
    echo "$r|$phase|$s0|$s1|$fl|${json:-null}" >> "$out"
    echo "round $r $phase done" >&2
  done
done
echo "idle target after: $(snapshot)" >&2

python3 - "$out" "$(getconf CLK_TCK)" <<'PY'
import json, statistics, sys
hz = int(sys.argv[2])
rows = []
for line in open(sys.argv[1]):
    r, phase, s0, s1, fl, js = line.rstrip('\n').split('|', 5)
    a = dict(kv.split('=') for kv in s0.split()); b = dict(kv.split('=') for kv in s1.split())
    try:
        d = json.loads(js)
    except Exception:
        d = None
    rows.append((int(r), phase, a, b, fl, d))
base = [d for _, p, _, _, _, d in rows if p == 'base' and d]
biops = statistics.median(d['iops'] for d in base) if base else float('nan')
bp99 = statistics.median(d['latency_us']['p99'] for d in base) if base else float('nan')
print(f"{'round':>5s} {'phase':10s} {'IOPS':>8s} {'xIOPS':>6s} {'p99_us':>8s} {'xp99':>6s} {'p99.99_us':>9s} {'err':>4s} "
      f"{'icreq_to':>8s} {'refused':>7s} {'accepted':>8s} {'tgt_cpu_s':>9s} {'threads':>7s} {'rss_MiB':>7s}")
for r, phase, a, b, fl, d in rows:
    dl = lambda k: int(b[k]) - int(a[k])
    if d is None:
        print(f"{r:5d} {phase:10s} perf failed"); continue
    l = d['latency_us']
    print(f"{r:5d} {phase:10s} {d['iops']:8.0f} {d['iops'] / biops:6.2f} {l['p99']:8.1f} {l['p99'] / bp99:6.2f} "
          f"{l['p99_99']:9.1f} {d['errors']:4d} {dl('icreq_timeouts'):8d} {dl('per_port') + dl('per_address'):7d} "
          f"{dl('accepted'):8d} {dl('cpu_ticks') / hz:9.2f} {b['threads']:>7s} {int(b['rss_kib']) / 1024:7.0f}")
print()
for r, phase, a, b, fl, d in rows:
    if fl != '-':
        print(f"round {r} {phase}: {fl.replace(',', ' ')}")
print()
for phase in ('base', 'silent', 'slowloris'):
    ds = [d for _, p, _, _, _, d in rows if p == phase and d]
    if ds:
        i = statistics.median(x['iops'] for x in ds); p = statistics.median(x['latency_us']['p99'] for x in ds)
        print(f"median {phase:10s} IOPS {i:8.0f} ({i / biops:.2f} of base)  p99 {p:7.1f} us ({p / bp99:.2f} of base)")
PY
echo "(raw runs and logs: $work)"
