#!/usr/bin/env bash
# Build the JMH benchmarks jar and run a quick pass (short iterations, -prof gc) of every benchmark, or of the ones
# selected by a regex. Extra arguments go to JMH and replace the defaults they name, e.g.
#   nvmeof4j-bench/run.sh ReceivePath -p payload=4096        # one benchmark class, one payload
#   nvmeof4j-bench/run.sh -wi 5 -i 10 -r 5s                  # longer iterations
#   nvmeof4j-bench/run.sh IoQueue -p targetIdle=spin          # target poller busy-spins
# Full log: bench/target/jmh-run.log; results: bench/target/jmh-result.csv (plus a summary printed at the end).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
jar="$here/target/benchmarks.jar"
log="$here/target/jmh-run.log"
csv="$here/target/jmh-result.csv"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  (cd "$root" && mvn -q -pl nvmeof4j-bench -am package -DskipTests)
fi

# defaults, each dropped when the caller gives the same option
defaults=(-wi 2 -i 3 -f 1 -w 1s -r 2s -prof gc -rf csv -rff "$csv")
has_opt() {
  local want="$1" a
  for a in "${user_args[@]+"${user_args[@]}"}"; do
    [[ "$a" == "$want" ]] && return 0
  done
  return 1
}
user_args=("$@")
args=()
for ((i = 0; i < ${#defaults[@]}; i += 2)); do
  if ! has_opt "${defaults[i]}"; then
    args+=("${defaults[i]}" "${defaults[i + 1]}")
  fi
done

mkdir -p "$here/target"
rm -f "$csv"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)" | tee "$log"
java -jar "$jar" "${args[@]}" "${user_args[@]+"${user_args[@]}"}" 2>&1 | tee -a "$log"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$log"

[[ -f "$csv" ]] || exit 0
echo
echo "Summary ($csv): score ± 99.9% error, alloc = gc.alloc.rate.norm (whole JVM), ns/op = 1/score,"
echo "GB/s = ops/s x payload (or length): payload-equivalent, for paths that skip the bytes it is per-PDU cost only"
awk -F, '
  function unq(s) { gsub(/"/, "", s); return s }
  { sub(/\r$/, "") }
  NR == 1 { for (i = 8; i <= NF; i++) { name[i] = unq($i); sub(/^Param: /, "", name[i]) }; next }
  {
    b = unq($1); metric = ""
    if (index(b, ":") > 0) { metric = substr(b, index(b, ":") + 1); b = substr(b, 1, index(b, ":") - 1) }
    sub(/^org\.nvmeof4j\.bench\./, "", b)
    p = ""; bytes = 0
    for (i = 8; i <= NF; i++) if ($i != "") {
      p = p (p == "" ? "" : " ") name[i] "=" $i
      if (name[i] == "payload" || name[i] == "length") bytes = $i
    }
    k = b " " p
    if (!(k in seen)) { seen[k] = 1; order[++n] = k }
    if (metric == "") { score[k] = $5; err[k] = $6; unit[k] = unq($7); nbytes[k] = bytes }
    else if (metric == "gc.alloc.rate.norm") alloc[k] = $5
    else if (metric == "p0.50") p50[k] = $5
    else if (metric == "p0.99") p99[k] = $5
  }
  END {
    for (j = 1; j <= n; j++) {
      k = order[j]
      extra = ""
      if (unit[k] == "ops/s") extra = sprintf("  %9.1f ns/op", 1e9 / score[k])
      if (unit[k] == "ops/s" && nbytes[k] > 0) extra = extra sprintf("  %8.2f GB/s", score[k] * nbytes[k] / 1e9)
      if (k in p50) extra = sprintf("  p50 %.1f  p99 %.1f", p50[k], p99[k])
      e = err[k] == "NaN" ? "-" : sprintf("%.1f", err[k])
      printf "%-64s %14.1f ± %-12s %-6s alloc %8.3f B/op%s\n", k, score[k], e, unit[k], alloc[k], extra
    }
  }' "$csv" | tee -a "$log"
if grep -q '^\[alloc\]' "$log"; then
  echo
  echo "Host-thread allocation (ThreadMXBean, IoQueueBenchmark):"
  grep "^\[alloc\].*steady state" "$log" || true
fi
