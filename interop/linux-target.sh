#!/usr/bin/env bash
# Boots a QEMU VM running the Linux NVMe/TCP target (nvmet-tcp) on a brd RAM
# disk and forwards this machine's 127.0.0.1:PORT to its port 4420. Prints
# "INTEROP TARGET READY" once the target is configured, then runs until it is
# killed (SIGTERM/SIGINT/SIGHUP stop the VM).
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<EOF
Usage: $interop_prog --port PORT --nqn NQN [options]

Runs the Linux kernel NVMe/TCP target in a QEMU guest, reachable on
127.0.0.1:PORT. It exports NQN (any host allowed) with namespace 1 on a RAM
disk, and the discovery subsystem on the same port. Header and data digests
are whatever the host asks for.

Options:
  --port PORT        port on 127.0.0.1 to forward to the guest's 4420 (required)
  --nqn NQN          subsystem NQN (required)
  --size-mib M       namespace size in MiB (default 128, at most 768)
  --serial S         subsystem serial number (default: the kernel's random one)
  --log FILE         guest console log (default: a new file under
                     $INTEROP_CACHE/logs)
  --pidfile FILE     write qemu's pid to FILE (removed on exit)
  --smp N            guest vCPUs (default 2)
  --boot-timeout S   give up if not READY after S seconds (default 180)
  --timeout S        stop the VM after S seconds in any case (default: never)
  --dhchap-host NQN  allow only this host, which must authenticate with DH-HMAC-CHAP
                     (nvmet hosts/NQN; kernel built with CONFIG_NVME_TARGET_AUTH)
  --dhchap-key KEY   its dhchap_key (DHHC-1:hh:...:); needs --dhchap-host
  --dhchap-ctrl-key KEY   dhchap_ctrl_key (bidirectional)
  --dhchap-hash H    dhchap_hash: hmac(sha256), hmac(sha384) or hmac(sha512)
  --dhchap-dhgroup G dhchap_dhgroup: null, ffdhe2048 ... ffdhe8192
  --second-port P2   also forward 127.0.0.1:P2 to the guest's 4421, nvmet port 2 of
                     the same subsystem (a second path)
  --ana-state N:G=S  at boot: ANA group G of nvmet port N (1 or 2) in state S
                     (optimized, non-optimized, inaccessible, persistent-loss,
                     change); repeatable. Group G > 1 is created on both ports
                     (optimized unless set) and --ana-grpid puts namespace 1 in it
  --ana-grpid G      namespace 1's ana_grpid (default 1)
  --control-port CP  a control line on 127.0.0.1:CP (the guest's second serial
                     port, ttyS1): send "ana N G STATE" (echo STATE >
                     ports/N/ana_groups/G/ana_state) and read back one
                     "ok ana N G STATE" or "error ..." line per command
  --tls-key KEY      require NVMe/TCP TLS 1.3 on the port (addr_tsas tls1.3, addr_treq
                     required) with this configured PSK (NVMeTLSkey-1:hh:...:), put into
                     the guest's .nvme keyring for --tls-host and NQN and the discovery
                     NQN (nvme check-tls-key --insert); tlshd does the handshakes
                     (kernel 6.12 only; the key is never echoed)
  --tls-host NQN     the host NQN of --tls-key (default $INTEROP_DEFAULT_HOSTNQN)
  --kernel K         guest kernel: 6.1 (default, Debian 12) or 6.12 (Debian 13,
                     nvme-cli 2.13); also INTEROP_KERNEL=K
  -h, --help         this text

Stdout gets "INTEROP TARGET READY" (and an "INTEROP TARGET INFO" line before
it) once the target accepts connections; diagnostics go to stderr.
Exit status: 2 usage error; 3 the VM died or never became ready; 4 setup
problem; 0 the VM stopped by itself (--timeout); 130/143 killed by a signal.
EOF
}

