#!/usr/bin/env bash
# Boots a QEMU VM whose Linux NVMe/TCP host (nvme-tcp) tests a target that
# listens on this machine's 127.0.0.1:PORT (10.0.2.2:PORT inside the guest).
# Prints one "INTEROP PASS|FAIL <check>" line per check and the guest's
# "INTEROP SUMMARY passed=N failed=M"; exits 0 only if failed=0.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<EOF
Usage: $interop_prog --port PORT --nqn NQN [options]

Runs the Linux kernel NVMe/TCP host in a QEMU guest against the target at
127.0.0.1:PORT and checks: discover, connect, id-ctrl, id-ns, direct-4k,
direct-128k, direct-1m, buffered-flush, concurrent-read, disconnect.
The target must export NQN with a namespace of at least 24 MiB.

Options:
  --port PORT          target port on 127.0.0.1 (required)
  --nqn NQN            subsystem NQN to connect to (required)
  --hdr-digest         ask for header digests
  --data-digest        ask for data digests
  --nr-io-queues N     nr_io_queues= (capped by the guest's vCPUs, see --smp)
  --queue-size N       queue_size=
  --referral ADDR:PORT also check that nvme discover lists the target's referral
                       to ADDR:PORT (the target must carry it on this port)
  --ns-events          also check namespaces added/removed at runtime: the guest
                       prints "INTEROP REQUEST add-ns 2" / "remove-ns 2" and
                       waits for /dev/nvmeXn2 to come and go; whoever runs the
                       target must act on those lines (LinuxHostInteropTest does)
  --second-port PORT2  multipath mode instead of the checks above: connect to
                       PORT and PORT2 (same NQN) and check that native multipath
                       joins them (mp-connect, mp-subsys, mp-ana-sysfs: group 1
                       optimized on both), then run an O_DIRECT write + read-back
                       workload while the guest prints "INTEROP REQUEST ana 1
                       inaccessible", "ana 1 optimized" (path 1's group 1),
                       "port-down 2", "port-up 2" and waits for sysfs to show
                       each; the caller must act on them (LinuxHostMultipathInteropTest
                       does). The namespace needs 26 MiB; [24, 26) MiB is overwritten
  --iopolicy P         multipath mode: the subsystem's iopolicy, numa or
                       round-robin (default round-robin: both paths carry I/O)
  --hostnqn NQN        host NQN (default $INTEROP_DEFAULT_HOSTNQN)
  --dhchap-secret KEY  connect with DH-HMAC-CHAP (dhchap_secret=KEY, DHHC-1:hh:...:);
                       kernel 6.0+ built with CONFIG_NVME_HOST_AUTH (Debian 6.1's is not)
  --dhchap-ctrl-secret KEY
                       bidirectional: dhchap_ctrl_secret=KEY
  --tls-key KEY        NVMe/TCP TLS 1.3 with this configured PSK (NVMeTLSkey-1:hh:...:):
                       the guest inserts it into its .nvme keyring for NQN and the
                       discovery NQN (nvme check-tls-key --insert), starts tlshd, and
                       discovers and connects with tls (kernel 6.12 only; never echoed)
  --skip-module M      do not load the guest module M (repeatable), e.g. aesni-intel:
                       kTLS then uses the generic AES-GCM code
  --smp N              guest vCPUs (default 2)
  --log FILE           guest console log (default: a new file under
                       $INTEROP_CACHE/logs)
  --timeout SECS       hard limit for the whole VM run (default 300)
  --kernel K           guest kernel: 6.1 (default, Debian 12) or 6.12 (Debian 13,
                       nvme-cli 2.13); also INTEROP_KERNEL=K
  -h, --help           this text

Exit status: 0 all checks passed; 1 a check failed; 2 usage error;
3 no summary line (guest crashed, hung or timed out); 4 setup problem.
EOF
}

port="" port2="" iopolicy=round-robin nqn="" hdr=0 data=0 nrq="" qsize="" nsev=0 referral="" hostnqn="$INTEROP_DEFAULT_HOSTNQN" smp=2 logfile="" timeout_s=300 dhchap="" dhchap_ctrl="" tlskey="" skipmods=""
need_arg() { (( $2 >= 2 )) || { usage >&2; die "$1 needs a value" 2; }; }
while (( $# )); do
    case "$1" in
        --port) need_arg "$1" $#; port="$2"; shift ;;
        --nqn) need_arg "$1" $#; nqn="$2"; shift ;;
        --second-port) need_arg "$1" $#; port2="$2"; shift ;;
        --iopolicy) need_arg "$1" $#; iopolicy="$2"; shift ;;
        --hdr-digest) hdr=1 ;;
        --data-digest) data=1 ;;
        --nr-io-queues) need_arg "$1" $#; nrq="$2"; shift ;;
        --queue-size) need_arg "$1" $#; qsize="$2"; shift ;;
        --ns-events) nsev=1 ;;
        --referral) need_arg "$1" $#; referral="$2"; shift ;;
        --hostnqn) need_arg "$1" $#; hostnqn="$2"; shift ;;
        --dhchap-secret) need_arg "$1" $#; dhchap="$2"; shift ;;
        --dhchap-ctrl-secret) need_arg "$1" $#; dhchap_ctrl="$2"; shift ;;
        --tls-key) need_arg "$1" $#; tlskey="$2"; shift ;;
        --skip-module) need_arg "$1" $#; [[ "$2" =~ ^[A-Za-z0-9_-]+$ ]] || die "bad --skip-module '$2'" 2
            skipmods="${skipmods:+$skipmods }$2"; shift ;;
        --smp) need_arg "$1" $#; smp="$2"; shift ;;
        --log) need_arg "$1" $#; logfile="$2"; shift ;;
        --timeout) need_arg "$1" $#; timeout_s="$2"; shift ;;
        --kernel) need_arg "$1" $#; interop_select_kernel "$2"; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" 2 ;;
    esac
    shift
