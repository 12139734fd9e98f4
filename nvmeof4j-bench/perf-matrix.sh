#!/usr/bin/env bash
# The SPDK comparison matrix (see perf-matrix.py --help): nvmeof4j target (RAM namespace, 4 KiB blocks) on core 0,
# nvmeof4j perf with one I/O queue on core 1, the five workloads of the README's table; with --peer spdk, SPDK's
# nvmf_tgt and spdk_nvme_perf alternated with it in the same sitting. Arguments perf-matrix.py does not know go to
# every `nvmeof4j perf` run (e.g. --host-idle block). PERF_SECONDS sets --time's default; NVMEOF4J_JAR runs
# another build (an older commit's jar, for a before/after comparison in one sitting).
exec python3 "$(dirname "${BASH_SOURCE[0]}")/perf-matrix.py" "$@"
