#!/usr/bin/env bash
# Software target vs --offload fastpath on a 256 MiB file (page cache), alternated in one sitting: the target
# JVM's CPU (utime+stime from /proc, the whole perf run) per GiB moved. Usage: target-offload-compare.sh [ROUNDS] [WORKLOAD] [IO_SIZE] [QD]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"; "$here/nvmeof4j" --version >/dev/null 2>&1 || true; jar="$here/nvmeof4j-cli/target/nvmeof4j.jar"
rounds=${1:-2}; wl=${2:-read}; size=${3:-131072}; qd=${4:-8}
img=/tmp/fpbench.img
[ -f $img ] || dd if=/dev/urandom of=$img bs=1M count=256 status=none
cat $img > /dev/null
clk=$(getconf CLK_TCK)
for r in $(seq 1 $rounds); do
  for mode in software fastpath; do
    extra=(); [ $mode = fastpath ] && extra=(--offload fastpath)
    java -XX:+UseParallelGC -jar $jar target --port 4432 --file $img --size-mib 256 --idle block "${extra[@]}" > /tmp/fpb-t.log 2>&1 &
    tpid=$!
    sleep 3
    t0=$(awk '{print $14+$15}' /proc/$tpid/stat)
    out=$(java -XX:+UseParallelGC -jar $jar perf -a 127.0.0.1 -s 4432 -n nqn.2014-08.org.nvmeof4j:default -w $wl -o $size -q $qd --time 5 --warmup 0 --range-mib 256 --no-verify --json --no-progress 2>/dev/null)
    t1=$(awk '{print $14+$15}' /proc/$tpid/stat)
    kill $tpid; wait $tpid 2>/dev/null || true
    python3 - "$mode" "$t0" "$t1" "$clk" "$out" <<'PY'
import json,sys
mode,t0,t1,clk,out=sys.argv[1],int(sys.argv[2]),int(sys.argv[3]),int(sys.argv[4]),sys.argv[5]
j=json.loads(out)
cpu=(t1-t0)/clk
gib=j['ios']*j.get('io_size',0)/2**30 if j.get('io_size') else j['mib_per_s']*j.get('seconds',5)/1024
print(f"{mode:9s} iops {j['iops']:>9.0f} MiB/s {j['mib_per_s']:>8.1f} target_cpu_s {cpu:6.2f} target_cpu_s_per_gib {cpu/gib if gib else 0:.4f}")
PY
  done
done
