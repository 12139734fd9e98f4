#!/usr/bin/env python3
"""Software target vs --offload fastpath, and host -> gateway -> backend vs host -> backend, in one sitting.

Starts every target once (each on a free port, --idle block so an idle poller costs nothing), warms each up with
one unmeasured pass over the workloads, then per round and per workload runs `nvmeof4j perf` against each path in
turn (alternated, so drift of a shared machine hits all alike) and reads the target JVMs' CPU (utime+stime from
/proc/PID/stat) around the run. Prints one line per run, then a table of medians with the min..max spread.

Paths:
  software   host -> `target --file F`                    (CPU: that target)
  fastpath   host -> `target --file F --offload fastpath` (CPU: that target)
  fastpath-sendfile  the same with every read sent by sendfile (mapped reads off), for comparison
  direct     host -> backend `target --file G`            (CPU: the backend)
  gateway    host -> gateway (`--config`, passthru namespace, fastpath) -> the same backend
             (CPU: the gateway, the backend, and both)
"""
import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JAR = os.path.join(HERE, "nvmeof4j-cli", "target", "nvmeof4j.jar")
NQN = "nqn.2014-08.org.nvmeof4j:default"
GW_NQN = "nqn.2024-01.org.nvmeof4j:gateway"
CLK = os.sysconf("SC_CLK_TCK")
JAVA = ["java", "-XX:+UseParallelGC", "-Xms256m"]
# the fastpath device before mapped reads: sendfile for every read
SENDFILE = ["--fastpath-mapped-reads", "false", "--fastpath-zero-copy-min", "0"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_s(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK  # utime, stime (fields 14, 15)


def start_target(args, log, extra_java=()):
    p = subprocess.Popen(JAVA + list(extra_java) + ["-jar", JAR, "target", "--idle", "block"] + args,
                         stdout=open(log, "w"), stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while time.time() < deadline:
        if p.poll() is not None:
            sys.exit(f"target exited ({p.returncode}): {open(log).read()}")
        if "listening on" in open(log).read():
            return p
        time.sleep(0.2)
    p.kill()
    sys.exit(f"target did not start: {log}")


def perf(port, nqn, wl, size, qd, secs, range_mib):
    out = subprocess.run(JAVA + ["-jar", JAR, "perf", "-a", "127.0.0.1", "-s", str(port), "-n", nqn, "-w", wl,
                                 "-o", str(size), "-q", str(qd), "--time", str(secs), "--warmup", "0",
                                 "--range-mib", str(range_mib), "--no-verify", "--json", "--no-progress"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"perf {wl} {size} on {port}: {out.stderr.strip() or out.stdout.strip()}")
    return json.loads(out.stdout[out.stdout.index("{"):])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--time", type=int, default=3, help="seconds per perf run")
    ap.add_argument("--qd", type=int, default=8)
    ap.add_argument("--size-mib", type=int, default=256)
    ap.add_argument("--workloads", default="randread:4096,randwrite:4096,read:131072,write:131072",
                    help="comma-separated WORKLOAD:IO_SIZE")
    ap.add_argument("--paths", default="software,fastpath,direct,gateway")
    ap.add_argument("--json", help="also write all runs as JSON to this file")
    ap.add_argument("--fastpath-java-opts", default="", help="JVM options of the fastpath and gateway targets, "
                    "e.g. -Xmx1g")
    a = ap.parse_args()
    if not os.path.exists(JAR):
        sys.exit(f"no {JAR}: run ./nvmeof4j --version first")
    workloads = [(w.split(":")[0], int(w.split(":")[1])) for w in a.workloads.split(",")]
    paths = a.paths.split(",")
    tmp = tempfile.mkdtemp(prefix="nvmeof4j-tocmp-")
    imgs = {}
    for name in ("software", "fastpath", "fastpath-sendfile", "backend"):
        imgs[name] = os.path.join(tmp, name + ".img")
        with open(imgs[name], "wb") as f:
            f.write(os.urandom(1 << 20) * a.size_mib)  # in the page cache from here on
    procs = {}
    ports = {}
    try:
        for name in ("software", "fastpath", "fastpath-sendfile"):
            if name in paths:
                ports[name] = free_port()
                procs[name] = start_target(["--port", str(ports[name]), "--file", imgs[name], "--size-mib",
                                            str(a.size_mib)] + (["--offload", "fastpath"] if name != "software"
                                                                 else [])
                                            + (SENDFILE if name == "fastpath-sendfile" else []),
                                            os.path.join(tmp, name + ".log"),
                                            a.fastpath_java_opts.split() if name == "fastpath" else ())
        if "direct" in paths or "gateway" in paths:
            ports["direct"] = free_port()
            procs["backend"] = start_target(["--port", str(ports["direct"]), "--file", imgs["backend"],
                                             "--size-mib", str(a.size_mib)], os.path.join(tmp, "backend.log"))
        if "gateway" in paths:
            ports["gateway"] = free_port()
            cfg = {"ports": [{"portid": 1, "addr": {"trtype": "tcp", "traddr": "127.0.0.1",
                                                    "trsvcid": str(ports["gateway"])}, "subsystems": [GW_NQN]}],
                   "subsystems": [{"nqn": GW_NQN, "attr": {"allow_any_host": "1"},
                                   "offload": {"device": "fastpath"},
                                   "namespaces": [{"nsid": 1, "passthru": {
                                       "traddr": "127.0.0.1", "trsvcid": str(ports["direct"]), "subnqn": NQN,
                                       "nsid": 1, "queues": 2}}]}]}
            with open(os.path.join(tmp, "gateway.json"), "w") as f:
                json.dump(cfg, f)
            procs["gateway"] = start_target(["--config", os.path.join(tmp, "gateway.json")],
                                            os.path.join(tmp, "gateway.log"), a.fastpath_java_opts.split())
        nqn = {p: (GW_NQN if p == "gateway" else NQN) for p in paths}
        # which JVMs' CPU each path costs
        charged = {"software": ["software"], "fastpath": ["fastpath"], "fastpath-sendfile": ["fastpath-sendfile"],
                   "direct": ["backend"],
                   "gateway": ["gateway", "backend"]}
        print(f"# {len(workloads)} workloads x {len(paths)} paths x {a.rounds} rounds, {a.time} s each, "
              f"QD {a.qd}, {a.size_mib} MiB files in the page cache; load average {os.getloadavg()[0]:.2f}",
              flush=True)
        for p in paths:  # JIT warm-up of every target, not measured
            for wl, size in workloads:
                perf(ports[p], nqn[p], wl, size, a.qd, 1, a.size_mib)
        runs = []
        for r in range(1, a.rounds + 1):
            for wl, size in workloads:
                for p in paths:
                    before = {j: cpu_s(procs[j].pid) for j in charged[p]}
                    j = perf(ports[p], nqn[p], wl, size, a.qd, a.time, a.size_mib)
                    cpu = {k: cpu_s(procs[k].pid) - v for k, v in before.items()}
                    gib = j["ios"] * size / 2 ** 30
                    run = {"round": r, "workload": wl, "io_size": size, "path": p, "iops": j["iops"],
                           "mib_per_s": j["mib_per_s"], "gib": gib,
                           "cpu_s_per_gib": {k: v / gib for k, v in cpu.items()},
                           "total_cpu_s_per_gib": sum(cpu.values()) / gib}
                    runs.append(run)
                    print(f"round {r} {wl:9s} {size:>7d} {p:17s} iops {j['iops']:>9.0f} MiB/s "
                          f"{j['mib_per_s']:>8.1f} target CPU s/GiB " +
                          " ".join(f"{k} {v:.3f}" for k, v in run["cpu_s_per_gib"].items()), flush=True)
        if a.json:
            with open(a.json, "w") as f:
                json.dump(runs, f, indent=1)
        print()
        print(f"| workload | path | IOPS (median, min..max) | target CPU s/GiB (median, min..max) | vs base |")
        print("|---|---|---|---|---|")
        base_of = {"software": "software", "fastpath": "software", "fastpath-sendfile": "software",
                   "direct": "direct", "gateway": "direct"}
        for wl, size in workloads:
            med = {}
            for p in paths:
                rs = [x for x in runs if x["workload"] == wl and x["io_size"] == size and x["path"] == p]
                iops = [x["iops"] for x in rs]
                cpu = [x["total_cpu_s_per_gib"] for x in rs]
                med[p] = statistics.median(cpu)
                # per-round ratio against the base path of the same round, the alternation's point
                base = base_of[p]
                ratio = ""
                if base != p and base in paths:
                    rb = {x["round"]: x["total_cpu_s_per_gib"] for x in runs if x["workload"] == wl
                          and x["io_size"] == size and x["path"] == base}
                    rat = [x["total_cpu_s_per_gib"] / rb[x["round"]] for x in rs if rb.get(x["round"])]
                    ratio = f"{statistics.median(rat):.2f}x ({min(rat):.2f}..{max(rat):.2f})"
                split = ""
                if p == "gateway":
                    g = statistics.median(x["cpu_s_per_gib"]["gateway"] for x in rs)
                    b = statistics.median(x["cpu_s_per_gib"]["backend"] for x in rs)
                    split = f" (gateway {g:.3f} + backend {b:.3f})"
                print(f"| {wl} {size // 1024} KiB | {p} | {statistics.median(iops):.0f} ({min(iops):.0f}.."
                      f"{max(iops):.0f}) | {med[p]:.3f} ({min(cpu):.3f}..{max(cpu):.3f}){split} | {ratio} |")
        print(f"# load average at the end {os.getloadavg()[0]:.2f}")
    finally:
        for p in procs.values():
            p.terminate()
        for p in procs.values():
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        for f in os.listdir(tmp):
            if f.endswith(".img"):
                os.unlink(os.path.join(tmp, f))


if __name__ == "__main__":
    main()
