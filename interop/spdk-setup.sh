#!/usr/bin/env bash
# Builds SPDK's host tools (spdk_nvme_perf, spdk_nvme_identify, spdk_nvme_discover) and its target (nvmf_tgt) on this
# machine, as test peers for nvmeof4j and for nvmeof4j-bench/perf-matrix.py --peer spdk. Nothing of SPDK goes into
# this repository: the sources are fetched into a cache directory and built there with SPDK's own configure and make.
#
#   interop/spdk-setup.sh                      # clone SPDK_TAG from SPDK_GIT (needs network to github.com)
#   SPDK_GIT=/path/spdk.git DPDK_GIT=/path/dpdk.git ISAL_GIT=.. ISAL_CRYPTO_GIT=.. interop/spdk-setup.sh   # mirrors
#
# Result: $SPDK_CACHE/bin/{spdk_nvme_perf,spdk_nvme_identify,spdk_nvme_discover,nvmf_tgt} and $SPDK_CACHE/spdk.env,
# which the spdk-interop tests read. About 10-20 minutes on 2 cores. Needs root for apt-get (build dependencies).
set -euo pipefail
SPDK_CACHE="${SPDK_CACHE:-${HOME:-/root}/.cache/nvmeof4j-spdk}"
SPDK_TAG="${SPDK_TAG:-v24.01}"
SPDK_GIT="${SPDK_GIT:-https://github.com/spdk/spdk.git}"
DPDK_GIT="${DPDK_GIT:-https://github.com/spdk/dpdk.git}"
ISAL_GIT="${ISAL_GIT:-https://github.com/intel/isa-l.git}"
ISAL_CRYPTO_GIT="${ISAL_CRYPTO_GIT:-https://github.com/intel/isa-l_crypto.git}"
log() { printf 'spdk-setup.sh: %s\n' "$*" >&2; }

if [ -x "$SPDK_CACHE/bin/spdk_nvme_perf" ] && [ -x "$SPDK_CACHE/bin/nvmf_tgt" ] && [ -f "$SPDK_CACHE/spdk.env" ]; then
  log "already built: $SPDK_CACHE/bin ($(cat "$SPDK_CACHE/version" 2>/dev/null))"; exit 0
fi
mkdir -p "$SPDK_CACHE"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  log "installing build dependencies (apt-get)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q build-essential pkg-config python3 python3-pyelftools \
    meson ninja-build libnuma-dev uuid-dev libssl-dev libaio-dev libncurses-dev libcunit1-dev nasm \
    libjson-c-dev autoconf automake libtool >/dev/null
fi
src="$SPDK_CACHE/src"
if [ ! -d "$src/.git" ]; then
  log "fetching SPDK $SPDK_TAG"
  rm -rf "$src"
  git clone -q "$SPDK_GIT" "$src"
  git -C "$src" -c advice.detachedHead=false checkout -q "$SPDK_TAG"
  dpdk_commit=$(git -C "$src" ls-tree HEAD dpdk | awk '{print $3}')
  rm -rf "$src/dpdk"
  git clone -q "$DPDK_GIT" "$src/dpdk"
  git -C "$src/dpdk" -c advice.detachedHead=false checkout -q "$dpdk_commit"
  for sub in isa-l:"$ISAL_GIT" isa-l-crypto:"$ISAL_CRYPTO_GIT"; do
    path=${sub%%:*}; url=${sub#*:}
    commit=$(git -C "$src" ls-tree HEAD "$path" | awk '{print $3}')
    rm -rf "${src:?}/$path"
    git clone -q "$url" "$src/$path"
    git -C "$src/$path" -c advice.detachedHead=false checkout -q "$commit"
  done
fi
cd "$src"
if [ ! -f mk/config.mk ]; then
  log "configure"
  ./configure --without-crypto --without-vhost --without-virtio --without-fuse --without-nvme-cuse \
    --without-rbd --without-iscsi-initiator --without-vfio-user --without-xnvme --without-fio --without-ocf --without-uring \
    --disable-tests --disable-unit-tests --without-shared >"$SPDK_CACHE/configure.log" 2>&1 \
    || { tail -30 "$SPDK_CACHE/configure.log" >&2; exit 1; }
fi
log "make (log: $SPDK_CACHE/make.log)"
nice make -j"$(nproc)" >"$SPDK_CACHE/make.log" 2>&1 || { tail -40 "$SPDK_CACHE/make.log" >&2; exit 1; }
mkdir -p "$SPDK_CACHE/bin"
for t in spdk_nvme_perf spdk_nvme_identify spdk_nvme_discover nvmf_tgt; do
  f=$(find build/bin build/examples -maxdepth 1 -name "$t" -type f 2>/dev/null | head -1)
  [ -n "$f" ] || { log "error: $t not built"; exit 1; }
  cp "$f" "$SPDK_CACHE/bin/$t"
done
git describe --tags > "$SPDK_CACHE/version" 2>/dev/null || echo "$SPDK_TAG" > "$SPDK_CACHE/version"
printf 'SPDK_BIN=%s\nSPDK_VERSION=%s\n' "$SPDK_CACHE/bin" "$(cat "$SPDK_CACHE/version")" > "$SPDK_CACHE/spdk.env"
log "ready: $SPDK_CACHE/bin ($(cat "$SPDK_CACHE/version"))"
