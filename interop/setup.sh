#!/usr/bin/env bash
# Prepares everything the Linux interop VMs need: Debian packages, an
# unpacked (not installed) Debian kernel, and a base initramfs with busybox,
# the NVMe/TCP host+target modules and nvme-cli. Two guest kernels:
#  6.1  Debian 12's kernel, with the machine's own nvme-cli (2.3);
#  6.12 Debian 13's kernel, nvme-cli 2.13 and ktls-utils (tlshd), fetched
#       through a private apt configuration (the machine's apt sources and
#       package state are never touched) and never installed.
# Idempotent: cached work is skipped.
# Cache: ${NVMEOF4J_INTEROP_CACHE:-$HOME/.cache/nvmeof4j-interop}.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<EOF
Usage: $interop_prog [--kernel 6.1|6.12|all] [--force] [--refresh-kernel] [--help]

Installs qemu-system-x86, busybox-static, nvme-cli, kmod, cpio, xz-utils
(apt-get, needs root when something is missing), downloads and unpacks the
Debian kernels and builds one base initramfs per kernel:

  6.1   the kernel that Debian 12's linux-image-amd64 depends on, with the
        machine's nvme-cli; its settings go to current.env
  6.12  the kernel that Debian 13's (trixie) linux-image-amd64 depends on,
        with trixie's nvme-cli (2.13), libnvme and ktls-utils (tlshd) and the
        modules for TLS and DH-HMAC-CHAP; downloaded with a private apt
        configuration under the cache (apt-trixie/); settings in
        current-6.12.env

  --kernel K        prepare only kernel K (default: all)
  --force           rebuild the base initramfs even if it is up to date
  --refresh-kernel  ask apt again which kernel linux-image-amd64 depends on
                    (and, for 6.12, fetch trixie's nvme-cli/ktls-utils again)
                    (default: keep what is already cached)

Cache directory: $INTEROP_CACHE  (set NVMEOF4J_INTEROP_CACHE to change)
Override the kernel package with NVMEOF4J_INTEROP_KERNEL_PKG=linux-image-X
(6.1) or NVMEOF4J_INTEROP_612_KERNEL_PKG=linux-image-X (6.12, from trixie).
Debian 13 mirror: NVMEOF4J_INTEROP_TRIXIE_MIRROR (default
http://deb.debian.org/debian) and NVMEOF4J_INTEROP_TRIXIE_SECURITY_MIRROR
(default http://deb.debian.org/debian-security).
EOF
}

force=0
refresh=0
kernels=all
while (( $# )); do
    case "$1" in
        --kernel)
            (( $# >= 2 )) || { usage >&2; die "--kernel needs a value" 2; }
            case "$2" in 6.1|6.12|all) kernels="$2" ;; *) usage >&2; die "bad --kernel '$2' (6.1, 6.12 or all)" 2 ;; esac
            shift ;;
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
# tshark (with dumpcap) for the capture checks: WiresharkInteropTest installs it itself, TlsCaptureInteropTest
# skips without it, so it is installed here for whichever of them runs first (noninteractive: no setuid capture)
PACKAGES=(qemu-system-x86 busybox-static nvme-cli kmod cpio gzip xz-utils util-linux coreutils tshark)
# 6.12 also gets what TLS and DH-HMAC-CHAP need; the crypto ones are
# optional because Debian builds some of them in.
REQUIRED_MODULES_612=(nvme-auth nvme-keyring tls)
OPTIONAL_MODULES_612=(gcm ghash-generic ghash-clmulni-intel aesni-intel crypto_simd cryptd ctr dh_generic hmac
                      sha256_generic sha512_generic sha256-ssse3 sha512-ssse3)
# trixie packages unpacked for the 6.12 guest (plus their dependencies)
TRIXIE_PACKAGES=(nvme-cli ktls-utils)

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
for c in qemu-system-x86_64 busybox nvme depmod modprobe cpio gzip xz dpkg-deb; do
    command -v "$c" >/dev/null || die "$c not found after installing packages"
done
BUSYBOX="$(command -v busybox)"
NVME="$(command -v nvme)"

# ---- shared helpers for both kernels ---------------------------------------

# The private apt configuration for Debian 13 (trixie): its own sources,
# lists, package state (empty: nothing is "installed") and archive cache under
# the interop cache; no file of the machine's /etc/apt is read.
TRIXIE_APT="$INTEROP_CACHE/apt-trixie"
TRIXIE_DEBS="$INTEROP_CACHE/debs-trixie"
TRIXIE_MIRROR="${NVMEOF4J_INTEROP_TRIXIE_MIRROR:-http://deb.debian.org/debian}"
TRIXIE_SECURITY_MIRROR="${NVMEOF4J_INTEROP_TRIXIE_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
DEBIAN_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
trixie_apt_config() {
    local a="$TRIXIE_APT"
    [[ -r "$DEBIAN_KEYRING" ]] || die "no $DEBIAN_KEYRING (install debian-archive-keyring)"
    mkdir -p "$a"/{apt.conf.d,sources.list.d,preferences.d,trusted.gpg.d,state/lists/partial,cache,log} \
             "$TRIXIE_DEBS/partial"
    : > "$a/apt.conf.main"
    [[ -e "$a/state/status" ]] || : > "$a/state/status"
    [[ -e "$a/preferences" ]] || : > "$a/preferences"
    {
        echo "deb [signed-by=$DEBIAN_KEYRING] $TRIXIE_MIRROR trixie main"
        echo "deb [signed-by=$DEBIAN_KEYRING] $TRIXIE_MIRROR trixie-updates main"
        echo "deb [signed-by=$DEBIAN_KEYRING] $TRIXIE_SECURITY_MIRROR trixie-security main"
    } > "$a/sources.list"
    {
        echo "Dir::Etc::main \"$a/apt.conf.main\";"
        echo "Dir::Etc::parts \"$a/apt.conf.d\";"
        echo "Dir::Etc::sourcelist \"$a/sources.list\";"
        echo "Dir::Etc::sourceparts \"$a/sources.list.d\";"
        echo "Dir::Etc::preferences \"$a/preferences\";"
        echo "Dir::Etc::preferencesparts \"$a/preferences.d\";"
        echo "Dir::Etc::trusted \"$a/trusted.gpg\";"
        echo "Dir::Etc::trustedparts \"$a/trusted.gpg.d\";"
        echo "Dir::State \"$a/state\";"
        echo "Dir::State::lists \"$a/state/lists\";"
        echo "Dir::State::status \"$a/state/status\";"
        echo "Dir::Cache \"$a/cache\";"
        echo "Dir::Cache::archives \"$TRIXIE_DEBS\";"
        echo "Dir::Log \"$a/log\";"
        echo "APT::Architecture \"amd64\";"
        echo "APT::Architectures { \"amd64\"; };"
        echo "Acquire::Languages \"none\";"
        echo "APT::Install-Recommends \"false\";"
        echo "APT::Install-Suggests \"false\";"
        (( EUID == 0 )) && echo "APT::Sandbox::User \"root\";"
    } > "$a/apt.conf"
}
trixie_apt_get() { APT_CONFIG="$TRIXIE_APT/apt.conf" apt-get "$@"; }
trixie_apt_cache() { APT_CONFIG="$TRIXIE_APT/apt.conf" apt-cache "$@"; }
trixie_updated=0
trixie_update_once() {
    if (( ! trixie_updated )); then
        trixie_apt_config
        log "apt-get update (private configuration $TRIXIE_APT: Debian 13 trixie)"
        trixie_apt_get update -q >&2 || die "apt-get update of trixie failed (mirror $TRIXIE_MIRROR)"
        trixie_updated=1
    fi
}
host_apt_get() { apt-get "$@"; }

# add_module ROOT KROOT KVER MOD REQUIRED(0/1): copies the .ko files MOD needs
# (itself and its dependencies) from the unpacked kernel KROOT into the
# initramfs ROOT at the same relative paths, decompressed (busybox modprobe
# reads plain .ko files), and lists MOD in ROOT/etc/interop-modules, which the
# guest loads in that order.
add_module() {
    local root="$1" kroot="$2" kver="$3" mod="$4" req="$5" out line path rel dst
    local kmoddir="$kroot/lib/modules/$kver"
    if ! out="$(modprobe -d "$kroot" -S "$kver" --show-depends "$mod" 2>&1)"; then
        (( req )) && die "module $mod not found in $kver: $out"
        log "optional module $mod not available in $kver; skipped"
        return 0
    fi
    while read -r line; do
        case "$line" in
            insmod\ *)
                path="$(awk '{print $2}' <<<"$line")"
                rel="${path#"$kmoddir"/}"
                [[ "$rel" != "$path" ]] || die "unexpected module path $path"
                dst="$root/lib/modules/$kver/$rel"
                mkdir -p "$(dirname "$dst")"
                case "$rel" in
                    *.ko.xz) xz -dc "$path" > "${dst%.xz}" ;;
                    *.ko.gz) gzip -dc "$path" > "${dst%.gz}" ;;
                    *.ko.zst) command -v zstd >/dev/null || die "$rel is zstd-compressed; install zstd"
                              zstd -q -dc "$path" > "${dst%.zst}" ;;
                    *) cp -f "$path" "$dst" ;;
                esac
                ;;
            builtin\ *) ;;
            *) log "modprobe --show-depends $mod: $line" ;;
        esac
    done <<<"$out"
    if grep -q '^insmod ' <<<"$out" && ! grep -qxF "$mod" "$root/etc/interop-modules"; then
        echo "$mod" >> "$root/etc/interop-modules"
    fi
}

