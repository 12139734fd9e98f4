#!/usr/bin/env bash
# Prepares everything the Linux interop VMs need: Debian packages, an
# unpacked (not installed) Debian kernel, and a base initramfs with busybox,
# the NVMe/TCP host+target modules and nvme-cli. Idempotent: cached work is
# skipped. Cache: ${NVMEOF4J_INTEROP_CACHE:-$HOME/.cache/nvmeof4j-interop}.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<EOF
Usage: $interop_prog [--force] [--refresh-kernel] [--help]

Installs qemu-system-x86, busybox-static, nvme-cli, kmod, cpio (apt-get, needs
root when something is missing), downloads and unpacks the Debian kernel that
linux-image-amd64 depends on, and builds the base initramfs.

  --force           rebuild the base initramfs even if it is up to date
  --refresh-kernel  ask apt again which kernel linux-image-amd64 depends on
                    (default: keep the kernel already cached)

Cache directory: $INTEROP_CACHE  (set NVMEOF4J_INTEROP_CACHE to change)
Override the kernel package with NVMEOF4J_INTEROP_KERNEL_PKG=linux-image-X.
EOF
}

force=0
refresh=0
while (( $# )); do
    case "$1" in
        --force) force=1 ;;
        --refresh-kernel) refresh=1 ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" 2 ;;
    esac
    shift
done

# Modules the guests load (plus whatever they depend on). Optional ones are
# skipped when the kernel does not have them.
REQUIRED_MODULES=(virtio_pci virtio_net configfs crc32c_generic nvme-core nvme-fabrics nvme-tcp nvmet nvmet-tcp brd)
OPTIONAL_MODULES=(crc32c-intel libcrc32c)
PACKAGES=(qemu-system-x86 busybox-static nvme-cli kmod cpio gzip util-linux coreutils)

mkdir -p "$INTEROP_CACHE"
exec 9>"$INTEROP_CACHE/.setup.lock"
flock -w 900 9 || die "another setup.sh holds $INTEROP_CACHE/.setup.lock"

apt_updated=0
apt_update_once() {
    if (( ! apt_updated )); then
        log "apt-get update"
        apt-get update -q >&2
        apt_updated=1
    fi
}

