# shellcheck shell=bash
# Shared helpers for the nvmeof4j Linux-kernel interop scripts.
# Sourced by setup.sh, linux-host.sh and linux-target.sh; not run directly.

INTEROP_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
INTEROP_CACHE="${NVMEOF4J_INTEROP_CACHE:-${HOME:-/root}/.cache/nvmeof4j-interop}"
# The guest kernel: INTEROP_KERNEL=6.1 (default, Debian 12's) or 6.12 (Debian
# 13's, with nvme-cli 2.13, tlshd and the TLS / DH-HMAC-CHAP modules).
# The run scripts' --kernel K sets it too (interop_select_kernel).
INTEROP_KERNEL="${INTEROP_KERNEL:-6.1}"
interop_select_kernel() {
    case "$1" in
        6.1) INTEROP_ENV_FILE="$INTEROP_CACHE/current.env" ;;
        6.12) INTEROP_ENV_FILE="$INTEROP_CACHE/current-6.12.env" ;;
        *) printf '%s: error: the kernel must be 6.1 or 6.12 (INTEROP_KERNEL or --kernel; got %s)\n' \
               "$(basename "$0")" "$1" >&2; exit 2 ;;
    esac
    INTEROP_KERNEL="$1"
}
interop_select_kernel "$INTEROP_KERNEL"

# The host's default NQN and ID (nvme-cli and the kernel both accept it).
INTEROP_DEFAULT_HOSTNQN="nqn.2014-08.org.nvmexpress:uuid:6e766d65-6f66-3466-8a00-696e7465726f"

interop_prog="$(basename "$0")"

log() { printf '%s: %s\n' "$interop_prog" "$*" >&2; }
die() { printf '%s: error: %s\n' "$interop_prog" "$1" >&2; exit "${2:-1}"; }

# Loads current.env (6.1) or current-6.12.env (written by setup.sh); runs
# setup.sh --kernel $INTEROP_KERNEL first when it is missing or points at
# files that are gone.
interop_load_env() {
    if [[ ! -r "$INTEROP_ENV_FILE" ]]; then
        log "no cached $INTEROP_KERNEL kernel/initramfs in $INTEROP_CACHE; running setup.sh --kernel $INTEROP_KERNEL"
        "$INTEROP_DIR/setup.sh" --kernel "$INTEROP_KERNEL" >&2 || die "setup.sh failed" 4
    fi
    # shellcheck disable=SC1090
    . "$INTEROP_ENV_FILE"
    if [[ ! -r "${INTEROP_VMLINUZ:-}" || ! -r "${INTEROP_BASE_INITRD:-}" ]]; then
        log "cache is incomplete; running setup.sh --kernel $INTEROP_KERNEL"
        "$INTEROP_DIR/setup.sh" --kernel "$INTEROP_KERNEL" >&2 || die "setup.sh failed" 4
        # shellcheck disable=SC1090
        . "$INTEROP_ENV_FILE"
    fi
    command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found; run interop/setup.sh" 4
}

# interop_default_log NAME: prints a new log path under the cache's logs/
# (and drops logs older than 7 days there).
interop_default_log() {
    mkdir -p "$INTEROP_CACHE/logs"
    find "$INTEROP_CACHE/logs" -mindepth 1 -maxdepth 2 -mtime +7 -delete 2>/dev/null || true
    printf '%s/logs/%s-%s-%s.log\n' "$INTEROP_CACHE" "$1" "$(date +%Y%m%d-%H%M%S)" "$$"
}