port="" port2="" ana_states="" ana_grpid=1 control_port="" nqn="" size_mib=128 serial="" logfile="" pidfile="" smp=2 boot_timeout=180 timeout_s=0
dh_host="" dh_key="" dh_ctrl="" dh_hash="" dh_group="" tls_key="" tls_host="$INTEROP_DEFAULT_HOSTNQN"
need_arg() { (( $2 >= 2 )) || { usage >&2; die "$1 needs a value" 2; }; }
while (( $# )); do
    case "$1" in
        --port) need_arg "$1" $#; port="$2"; shift ;;
        --nqn) need_arg "$1" $#; nqn="$2"; shift ;;
        --second-port) need_arg "$1" $#; port2="$2"; shift ;;
        --ana-state) need_arg "$1" $#
            [[ "$2" =~ ^[12]:([1-9]|[1-9][0-9]|1[01][0-9]|12[0-8])=(optimized|non-optimized|inaccessible|persistent-loss|change)$ ]] \
                || die "bad --ana-state '$2' (PORT:GRPID=STATE, PORT 1 or 2, GRPID 1..128)" 2
            ana_states="$ana_states $2"; shift ;;
        --ana-grpid) need_arg "$1" $#; ana_grpid="$2"; shift ;;
        --control-port) need_arg "$1" $#; control_port="$2"; shift ;;
        --size-mib) need_arg "$1" $#; size_mib="$2"; shift ;;
        --serial) need_arg "$1" $#; serial="$2"; shift ;;
        --log) need_arg "$1" $#; logfile="$2"; shift ;;
        --pidfile) need_arg "$1" $#; pidfile="$2"; shift ;;
        --smp) need_arg "$1" $#; smp="$2"; shift ;;
        --boot-timeout) need_arg "$1" $#; boot_timeout="$2"; shift ;;
        --timeout) need_arg "$1" $#; timeout_s="$2"; shift ;;
        --dhchap-host) need_arg "$1" $#; dh_host="$2"; shift ;;
        --dhchap-key) need_arg "$1" $#; dh_key="$2"; shift ;;
        --dhchap-ctrl-key) need_arg "$1" $#; dh_ctrl="$2"; shift ;;
        --dhchap-hash) need_arg "$1" $#; dh_hash="$2"; shift ;;
        --dhchap-dhgroup) need_arg "$1" $#; dh_group="$2"; shift ;;
        --tls-key) need_arg "$1" $#; tls_key="$2"; shift ;;
        --tls-host) need_arg "$1" $#; tls_host="$2"; shift ;;
        --kernel) need_arg "$1" $#; interop_select_kernel "$2"; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" 2 ;;
    esac
    shift
done
[[ -n "$port" && -n "$nqn" ]] || { usage >&2; die "--port and --nqn are required" 2; }
valid_port "$port" || die "bad --port '$port'" 2
[[ -z "$port2" ]] || { valid_port "$port2" && [[ "$port2" != "$port" ]]; } || die "bad --second-port '$port2'" 2
[[ -z "$control_port" ]] || valid_port "$control_port" || die "bad --control-port '$control_port'" 2
is_uint "$ana_grpid" && (( ana_grpid >= 1 && ana_grpid <= 128 )) || die "bad --ana-grpid '$ana_grpid' (1..128)" 2
[[ -n "$port2" || "$ana_states" != *" 2:"* ]] || die "--ana-state 2:... needs --second-port" 2
valid_nqn "$nqn" || die "bad --nqn '$nqn' (allowed: A-Z a-z 0-9 . _ : + @ / -, at most 223 bytes)" 2
is_uint "$size_mib" && (( size_mib >= 1 && size_mib <= 768 )) || die "bad --size-mib '$size_mib' (1..768)" 2
[[ -z "$serial" || "$serial" =~ ^[A-Za-z0-9._-]{1,20}$ ]] || die "bad --serial '$serial' (1..20 of A-Z a-z 0-9 . _ -)" 2
is_uint "$smp" && (( smp >= 1 && smp <= 16 )) || die "bad --smp '$smp'" 2
is_uint "$boot_timeout" && (( boot_timeout >= 10 )) || die "bad --boot-timeout '$boot_timeout'" 2
is_uint "$timeout_s" || die "bad --timeout '$timeout_s'" 2
dh_host="${dh_host:-}" dh_key="${dh_key:-}" dh_ctrl="${dh_ctrl:-}" dh_hash="${dh_hash:-}" dh_group="${dh_group:-}"
[[ -z "$dh_host" ]] || valid_nqn "$dh_host" || die "bad --dhchap-host '$dh_host'" 2
[[ -z "$dh_key" || "$dh_key" =~ ^DHHC-1:0[0-3]:[A-Za-z0-9+/=]+:$ ]] || die "bad --dhchap-key" 2
[[ -z "$dh_ctrl" || "$dh_ctrl" =~ ^DHHC-1:0[0-3]:[A-Za-z0-9+/=]+:$ ]] || die "bad --dhchap-ctrl-key" 2
[[ -z "$dh_hash" || "$dh_hash" =~ ^hmac\(sha(256|384|512)\)$ ]] || die "bad --dhchap-hash '$dh_hash'" 2
[[ -z "$dh_group" || "$dh_group" =~ ^(null|ffdhe(2048|3072|4096|6144|8192))$ ]] || die "bad --dhchap-dhgroup '$dh_group'" 2
[[ -z "$dh_key$dh_ctrl$dh_hash$dh_group" || -n "$dh_host" && -n "$dh_key" ]] || die "--dhchap-* need --dhchap-host and --dhchap-key" 2
[[ -z "$tls_key" || "$tls_key" =~ ^NVMeTLSkey-1:0[0-2]:[A-Za-z0-9+/=]+:$ ]] || die "bad --tls-key (expected NVMeTLSkey-1:hh:<base64>:)" 2
valid_nqn "$tls_host" || die "bad --tls-host '$tls_host'" 2
[[ -z "$tls_key" || "$INTEROP_KERNEL" == 6.12 ]] || die "--tls-key needs the 6.12 guest (--kernel 6.12): 6.1 has no NVMe/TCP TLS" 2

interop_load_env

if [[ -z "$logfile" ]]; then
    logfile="$(interop_default_log linux-target)"