# make_skeleton ROOT KVER: directories, static busybox with its applet links
# (so that the kernel's request_module, /sbin/modprobe, works at once), and
# the device nodes the kernel needs before devtmpfs.
make_skeleton() {
    local root="$1" kver="$2" applet
    mkdir -p "$root"/{bin,dev,proc,sys,tmp,run,etc/nvme,mnt,root,usr/sbin,usr/lib,lib64} "$root/lib/modules/$kver"
    ln -s bin "$root/sbin"
    ln -s ../bin "$root/usr/bin"
    install -m 0755 "$BUSYBOX" "$root/bin/busybox"
    for applet in $("$BUSYBOX" --list); do
        [[ "$applet" == busybox || "$applet" == */* ]] && continue
        ln -sf busybox "$root/bin/$applet"
    done
    if (( EUID == 0 )); then
        mknod -m 600 "$root/dev/console" c 5 1
        mknod -m 666 "$root/dev/null" c 1 3
    fi
    : > "$root/etc/interop-modules"
}

# finish_modules ROOT KROOT KVER: the module index files, and depmod for the
# initramfs root.
finish_modules() {
    local root="$1" kroot="$2" kver="$3" f
    for f in modules.builtin modules.builtin.modinfo modules.order; do
        [[ -r "$kroot/lib/modules/$kver/$f" ]] && cp "$kroot/lib/modules/$kver/$f" "$root/lib/modules/$kver/"
    done
    depmod -b "$root" "$kver"
    [[ -s "$root/lib/modules/$kver/modules.dep" ]] || die "depmod produced no modules.dep"
}

# write_cpio ROOT OUT
write_cpio() {
    ( cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 ) | gzip -6 > "$2.tmp"
    mv "$2.tmp" "$2"
}

# prepare_kernel SERIES KPKG APT_GET_FN: downloads (with APT_GET_FN download)
# and unpacks the kernel package KPKG unless it is cached. Sets KVER, VMLINUZ,
# kroot.
prepare_kernel() {
    local series="$1" kpkg="$2" aptfn="$3" deb dl_opts=()
    [[ "$kpkg" =~ ^linux-image-[0-9][A-Za-z0-9.+-]*$ ]] || die "cannot determine the $series kernel package (got '$kpkg')"
    KVER="${kpkg#linux-image-}"
    log "$series: kernel package $kpkg (KVER $KVER)"
    local debdir="$INTEROP_CACHE/debs"
    mkdir -p "$debdir"
    kroot="$INTEROP_CACHE/kernel/$KVER"
    deb="$(ls -1 "$debdir/${kpkg}_"*.deb 2>/dev/null | tail -n 1 || true)"
    if [[ -e "$kroot/.complete" ]]; then
        :
    elif [[ -z "$deb" ]]; then
        log "$series: apt-get download $kpkg"
        (( EUID == 0 )) && [[ "$aptfn" == host_apt_get ]] && dl_opts=(-o APT::Sandbox::User=root)
        if ! ( cd "$debdir" && "$aptfn" download -q "${dl_opts[@]}" "$kpkg" >&2 ); then
            if [[ "$aptfn" == host_apt_get ]]; then apt_update_once; else trixie_update_once; fi
            ( cd "$debdir" && "$aptfn" download -q "${dl_opts[@]}" "$kpkg" >&2 ) || die "cannot download $kpkg"
        fi
        deb="$(ls -1 "$debdir/${kpkg}_"*.deb | tail -n 1)"
    else
        log "$series: kernel package already downloaded: $(basename "$deb")"
    fi
    if [[ ! -e "$kroot/.complete" ]]; then
        log "$series: unpacking $(basename "$deb") into $kroot"
        rm -rf "$kroot" "$kroot.tmp"
        mkdir -p "$kroot.tmp"
        dpkg-deb -x "$deb" "$kroot.tmp"
        # merged-/usr packages (Debian 13) put the modules in usr/lib/modules
        if [[ ! -e "$kroot.tmp/lib" && -d "$kroot.tmp/usr/lib/modules" ]]; then
            ln -s usr/lib "$kroot.tmp/lib"
        fi
        depmod -b "$kroot.tmp" "$KVER"
        mv "$kroot.tmp" "$kroot"
        touch "$kroot/.complete"
    else
        log "$series: kernel already unpacked in $kroot"
    fi
    VMLINUZ="$kroot/boot/vmlinuz-$KVER"
    [[ -r "$VMLINUZ" ]] || die "no $VMLINUZ in $deb"
    [[ -d "$kroot/lib/modules/$KVER" ]] || die "no modules directory $kroot/lib/modules/$KVER"
}

# cached_pkg ENV_FILE: the kernel package named there, if still unpacked
cached_pkg() {
    local p=""
    [[ -r "$1" ]] && p="$(sed -n "s/^INTEROP_KERNEL_PKG='\(.*\)'$/\1/p" "$1")"
    [[ -n "$p" && -e "$INTEROP_CACHE/kernel/${p#linux-image-}/.complete" ]] && echo "$p"
    return 0
}

# write_env FILE SERIES KPKG KVER VMLINUZ BASE
write_env() {
    {
        echo "# written by interop/setup.sh"
        echo "INTEROP_KERNEL_SERIES='$2'"
        echo "INTEROP_KERNEL_PKG='$3'"
        echo "INTEROP_KVER='$4'"
        echo "INTEROP_VMLINUZ='$5'"
        echo "INTEROP_BASE_INITRD='$6'"
    } > "$1.tmp"
    mv "$1.tmp" "$1"
}

build_root=""
trap '[[ -n "$build_root" ]] && rm -rf "$build_root"' EXIT

# ---- 2. kernel 6.1 (Debian 12) ---------------------------------------------
setup_61() {
    local kpkg="${NVMEOF4J_INTEROP_KERNEL_PKG:-}"
    if [[ -z "$kpkg" && $refresh -eq 0 ]]; then
        kpkg="$(cached_pkg "$INTEROP_ENV_FILE")"
    fi
    if [[ -z "$kpkg" ]]; then
        kpkg="$(apt-cache depends linux-image-amd64 2>/dev/null | awk '$1=="Depends:" && $2 ~ /^linux-image-/ {print $2; exit}')"
        if [[ -z "$kpkg" ]]; then
            apt_update_once
            kpkg="$(apt-cache depends linux-image-amd64 | awk '$1=="Depends:" && $2 ~ /^linux-image-/ {print $2; exit}')"
        fi
    fi
    prepare_kernel 6.1 "$kpkg" host_apt_get

    local initdir="$INTEROP_CACHE/initramfs/$KVER"
    local base="$initdir/base.cpio.gz" fingerprint root
    mkdir -p "$initdir"
    fingerprint="$( { declare -f setup_61 add_module make_skeleton finish_modules; echo "$KVER";
                      printf '%s\n' "${REQUIRED_MODULES[@]}" "${OPTIONAL_MODULES[@]}";
                      sha256sum "$BUSYBOX" "$NVME"; } | sha256sum | cut -d' ' -f1)"
    if (( force == 0 )) && [[ -r "$base" && -r "$initdir/fingerprint" && "$(cat "$initdir/fingerprint")" == "$fingerprint" ]]; then
        log "6.1: base initramfs up to date: $base"
    else
        log "6.1: building base initramfs $base"
        root="$(mktemp -d "$initdir/build.XXXXXX")"
        build_root="$root"
        make_skeleton "$root" "$KVER"
        local m
        for m in "${REQUIRED_MODULES[@]}"; do add_module "$root" "$kroot" "$KVER" "$m" 1; done
        for m in "${OPTIONAL_MODULES[@]}"; do add_module "$root" "$kroot" "$KVER" "$m" 0; done
        finish_modules "$root" "$kroot" "$KVER"

        # the machine's nvme-cli and the shared libraries it needs, at the paths ldd names
        install -m 0755 "$NVME" "$root/usr/sbin/nvme"
        ldd "$NVME" | awk '/=> \// {print $3} /^[[:space:]]*\/[^ ]+ \(/ {print $1}' | sort -u |
        while read -r lib; do
            mkdir -p "$root$(dirname "$lib")"
            cp -L "$lib" "$root$lib"
        done
        [[ -e "$root/lib64/ld-linux-x86-64.so.2" ]] || die "ld-linux-x86-64.so.2 was not copied"
        echo "$KVER" > "$root/etc/interop-kver"
        echo "6.1" > "$root/etc/interop-series"

        write_cpio "$root" "$base"
        echo "$fingerprint" > "$initdir/fingerprint"
        rm -rf "$root"
        build_root=""
        log "6.1: base initramfs: $base ($(du -h "$base" | cut -f1))"
    fi
    write_env "$INTEROP_ENV_FILE" 6.1 "$kpkg" "$KVER" "$VMLINUZ" "$base"
    log "6.1: ready: kernel $KVER, $INTEROP_ENV_FILE"
}

# ---- 3. kernel 6.12 with nvme-cli 2.13 and tlshd (Debian 13) ---------------
# copy_trixie_elf ROOT UROOT PATH: copies UROOT/PATH to ROOT/PATH with every
# shared library trixie's own loader resolves for it inside UROOT (never one
# of this machine's), and the loader itself as /lib64/ld-linux-x86-64.so.2.
copy_trixie_elf() {
    local root="$1" uroot="$2" rel="$3" libdir ld out lib dest
    libdir="$uroot/usr/lib/x86_64-linux-gnu"
    ld="$libdir/ld-linux-x86-64.so.2"
    [[ -x "$ld" ]] || die "no trixie loader $ld"
    [[ -x "$uroot$rel" ]] || die "no $rel in the trixie packages"
    mkdir -p "$root$(dirname "$rel")"
    install -m 0755 "$uroot$rel" "$root$rel"
    out="$("$ld" --library-path "$libdir:$uroot/lib/x86_64-linux-gnu" --list "$uroot$rel")" \
        || die "trixie's loader cannot resolve the libraries of $rel: $out"
    if grep -q 'not found' <<<"$out"; then
        die "libraries of $rel missing from the trixie packages: $(grep 'not found' <<<"$out" | tr '\n' ' ')"
    fi
    while read -r lib; do
        [[ "$lib" == "$uroot"/* ]] || die "$rel resolved $lib outside the trixie packages"
        dest="${lib#"$uroot"}"
        mkdir -p "$root$(dirname "$dest")"
        cp -L "$lib" "$root$dest"
    done < <(awk '$2 == "=>" && $3 ~ /^\// {print $3}' <<<"$out" | sort -u)
    cp -L "$ld" "$root/lib64/ld-linux-x86-64.so.2"
}

setup_612() {
    local kpkg="${NVMEOF4J_INTEROP_612_KERNEL_PKG:-}" env612="$INTEROP_CACHE/current-6.12.env"
    trixie_apt_config
    if [[ -z "$kpkg" && $refresh -eq 0 ]]; then
        kpkg="$(cached_pkg "$env612")"
    fi
    if [[ -z "$kpkg" ]]; then
        trixie_update_once
        kpkg="$(trixie_apt_cache depends linux-image-amd64 | awk '$1=="Depends:" && $2 ~ /^linux-image-/ {print $2; exit}')"
    fi
    [[ "$kpkg" == linux-image-6.12.* ]] || die "trixie's linux-image-amd64 depends on '$kpkg', not a 6.12 kernel; set NVMEOF4J_INTEROP_612_KERNEL_PKG"
    prepare_kernel 6.12 "$kpkg" trixie_apt_get

    # trixie's nvme-cli, ktls-utils and their dependencies, unpacked (never installed)
    local uroot="$INTEROP_CACHE/userland-trixie" stamp
    if (( refresh )) || [[ ! -e "$uroot/.complete" ]]; then
        trixie_update_once
        log "6.12: apt-get --download-only install ${TRIXIE_PACKAGES[*]} (private configuration, empty package state)"
        rm -f "$TRIXIE_DEBS"/*.deb
        trixie_apt_get -q -y --download-only install "${TRIXIE_PACKAGES[@]}" >&2 \
            || die "cannot download ${TRIXIE_PACKAGES[*]} from trixie"
        ls "$TRIXIE_DEBS"/*.deb >/dev/null 2>&1 || die "apt downloaded no package into $TRIXIE_DEBS"
        rm -rf "$uroot" "$uroot.tmp"
        mkdir -p "$uroot.tmp"
        local d
        for d in "$TRIXIE_DEBS"/*.deb; do dpkg-deb -x "$d" "$uroot.tmp"; done
        ( cd "$TRIXIE_DEBS" && ls -1 ./*.deb | sed 's|^\./||' ) > "$uroot.tmp/.debs"
        mv "$uroot.tmp" "$uroot"
        touch "$uroot/.complete"
        log "6.12: unpacked $(wc -l < "$uroot/.debs") trixie packages into $uroot"
    else
        log "6.12: trixie packages already unpacked in $uroot"
    fi
    stamp="$(sha256sum < "$uroot/.debs" | cut -d' ' -f1)"

    local initdir="$INTEROP_CACHE/initramfs/$KVER"
    local base="$initdir/base.cpio.gz" fingerprint root
    mkdir -p "$initdir"
    fingerprint="$( { declare -f setup_612 add_module make_skeleton finish_modules copy_trixie_elf; echo "$KVER $stamp";
                      printf '%s\n' "${REQUIRED_MODULES[@]}" "${OPTIONAL_MODULES[@]}" "${REQUIRED_MODULES_612[@]}" \
                          "${OPTIONAL_MODULES_612[@]}";
                      sha256sum "$BUSYBOX"; } | sha256sum | cut -d' ' -f1)"
    if (( force == 0 )) && [[ -r "$base" && -r "$initdir/fingerprint" && "$(cat "$initdir/fingerprint")" == "$fingerprint" ]]; then
        log "6.12: base initramfs up to date: $base"
    else
        log "6.12: building base initramfs $base"
        root="$(mktemp -d "$initdir/build.XXXXXX")"
        build_root="$root"
        make_skeleton "$root" "$KVER"
        local m
        for m in "${REQUIRED_MODULES[@]}" "${REQUIRED_MODULES_612[@]}"; do add_module "$root" "$kroot" "$KVER" "$m" 1; done
        for m in "${OPTIONAL_MODULES[@]}" "${OPTIONAL_MODULES_612[@]}"; do add_module "$root" "$kroot" "$KVER" "$m" 0; done
        finish_modules "$root" "$kroot" "$KVER"

        copy_trixie_elf "$root" "$uroot" /usr/sbin/nvme
        copy_trixie_elf "$root" "$uroot" /usr/sbin/tlshd
        # tlshd looks for PSKs in the kernel's .nvme keyring (guest/init.sh
        # may rewrite this file for a run)
        mkdir -p "$root/etc/tlshd"
        printf '[debug]\nloglevel=1\ntls=0\nnl=0\n\n[authenticate]\nkeyrings=.nvme\n' > "$root/etc/tlshd.conf"
        echo "$KVER" > "$root/etc/interop-kver"
        echo "6.12" > "$root/etc/interop-series"
        sed -n 's/^\(nvme-cli\|ktls-utils\|libnvme1t64\|libc6\|libgnutls30t64\|libssl3t64\)_\([^_]*\)_.*/\1 \2/p' \
            "$uroot/.debs" | sed 's/%3a/:/g' > "$root/etc/interop-userland"

        write_cpio "$root" "$base"
        echo "$fingerprint" > "$initdir/fingerprint"
        rm -rf "$root"
        build_root=""
        log "6.12: base initramfs: $base ($(du -h "$base" | cut -f1))"
    fi
    write_env "$env612" 6.12 "$kpkg" "$KVER" "$VMLINUZ" "$base"
    log "6.12: ready: kernel $KVER, nvme-cli $(sed -n 's/^nvme-cli_\([^_]*\)_.*/\1/p' "$uroot/.debs"), $env612"
}

case "$kernels" in
    6.1) setup_61 ;;
    6.12) setup_612 ;;
    all) setup_61; setup_612 ;;
esac
