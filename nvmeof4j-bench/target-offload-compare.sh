#!/usr/bin/env bash
# Software target vs --offload fastpath on page-cache files, and host -> gateway (passthru, fastpath) -> backend
# vs host -> backend, alternated in one sitting: IOPS and the target JVMs' CPU (utime+stime from /proc) per GiB
# moved, medians with their spread. Usage:
#   target-offload-compare.sh [--rounds 3] [--time 3] [--qd 8] [--size-mib 256]
#       [--workloads randread:4096,randwrite:4096,read:131072,write:131072]
#       [--paths software,fastpath,direct,gateway] [--json FILE]
# See target-offload-compare.py for what each path charges.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$here/nvmeof4j" --version >/dev/null
exec python3 "$here/nvmeof4j-bench/target-offload-compare.py" "$@"