fi
mkdir -p "$(dirname "$logfile")"
: > "$logfile"

work="$(mktemp -d "${TMPDIR:-/tmp}/nvmeof4j-linux-target.XXXXXX")"
qpid=""
cleanup() {
    if [[ -n "$qpid" ]]; then
        kill "$qpid" 2>/dev/null || true
        for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$qpid" 2>/dev/null || break; sleep 0.2; done
        kill -9 "$qpid" 2>/dev/null || true
    fi
    [[ -n "$pidfile" ]] && rm -f "$pidfile"
    rm -rf "$work"
}
trap cleanup EXIT
trap 'log "SIGINT: stopping the VM"; exit 130' INT
trap 'log "SIGTERM: stopping the VM"; exit 143' TERM
trap 'exit 129' HUP

{
    conf_line MODE target
    conf_line NQN "$nqn"
    conf_line SIZE_MIB "$size_mib"
    conf_line PORT2 "${port2:+4421}"
    conf_line ANA_STATES "${ana_states# }"
    conf_line ANA_GRPID "$ana_grpid"
    conf_line CONTROL "${control_port:+1}"
    conf_line SERIAL "$serial"
    conf_line DHCHAP_HOST "$dh_host"
    conf_line DHCHAP_KEY "$dh_key"
    conf_line DHCHAP_CTRL_KEY "$dh_ctrl"
    conf_line DHCHAP_HASH "$dh_hash"
    conf_line DHCHAP_DHGROUP "$dh_group"
    conf_line TLS_KEY "$tls_key"
    conf_line TLS_HOST "$tls_host"
} > "$work/interop.conf"
interop_make_initrd "$work/initrd.img" "$work/interop.conf"

# RAM disk plus ~400 MiB for the kernel and initramfs
mem=$(( size_mib + 448 ))
(( mem >= 1024 )) || mem=1024
declare -a qemu
interop_qemu_base qemu "$smp" "$mem" "$logfile" "$work/initrd.img" ""
# restrict=on: the guest can open no connection of its own; only the
# forwarded port reaches it.
fwd="hostfwd=tcp:127.0.0.1:${port}-10.0.2.15:4420"
[[ -z "$port2" ]] || fwd="$fwd,hostfwd=tcp:127.0.0.1:${port2}-10.0.2.15:4421"
qemu+=(-netdev "user,id=n0,net=10.0.2.0/24,restrict=on,$fwd"
       -device "virtio-net-pci,netdev=n0,romfile=")
# the control line: the guest's ttyS1, a TCP server on the machine's loopback only
[[ -z "$control_port" ]] || qemu+=(-chardev "socket,id=ctl,host=127.0.0.1,port=$control_port,server=on,wait=off"
                                   -serial chardev:ctl)
if (( timeout_s > 0 )); then
    qemu=(timeout -k 5 "$timeout_s" setpriv --pdeathsig KILL -- "${qemu[@]}")
fi

# a guest kernel that panics before /init is booted again, twice at most (interop_boot_again)
for boot in 1 2 3; do
    log "booting Linux target VM (kernel $INTEROP_KVER) on 127.0.0.1:$port${port2:+ and :$port2} nqn=$nqn size=${size_mib}MiB; log $logfile"
    start=$SECONDS
    ( with_pdeathsig "${qemu[@]}" ) </dev/null &
    qpid=$!
    if [[ -n "$pidfile" ]]; then
        mkdir -p "$(dirname "$pidfile")"
        echo "$qpid" > "$pidfile"
    fi

    # Wait for the guest to report READY (or failure).
    ready=0
    while (( SECONDS - start < boot_timeout )); do
        if ! kill -0 "$qpid" 2>/dev/null; then
            break
        fi
        if grep -q '^INTEROP TARGET FAIL' "$logfile" 2>/dev/null; then
            break
        fi
        if grep -q '^INTEROP TARGET READY' "$logfile" 2>/dev/null; then
            ready=1
            break
        fi
        sleep 0.5
    done
    if (( ! ready )) && ! kill -0 "$qpid" 2>/dev/null && interop_boot_again "$logfile" "$boot"; then
        wait "$qpid" 2>/dev/null || true
        continue
    fi
    break
done
if (( ! ready )); then
    log "target did not become ready after $((SECONDS - start)) s; last lines of $logfile:"
    tr -d '\r' < "$logfile" | tail -n 40 | sed 's/^/  /' >&2
    exit 3
fi
tr -d '\r' < "$logfile" | grep -E '^INTEROP TARGET (INFO|READY)' || true
log "ready after $((SECONDS - start)) s (qemu pid $qpid); stop with SIGTERM or Ctrl-C"

set +e
wait "$qpid"
qrc=$?
set -e
qpid=""
if (( qrc == 124 )); then
    log "--timeout of $timeout_s s reached; VM stopped"
    exit 0
fi
log "the VM exited on its own (status $qrc); last lines of $logfile:"
tr -d '\r' < "$logfile" | tail -n 20 | sed 's/^/  /' >&2
exit 3