done
[[ -n "$port" && -n "$nqn" ]] || { usage >&2; die "--port and --nqn are required" 2; }
[[ -z "$referral" || "$referral" =~ ^[0-9.]+:[0-9]+$ ]] || die "bad --referral '$referral' (IPv4:PORT)" 2
valid_port "$port" || die "bad --port '$port'" 2
[[ -z "$port2" ]] || { valid_port "$port2" && [[ "$port2" != "$port" ]]; } || die "bad --second-port '$port2'" 2
[[ "$iopolicy" =~ ^(numa|round-robin)$ ]] || die "bad --iopolicy '$iopolicy' (numa or round-robin)" 2
valid_nqn "$nqn" || die "bad --nqn '$nqn' (allowed: A-Z a-z 0-9 . _ : + @ / -, at most 223 bytes)" 2
valid_nqn "$hostnqn" || die "bad --hostnqn '$hostnqn'" 2
[[ -z "$nrq" ]] || { is_uint "$nrq" && (( nrq >= 1 )); } || die "bad --nr-io-queues '$nrq'" 2
[[ -z "$qsize" ]] || { is_uint "$qsize" && (( qsize >= 2 )); } || die "bad --queue-size '$qsize'" 2
valid_dhchap() { [[ -z "$1" || "$1" =~ ^DHHC-1:0[0-3]:[A-Za-z0-9+/=]+:$ ]]; }
valid_dhchap "$dhchap" || die "bad --dhchap-secret (expected DHHC-1:hh:<base64>:)" 2
valid_dhchap "$dhchap_ctrl" || die "bad --dhchap-ctrl-secret (expected DHHC-1:hh:<base64>:)" 2
[[ -z "$dhchap_ctrl" || -n "$dhchap" ]] || die "--dhchap-ctrl-secret needs --dhchap-secret" 2
[[ -z "$tlskey" || "$tlskey" =~ ^NVMeTLSkey-1:0[0-2]:[A-Za-z0-9+/=]+:$ ]] || die "bad --tls-key (expected NVMeTLSkey-1:hh:<base64>:)" 2
is_uint "$smp" && (( smp >= 1 && smp <= 16 )) || die "bad --smp '$smp'" 2
is_uint "$timeout_s" && (( timeout_s >= 30 )) || die "bad --timeout '$timeout_s' (at least 30)" 2

interop_load_env
[[ -z "$tlskey" || "$INTEROP_KERNEL" == 6.12 ]] || die "--tls-key needs the 6.12 guest (--kernel 6.12): 6.1 has no NVMe/TCP TLS" 2