# Validation helpers for values that end up in the guest's shell config and
# in the kernel's comma-separated fabrics option string.
is_uint() { [[ "$1" =~ ^(0|[1-9][0-9]{0,8})$ ]]; }
valid_port() { is_uint "$1" && (( $1 >= 1 && $1 <= 65535 )); }
valid_nqn() { [[ "$1" =~ ^[A-Za-z0-9._:+@/-]+$ ]] && (( ${#1} <= 223 )); }

# Prints NAME='VALUE' for the guest's /etc/interop.conf (values are already
# validated to contain no quote characters).
conf_line() { printf "%s='%s'\n" "$1" "$2"; }

# interop_make_initrd OUT CONF_FILE
# Writes OUT = base initramfs + a second cpio holding /init (the guest script
# from this repo) and /etc/interop.conf. The kernel unpacks both archives.
interop_make_initrd() {
    local out="$1" conf="$2" tmp
    tmp="$(mktemp -d "${TMPDIR:-/tmp}/nvmeof4j-interop-run.XXXXXX")"
    mkdir -p "$tmp/etc/nvme"
    install -m 0755 "$INTEROP_DIR/guest/init.sh" "$tmp/init"
    install -m 0644 "$conf" "$tmp/etc/interop.conf"
    # ChaCha20-Poly1305 for kTLS (the 6.12 guest only): tlshd (GnuTLS 3.8.9) negotiates it for a SHA-384 PSK,
    # and the base initramfs has no such module. Plain .ko files under extra/, numbered in load order; the guest
    # insmods them. Taken from the cached kernel package, so no setup rerun is needed.
    local kmod="${INTEROP_VMLINUZ%/boot/*}/usr/lib/modules/${INTEROP_KVER:-}" i=1 m
    [[ -d "$kmod" ]] || kmod="${INTEROP_VMLINUZ%/boot/*}/lib/modules/${INTEROP_KVER:-}"
    if [[ "${INTEROP_KERNEL_SERIES:-}" == 6.12 && -d "$kmod" ]]; then
        mkdir -p "$tmp/lib/modules/$INTEROP_KVER/extra"
        for m in lib/crypto/libchacha lib/crypto/libpoly1305 crypto/chacha_generic crypto/poly1305_generic \
                 crypto/chacha20poly1305; do
            if [[ -r "$kmod/kernel/$m.ko.xz" ]]; then
                xz -dc "$kmod/kernel/$m.ko.xz" > "$tmp/lib/modules/$INTEROP_KVER/extra/$i-${m##*/}.ko"
            elif [[ -r "$kmod/kernel/$m.ko" ]]; then
                cp "$kmod/kernel/$m.ko" "$tmp/lib/modules/$INTEROP_KVER/extra/$i-${m##*/}.ko"
            fi
            i=$((i + 1))
        done
    fi
    ( cd "$tmp" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 ) > "$tmp.cpio"
    # The kernel looks for the next archive only at a 4-byte aligned offset
    # (zero bytes in between are skipped), so pad the gzip'ed base archive.
    local n
    n="$(stat -c %s "$INTEROP_BASE_INITRD")"
    { cat "$INTEROP_BASE_INITRD"; head -c $(( (512 - n % 512) % 512 )) /dev/zero; cat "$tmp.cpio"; } > "$out"
    rm -rf "$tmp" "$tmp.cpio"
}

# Fills array ARRAYNAME with the QEMU command line both VMs share (the
# caller adds -netdev/-device).
# Usage: interop_qemu_base ARRAYNAME SMP MEM_MIB SERIAL_LOG INITRD EXTRA_APPEND
interop_qemu_base() {
    local -n _arr="$1"
    local smp="$2" mem="$3" serial_log="$4" initrd="$5" append="$6"
    _arr=(qemu-system-x86_64
        -accel tcg -cpu max -smp "$smp" -m "$mem"
        -nodefaults -no-user-config -display none -no-reboot
        -kernel "$INTEROP_VMLINUZ" -initrd "$initrd"
        -append "console=ttyS0 panic=-1 quiet $append"
        -serial "file:$serial_log")
}

# Whether to boot a guest again: true, after keeping its serial log as SERIAL_LOG.bootN and emptying it, when
# boot BOOT (of 3) panicked before its /init printed a line. TCG occasionally oopses while the kernel patches its
# own text during early boot (seen: "Oops: int3" in sched_clock_cpu, a bad jump in run_timer_softirq, each followed
# by "Kernel panic"); nothing has reached a peer by then. A guest whose /init started is never rerun.
# Usage: interop_boot_again SERIAL_LOG BOOT
interop_boot_again() {
    local log="$1" boot="$2"
    (( boot < 3 )) && ! tr -d '\r' < "$log" | grep -q '^interop-guest:' && grep -q 'Kernel panic' "$log" || return 1
    log "the guest kernel panicked before /init (boot $boot of 3, a TCG boot flake): booting again"
    cp "$log" "$log.boot$boot"
    : > "$log"
}

# Runs "$@" so that it is killed when this shell dies, even by SIGKILL.
with_pdeathsig() {
    if command -v setpriv >/dev/null 2>&1; then
        exec setpriv --pdeathsig KILL -- "$@"
    fi
    exec "$@"
}

# Sets array `cli` to the nvmeof4j CLI: `java -cp $NVMEOF4J_CLI_CLASSPATH ...`
# when that is set (the JUnit tests do), else ./nvmeof4j, whose jar is built
# now if needed so that a later start does not wait for Maven. Dies with 4 if
# the CLI does not start. Usage: interop_cli WORKDIR
interop_cli() {
    local work="$1"
    if [[ -n "${NVMEOF4J_CLI_CLASSPATH:-}" ]]; then
        # shellcheck disable=SC2206
        cli=(java ${NVMEOF4J_JAVA_OPTS:-} -cp "$NVMEOF4J_CLI_CLASSPATH" org.nvmeof4j.cli.Nvmeof4j)
    else
        cli=("$(cd "$INTEROP_DIR/.." && pwd)/nvmeof4j")
        "${cli[@]}" --version > "$work/cli-version.txt" 2>&1 \
            || { cat "$work/cli-version.txt" >&2; die "nvmeof4j does not start" 4; }
    fi
}

# Runs COMMAND... (an `nvmeof4j target --listen 127.0.0.1 --port 0 ...`) in
# the background with its output in LOG, and waits up to 60 s for its
# "listening" line. Sets target_pid and port; dies with 4 (and shows LOG) if
# the target does not start. Usage: interop_start_target LOG COMMAND...
interop_start_target() {
    local log="$1"; shift
    : > "$log"
    "$@" > "$log" 2>&1 &
    target_pid=$!
    port=""
    for _ in $(seq 1 600); do
        port="$(sed -n 's/^nvmeof4j target: listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$log")"
        [[ -n "$port" ]] && return 0
        kill -0 "$target_pid" 2>/dev/null || break
        sleep 0.1
    done
    cat "$log" >&2
    die "nvmeof4j target did not start" 4
}
