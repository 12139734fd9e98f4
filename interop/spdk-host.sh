#!/usr/bin/env bash
# SPDK's NVMe/TCP host tools (built by interop/spdk-setup.sh) against
# `nvmeof4j target`: spdk_nvme_identify, spdk_nvme_discover and
# spdk_nvme_perf runs that take every data path (in-capsule writes, R2T +
# H2CData, C2HData), plain and with header and data digests.
# Prints one "SPDK PASS|FAIL <check>: <detail>" line per check and
# "SPDK SUMMARY passed=N failed=M"; exits 0 only if failed=0.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<EOF
Usage: $interop_prog [--keep DIR] [--time S] [--core-mask MASK]

Starts \`nvmeof4j target\` (RAM namespace, 4 KiB blocks, in-capsule data up to
4 KiB so that 8 KiB and larger writes take R2T + H2CData) on a free port of
127.0.0.1 and runs against it:
  identify   spdk_nvme_identify: model nvmeof4j, namespace 1, 4 KiB LBA format
  discover   spdk_nvme_discover: the subsystem in the discovery log
  perf       spdk_nvme_perf: 4 KiB randread QD32, 8 KiB randrw 50/50 QD32,
             128 KiB write QD8; then the same three with -H -I (header and
             data digests)
Every perf run must finish, report I/O and print no error; each run's
"Total" line is printed.

  --keep DIR        keep logs in DIR (default: a temporary directory)
  --time S          seconds of each perf run (default 3)
  --core-mask MASK  spdk_nvme_perf -c (default 0x2: the host on core 1)
  -h, --help        this text

Environment: SPDK_CACHE (default ~/.cache/nvmeof4j-spdk, as spdk-setup.sh);
NVMEOF4J_CLI_CLASSPATH=CP runs the CLI as \`java -cp CP
org.nvmeof4j.cli.Nvmeof4j\` instead of ./nvmeof4j (the JUnit test does this).

Exit status: 0 all checks passed; 1 a check failed; 2 usage error;
4 setup problem (the target did not start); 5 SPDK's tools are not built
(run interop/spdk-setup.sh; callers may skip).
EOF
}

keep="" perf_time=3 core_mask=0x2
need_arg() { (( $2 >= 2 )) || { usage >&2; die "$1 needs a value" 2; }; }
while (( $# )); do
    case "$1" in
        --keep) need_arg "$1" $#; keep="$2"; shift ;;
        --time) need_arg "$1" $#; perf_time="$2"; shift ;;
        --core-mask) need_arg "$1" $#; core_mask="$2"; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" 2 ;;
    esac
    shift
done
is_uint "$perf_time" && (( perf_time >= 1 && perf_time <= 600 )) || die "bad --time '$perf_time'" 2
[[ "$core_mask" =~ ^0x[0-9a-fA-F]+$ ]] || die "bad --core-mask '$core_mask' (hex, as 0x2)" 2

SPDK_CACHE="${SPDK_CACHE:-${HOME:-/root}/.cache/nvmeof4j-spdk}"
bin="$SPDK_CACHE/bin"
for t in spdk_nvme_perf spdk_nvme_identify spdk_nvme_discover; do
    [[ -x "$bin/$t" ]] || die "$bin/$t not found: build SPDK's host tools with interop/spdk-setup.sh" 5
done
spdk_version="$(cat "$SPDK_CACHE/version" 2>/dev/null || echo unknown)"

# DPDK under SPDK's identify and discover tools needs hugepages (perf alone could do without): reserve 1 GiB of
# 2 MiB pages when fewer are free, as SPDK's scripts/setup.sh does, and give them back at the end.
hugepages_before=""
ensure_hugepages() {
    local free want=512
    free="$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo 2>/dev/null || echo 0)"
    if (( ${free:-0} < want )); then
        (( EUID == 0 )) || die "SPDK's tools need $want free 2 MiB hugepages (have ${free:-0}); run as root or reserve them" 5
        hugepages_before="$(cat /proc/sys/vm/nr_hugepages)"
        echo $((hugepages_before + want - ${free:-0})) > /proc/sys/vm/nr_hugepages
        free="$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo)"
        (( free >= want )) || die "could reserve only $free hugepages (need $want)" 5
    fi
    if ! grep -qs ' hugetlbfs ' /proc/mounts; then
        (( EUID == 0 )) || die "no hugetlbfs mounted" 5
        mkdir -p /dev/hugepages && mount -t hugetlbfs nodev /dev/hugepages || die "cannot mount hugetlbfs" 5
    fi
}
ensure_hugepages

if [[ -n "$keep" ]]; then
    mkdir -p "$keep"
    work="$(cd "$keep" && pwd)"
else
    work="$(mktemp -d "${TMPDIR:-/tmp}/nvmeof4j-spdk.XXXXXX")"
fi
target_pid=""
cleanup() {
    [[ -n "$target_pid" ]] && kill -TERM "$target_pid" 2>/dev/null || true
    [[ -n "$target_pid" ]] && wait "$target_pid" 2>/dev/null || true
    [[ -n "$keep" ]] || rm -rf "$work"
    [[ -z "$hugepages_before" ]] || echo "$hugepages_before" > /proc/sys/vm/nr_hugepages || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

export NVMEOF4J_JAVA_OPTS="${NVMEOF4J_JAVA_OPTS:--XX:+UseParallelGC -Xms256m}"
interop_cli "$work"

NQN="nqn.2024-01.org.nvmeof4j:spdk"
# the target on core 0 when taskset is there, the host on the perf core mask
pin=()
command -v taskset >/dev/null && (( $(nproc) >= 2 )) && pin=(taskset -c 0)
interop_start_target "$work/target.log" "${pin[@]}" "${cli[@]}" target --listen 127.0.0.1 --port 0 --nqn "$NQN" \
    --ram-mib 256 --block-size 4096 --inline-data-size 4096
log "SPDK $spdk_version host tools against nvmeof4j target on 127.0.0.1:$port ($NQN)"

passed=0 failed=0
pass() { passed=$((passed + 1)); echo "SPDK PASS $1: $2"; }
fail() { failed=$((failed + 1)); echo "SPDK FAIL $1: $2"; }
trid="trtype:TCP adrfam:IPv4 traddr:127.0.0.1 trsvcid:$port"

# identify
if timeout 60 "$bin/spdk_nvme_identify" -r "$trid subnqn:$NQN" > "$work/identify.log" 2>&1; then
    if grep -q '^Model Number: *nvmeof4j' "$work/identify.log" && grep -q '^Namespace ID:1' "$work/identify.log" \
        && grep -Eq 'LBA Format #00: Data Size: *4096' "$work/identify.log"; then
        pass identify "model nvmeof4j, namespace 1, 4096-byte LBA format"
    else
        fail identify "unexpected output: $(grep -E 'Model Number|Namespace ID|LBA Format' "$work/identify.log" | head -3 | tr '\n' ';')"
    fi
else
    fail identify "exit $?: $(grep -iE 'error|fail' "$work/identify.log" | head -2 | tr '\n' ';')"
fi

# discover (the target serves discovery on the same port)
if timeout 60 "$bin/spdk_nvme_discover" -r "$trid" > "$work/discover.log" 2>&1 \
    || timeout 60 "$bin/spdk_nvme_identify" \
        -r "$trid subnqn:nqn.2014-08.org.nvmexpress.discovery" > "$work/discover.log" 2>&1; then
    if grep -q "$NQN" "$work/discover.log"; then
        pass discover "$NQN in the discovery log"
    else
        fail discover "$NQN not in the discovery log: $(tail -3 "$work/discover.log" | tr '\n' ';')"
    fi
else
    fail discover "exit $?: $(grep -iE 'error|fail' "$work/discover.log" | head -2 | tr '\n' ';')"
fi

# perf NAME ARGS...: one spdk_nvme_perf run; passes when it exits 0, reports I/O and logs no error
perf() {
    local name="$1"; shift
    local log="$work/perf-$name.log"
    if ! timeout $((perf_time + 60)) "$bin/spdk_nvme_perf" -c "$core_mask" -r "$trid subnqn:$NQN" \
            -t "$perf_time" "$@" > "$log" 2>&1; then
        fail "perf $name" "exit status, $(grep -iE 'error|fail' "$log" | head -2 | tr '\n' ';')"
        return 0
    fi
    local total iops
    total="$(grep -E '^Total +:' "$log" | tail -1 | tr -s ' ')"
    iops="$(awk '/^Total +:/ {print int($3)}' "$log" | tail -1)"
    if [[ -z "$iops" || "$iops" -le 0 ]]; then
        fail "perf $name" "no I/O reported: $(tail -3 "$log" | tr '\n' ';')"
    elif grep -qiE 'error|failed|abort' "$log"; then
        fail "perf $name" "errors logged: $(grep -iE 'error|failed|abort' "$log" | head -2 | tr '\n' ';')"
    else
        pass "perf $name" "$* | $total"
    fi
}
for dg in "" "-H -I"; do
    suffix=""; [[ -n "$dg" ]] && suffix="-digests"
    # shellcheck disable=SC2086
    perf "randread-4k-qd32$suffix" -q 32 -o 4096 -w randread $dg
    # shellcheck disable=SC2086
    perf "randrw50-8k-qd32$suffix" -q 32 -o 8192 -w randrw -M 50 $dg
    # shellcheck disable=SC2086
    perf "write-128k-qd8$suffix" -q 8 -o 131072 -w write $dg
done

if grep -q 'rejected Connect' "$work/target.log"; then
    fail target-log "the target rejected a Connect: $(grep -m1 'rejected Connect' "$work/target.log")"
fi
echo "SPDK SUMMARY passed=$passed failed=$failed"
(( failed == 0 ))
