#!/usr/bin/env bash
# Boots the 6.12 guest once and checks the guest-side tools the TLS and
# DH-HMAC-CHAP interop needs: nvme gen-dhchap-key, gen-tls-key,
# check-tls-key --insert (the PSK lands in the kernel's .nvme keyring), tlshd
# starts, nvmet configfs takes dhchap_key/hash/dhgroup on a host and
# addr_tsas=tls1.3 on a port. Prints INTEROP PASS|FAIL lines and a SUMMARY;
# exits 0 only if every check passed, 3 without a summary.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
[[ "${1:-}" == -h || "${1:-}" == --help ]] && { sed -n 2,8p "$0"; exit 0; }
interop_select_kernel 6.12
interop_load_env
work="$(mktemp -d "${TMPDIR:-/tmp}/nvmeof4j-security.XXXXXX")"
trap 'rm -rf "$work"' EXIT
logfile="$(interop_default_log linux-security)"
conf_line MODE security > "$work/interop.conf"
interop_make_initrd "$work/initrd.img" "$work/interop.conf"
declare -a qemu
interop_qemu_base qemu 1 1024 "$logfile" "$work/initrd.img" ""
qemu+=(-netdev "user,id=n0,net=10.0.2.0/24,restrict=on" -device "virtio-net-pci,netdev=n0,romfile=")
# a guest kernel that panics before /init is booted again, twice at most (interop_boot_again)
for boot in 1 2 3; do
    log "booting the 6.12 guest (kernel $INTEROP_KVER); log $logfile"
    timeout -k 5 180 setpriv --pdeathsig KILL -- "${qemu[@]}" </dev/null || true
    interop_boot_again "$logfile" "$boot" || break
done
tr -d '\r' < "$logfile" | grep -E '^INTEROP (PASS|FAIL|INFO|SUMMARY)' || true
summary="$(tr -d '\r' < "$logfile" | grep -E '^INTEROP SUMMARY passed=[0-9]+ failed=[0-9]+$' | tail -n 1 || true)"
[[ -n "$summary" ]] || { tr -d '\r' < "$logfile" | tail -n 30 >&2; exit 3; }
[[ "${summary##*failed=}" == 0 ]]
