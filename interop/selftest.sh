#!/usr/bin/env bash
# Proves the harness without any Java code: the Linux host (VM #2) against the
# Linux target (VM #1), through this machine's 127.0.0.1:PORT, in three
# configurations (default; header+data digests; 2 I/O queues of depth 64).
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<EOF
Usage: $interop_prog [--port PORT] [--log-dir DIR]

Starts linux-target.sh on 127.0.0.1:PORT (default 14420), waits for
"INTEROP TARGET READY", then runs linux-host.sh against it three times:
  1. default options
  2. --hdr-digest --data-digest
  3. --nr-io-queues 2 --queue-size 64
and stops the target. Exits 0 only if every host run passed.
Logs go to DIR (default: a new folder under $INTEROP_CACHE/logs).
EOF
}

port=14420 logdir=""
while (( $# )); do
    case "$1" in
        --port) (( $# >= 2 )) || die "--port needs a value" 2; port="$2"; shift ;;
        --log-dir) (( $# >= 2 )) || die "--log-dir needs a value" 2; logdir="$2"; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" 2 ;;
    esac
    shift
done
valid_port "$port" || die "bad --port '$port'" 2
interop_load_env
[[ -n "$logdir" ]] || logdir="$INTEROP_CACHE/logs/selftest-$(date +%Y%m%d-%H%M%S)-$$"
mkdir -p "$logdir"

nqn="nqn.2024-01.io.nvmeof4j:interop-selftest"
tpid=""
stop_target() {
    if [[ -n "$tpid" ]]; then
        kill -TERM "$tpid" 2>/dev/null || true
        wait "$tpid" 2>/dev/null || true
        tpid=""
    fi
}
trap stop_target EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "starting the Linux target on 127.0.0.1:$port (logs in $logdir)"
t0=$SECONDS
"$INTEROP_DIR/linux-target.sh" --port "$port" --nqn "$nqn" --size-mib 64 \
    --log "$logdir/target-console.log" --pidfile "$logdir/target-qemu.pid" \
    --timeout 1200 > "$logdir/target.out" 2> "$logdir/target.err" &
tpid=$!
while ! grep -q '^INTEROP TARGET READY' "$logdir/target.out" 2>/dev/null; do
    if ! kill -0 "$tpid" 2>/dev/null; then
        cat "$logdir/target.err" >&2
        die "the Linux target did not start" 3
    fi
    sleep 0.5
done
log "target ready after $((SECONDS - t0)) s"

overall=0
run() { # NAME ARGS...
    local name="$1" t rc
    shift
    t=$SECONDS
    log "host run '$name': linux-host.sh --port $port --nqn $nqn $*"
    set +e
    "$INTEROP_DIR/linux-host.sh" --port "$port" --nqn "$nqn" --log "$logdir/host-$name-console.log" "$@" \
        | grep -E '^INTEROP (PASS|FAIL|SUMMARY)' | sed "s/^/[$name] /"
    rc=${PIPESTATUS[0]}
    set -e
    log "host run '$name': exit $rc in $((SECONDS - t)) s"
    (( rc == 0 )) || overall=1
}
run default
run digests --hdr-digest --data-digest
run queues --nr-io-queues 2 --queue-size 64
stop_target
if (( overall == 0 )); then
    log "all Linux<->Linux runs passed in $((SECONDS - t0)) s"
else
    log "some Linux<->Linux runs FAILED; logs in $logdir"
fi
exit "$overall"