# ---- 1. Debian packages ----------------------------------------------------
missing=()
for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
if (( ${#missing[@]} )); then
    (( EUID == 0 )) || die "missing packages (${missing[*]}); run this script as root"
    apt_update_once
    log "apt-get install ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
else
    log "packages already installed"
fi
for c in qemu-system-x86_64 busybox nvme depmod modprobe cpio gzip dpkg-deb; do
    command -v "$c" >/dev/null || die "$c not found after installing packages"
done
BUSYBOX="$(command -v busybox)"
NVME="$(command -v nvme)"

# ---- 2. the kernel ---------------------------------------------------------
kpkg="${NVMEOF4J_INTEROP_KERNEL_PKG:-}"
if [[ -z "$kpkg" && $refresh -eq 0 && -r "$INTEROP_ENV_FILE" ]]; then
    # keep the cached kernel, as long as it is still unpacked
    kpkg="$(sed -n "s/^INTEROP_KERNEL_PKG='\(.*\)'$/\1/p" "$INTEROP_ENV_FILE")"
    [[ -e "$INTEROP_CACHE/kernel/${kpkg#linux-image-}/.complete" ]] || kpkg=""
fi
if [[ -z "$kpkg" ]]; then
    kpkg="$(apt-cache depends linux-image-amd64 2>/dev/null | awk '$1=="Depends:" && $2 ~ /^linux-image-/ {print $2; exit}')"
    if [[ -z "$kpkg" ]]; then
        apt_update_once
        kpkg="$(apt-cache depends linux-image-amd64 | awk '$1=="Depends:" && $2 ~ /^linux-image-/ {print $2; exit}')"
    fi
fi
[[ "$kpkg" =~ ^linux-image-[0-9][A-Za-z0-9.+-]*$ ]] || die "cannot determine the kernel package (got '$kpkg')"
KVER="${kpkg#linux-image-}"
log "kernel package $kpkg (KVER $KVER)"

debdir="$INTEROP_CACHE/debs"
mkdir -p "$debdir"
kroot="$INTEROP_CACHE/kernel/$KVER"
deb="$(ls -1 "$debdir/${kpkg}_"*.deb 2>/dev/null | tail -n 1 || true)"
if [[ -e "$kroot/.complete" ]]; then
    :
elif [[ -z "$deb" ]]; then
    log "apt-get download $kpkg"
    dl_opts=()
    (( EUID == 0 )) && dl_opts=(-o APT::Sandbox::User=root)
    if ! ( cd "$debdir" && apt-get download -q "${dl_opts[@]}" "$kpkg" >&2 ); then
        apt_update_once
        ( cd "$debdir" && apt-get download -q "${dl_opts[@]}" "$kpkg" >&2 )
    fi
    deb="$(ls -1 "$debdir/${kpkg}_"*.deb | tail -n 1)"
else
    log "kernel package already downloaded: $(basename "$deb")"
fi

if [[ ! -e "$kroot/.complete" ]]; then
    log "unpacking $(basename "$deb") into $kroot"
    rm -rf "$kroot" "$kroot.tmp"
    mkdir -p "$kroot.tmp"
    dpkg-deb -x "$deb" "$kroot.tmp"
    depmod -b "$kroot.tmp" "$KVER"
    mv "$kroot.tmp" "$kroot"
    touch "$kroot/.complete"
else
    log "kernel already unpacked in $kroot"
fi
VMLINUZ="$kroot/boot/vmlinuz-$KVER"
[[ -r "$VMLINUZ" ]] || die "no $VMLINUZ in $deb"
kmoddir="$kroot/lib/modules/$KVER"
[[ -d "$kmoddir" ]] || die "no modules directory $kmoddir"

# ---- 3. the base initramfs -------------------------------------------------
initdir="$INTEROP_CACHE/initramfs/$KVER"
BASE="$initdir/base.cpio.gz"
mkdir -p "$initdir"
fingerprint="$( { cat "${BASH_SOURCE[0]}"; echo "$KVER"; printf '%s\n' "${REQUIRED_MODULES[@]}" "${OPTIONAL_MODULES[@]}";
                  sha256sum "$BUSYBOX" "$NVME"; } | sha256sum | cut -d' ' -f1)"
if (( force == 0 )) && [[ -r "$BASE" && -r "$initdir/fingerprint" && "$(cat "$initdir/fingerprint")" == "$fingerprint" ]]; then
    log "base initramfs up to date: $BASE"
else
    log "building base initramfs $BASE"
    root="$(mktemp -d "$initdir/build.XXXXXX")"
    trap 'rm -rf "$root"' EXIT
    mkdir -p "$root"/{bin,dev,proc,sys,tmp,run,etc/nvme,mnt,root,usr/sbin,lib64} "$root/lib/modules/$KVER"
    ln -s bin "$root/sbin"
    ln -s ../bin "$root/usr/bin"

    # busybox as the shell and every tool; the applet links are made here so
    # that the kernel's request_module (/sbin/modprobe) works at once.
    install -m 0755 "$BUSYBOX" "$root/bin/busybox"
    for applet in $("$BUSYBOX" --list); do
        [[ "$applet" == busybox || "$applet" == */* ]] && continue
        ln -sf busybox "$root/bin/$applet"
    done
    if (( EUID == 0 )); then
        mknod -m 600 "$root/dev/console" c 5 1
        mknod -m 666 "$root/dev/null" c 1 3
    fi

    # kernel modules with their dependencies, at the same relative paths
    : > "$root/etc/interop-modules"
    add_module() { # MOD REQUIRED(0/1)
        local mod="$1" req="$2" out line path rel
        if ! out="$(modprobe -d "$kroot" -S "$KVER" --show-depends "$mod" 2>&1)"; then
            (( req )) && die "module $mod not found in $KVER: $out"
            log "optional module $mod not available; skipped"
            return 0
        fi
        while read -r line; do
            case "$line" in
                insmod\ *)
                    path="$(awk '{print $2}' <<<"$line")"
                    rel="${path#"$kmoddir"/}"
                    [[ "$rel" != "$path" ]] || die "unexpected module path $path"
                    mkdir -p "$root/lib/modules/$KVER/$(dirname "$rel")"
                    cp -f "$path" "$root/lib/modules/$KVER/$rel"
                    ;;
                builtin\ *) ;;
                *) log "modprobe --show-depends $mod: $line" ;;
            esac
        done <<<"$out"
        if grep -q '^insmod ' <<<"$out"; then
            echo "$mod" >> "$root/etc/interop-modules"
        fi
    }
    for m in "${REQUIRED_MODULES[@]}"; do add_module "$m" 1; done
    for m in "${OPTIONAL_MODULES[@]}"; do add_module "$m" 0; done
    for f in modules.builtin modules.builtin.modinfo modules.order; do
        [[ -r "$kmoddir/$f" ]] && cp "$kmoddir/$f" "$root/lib/modules/$KVER/"
    done
    depmod -b "$root" "$KVER"
    [[ -s "$root/lib/modules/$KVER/modules.dep" ]] || die "depmod produced no modules.dep"

    # nvme-cli and the shared libraries it needs, at the paths ldd names
    install -m 0755 "$NVME" "$root/usr/sbin/nvme"
    ldd "$NVME" | awk '/=> \// {print $3} /^[[:space:]]*\/[^ ]+ \(/ {print $1}' | sort -u |
    while read -r lib; do
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
    done
    [[ -e "$root/lib64/ld-linux-x86-64.so.2" ]] || die "ld-linux-x86-64.so.2 was not copied"
    echo "$KVER" > "$root/etc/interop-kver"

    ( cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 ) | gzip -6 > "$BASE.tmp"
    mv "$BASE.tmp" "$BASE"
    echo "$fingerprint" > "$initdir/fingerprint"
    rm -rf "$root"
    trap - EXIT
    log "base initramfs: $BASE ($(du -h "$BASE" | cut -f1))"
fi

# ---- 4. what the run scripts read -------------------------------------------
{
    echo "# written by interop/setup.sh"
    echo "INTEROP_KERNEL_PKG='$kpkg'"
    echo "INTEROP_KVER='$KVER'"
    echo "INTEROP_VMLINUZ='$VMLINUZ'"
    echo "INTEROP_BASE_INITRD='$BASE'"
} > "$INTEROP_ENV_FILE.tmp"
mv "$INTEROP_ENV_FILE.tmp" "$INTEROP_ENV_FILE"
log "ready: kernel $KVER, $INTEROP_ENV_FILE"