# A host ID: the UUID of a uuid-style host NQN, else a fixed one.
hostid="6e766d65-6f66-3466-8a00-696e7465726f"
if [[ "$hostnqn" =~ :uuid:([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$ ]]; then
    hostid="${BASH_REMATCH[1]}"
fi

if [[ -z "$logfile" ]]; then
    logfile="$(interop_default_log linux-host)"
fi
mkdir -p "$(dirname "$logfile")"
: > "$logfile"

work="$(mktemp -d "${TMPDIR:-/tmp}/nvmeof4j-linux-host.XXXXXX")"
qpid=""
tailpid=""
cleanup() {
    [[ -n "$qpid" ]] && kill "$qpid" 2>/dev/null || true
    [[ -n "$tailpid" ]] && kill "$tailpid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

nonce="$(od -An -N4 -tx4 /dev/urandom | tr -d ' \n')"
{
    conf_line MODE host
    conf_line PORT "$port"
    conf_line PORT2 "$port2"
    conf_line IOPOLICY "$iopolicy"
    conf_line NQN "$nqn"
    conf_line HOSTNQN "$hostnqn"
    conf_line HOSTID "$hostid"
    conf_line HDR_DIGEST "$hdr"
    conf_line DATA_DIGEST "$data"
    conf_line NR_IO_QUEUES "$nrq"
    conf_line QUEUE_SIZE "$qsize"
    conf_line NS_EVENTS "$nsev"
    conf_line REFERRAL "$referral"
    conf_line NONCE "$nonce"
    conf_line DHCHAP_SECRET "$dhchap"
    conf_line DHCHAP_CTRL_SECRET "$dhchap_ctrl"
    conf_line TLS_KEY "$tlskey"
    conf_line SKIP_MODULES "$skipmods"
} > "$work/interop.conf"
interop_make_initrd "$work/initrd.img" "$work/interop.conf"

declare -a qemu
interop_qemu_base qemu "$smp" 1024 "$logfile" "$work/initrd.img" ""
# user-mode networking without port forwards; the guest reaches the machine's
# 127.0.0.1 as 10.0.2.2 and has no default route.
qemu+=(-netdev "user,id=n0,net=10.0.2.0/24,host=10.0.2.2"
       -device "virtio-net-pci,netdev=n0,romfile=")

# a guest kernel that panics before /init is booted again, twice at most (interop_boot_again)
for boot in 1 2 3; do
    log "booting Linux host VM (kernel $INTEROP_KVER, smp $smp) against 127.0.0.1:$port${port2:+ and :$port2} nqn=$nqn; log $logfile"
    start=$SECONDS
    ( with_pdeathsig timeout -k 5 "$timeout_s" setpriv --pdeathsig KILL -- "${qemu[@]}" ) </dev/null &
    qpid=$!

    # Stream the guest's INTEROP lines as they arrive, unbuffered: a caller acts on REQUEST lines while the guest waits.
    ( tail -n +1 -F --pid="$qpid" "$logfile" 2>/dev/null | sed -u 's/\r$//' | grep --line-buffered -E '^INTEROP (PASS|FAIL|SUMMARY|INFO|REQUEST)' || true ) &
    tailpid=$!

    set +e
    wait "$qpid"
    qrc=$?
    set -e
    qpid=""
    wait "$tailpid" 2>/dev/null || true
    tailpid=""
    elapsed=$((SECONDS - start))
    if (( qrc != 124 && qrc != 137 )) && interop_boot_again "$logfile" "$boot"; then
        continue
    fi
    break
done

summary="$(tr -d '\r' < "$logfile" | grep -E '^INTEROP SUMMARY passed=[0-9]+ failed=[0-9]+$' | tail -n 1 || true)"
if [[ -z "$summary" ]]; then
    if (( qrc == 124 || qrc == 137 )); then
        log "no summary: the VM was killed after the ${timeout_s} s timeout (${elapsed} s)"
    else
        log "no summary: qemu exited with status $qrc after ${elapsed} s"
    fi
    log "last lines of $logfile:"
    tr -d '\r' < "$logfile" | tail -n 40 | sed 's/^/  /' >&2
    if (( qrc == 124 || qrc == 137 )); then
        echo "INTEROP FAIL vm: no summary line, the VM was killed after the ${timeout_s} s timeout"
    else
        echo "INTEROP FAIL vm: no summary line, qemu exited with status $qrc"
    fi
    exit 3
fi
failed="${summary##*failed=}"
if (( failed != 0 )); then
    log "guest dmesg (nvme):"
    tr -d '\r' < "$logfile" | sed -n '/^---- dmesg (nvme) ----$/,/^---- end of dmesg ----$/p' | sed 's/^/  /' >&2
    log "FAILED ($summary) in ${elapsed} s; log $logfile"
    exit 1
fi
log "all checks passed in ${elapsed} s; log $logfile"
exit 0
