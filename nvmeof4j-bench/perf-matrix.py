#!/usr/bin/env python3
"""The perf matrix: nvmeof4j perf -> nvmeof4j target, and optionally a peer (SPDK's spdk_nvme_perf -> SPDK's
nvmf_tgt) in the same sitting, alternated, target on one core and host on the other.

Each system's target serves a 512 MiB RAM namespace of 4 KiB blocks over 127.0.0.1 with one I/O queue per run. Per round,
each system runs every workload in turn (nvmeof4j first in odd rounds, the peer first in even ones), so the drift
of a shared machine hits both alike. SPDK runs without hugepages (--no-huge: this kernel has no hugetlbfs), which
costs its TCP path nothing measurable since the data goes through sockets, not DMA. A busy-polling SPDK target is started before its workloads and stopped after
them, so that it never spins beside nvmeof4j's runs. Variants multiply the workloads:
  plain    as given
  digest   header and data digests on (nvmeof4j: --hdr-digest --data-digest; SPDK: -H -I)
  hog      one CPU-bound process (`yes`, not pinned) beside host and target, default settings otherwise

Prints one line per run, then a table per variant: the median of each system with its min..max, and the ratio of
the medians nvmeof4j/peer with the spread of the per-round ratios. Raw results go to --out (JSON lines).

  nvmeof4j-bench/perf-matrix.py                                   nvmeof4j alone, the five workloads, one round
  nvmeof4j-bench/perf-matrix.py --peer spdk --rounds 3 --time 5   side by side (needs interop/spdk-setup.sh)
  nvmeof4j-bench/perf-matrix.py --variants plain,digest,hog       digests and a hog too
Arguments it does not know are passed to every `nvmeof4j perf` (e.g. --host-idle block).
"""
import argparse
import contextlib
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JAR = os.path.join(HERE, "nvmeof4j-cli", "target", "nvmeof4j.jar")
NQN = "nqn.2014-08.org.nvmeof4j:perf"
SPDK_NQN = "nqn.2016-06.io.spdk:perf"
WORKLOADS = {  # name: (workload, io size, queue depth)
    "randread-4k-qd1": ("randread", 4096, 1),
    "randread-4k-qd32": ("randread", 4096, 32),
    "randread-4k-qd128": ("randread", 4096, 128),
    "randwrite-4k-qd32": ("randwrite", 4096, 32),
    "read-128k-qd32": ("read", 131072, 32),
}


def die(msg, code=2):
    print(f"perf-matrix: {msg}", file=sys.stderr)
    sys.exit(code)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(path, text, proc, what, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            die(f"{what} exited ({proc.returncode}): {open(path).read()[-2000:]}", 4)
        if text in open(path, errors="replace").read():
            return
        time.sleep(0.2)
    proc.kill()
    die(f"{what} did not start: {path}", 4)


def stop(proc):
    if proc and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Peer:
    """A target and its perf tool: subclasses name the target's command line and what it logs once it listens."""
    name = version = ready = None

    def __init__(self, a, tmp):
        self.a, self.tmp, self.proc = a, tmp, None
        self.port = free_port()

    @contextlib.contextmanager
    def running(self):
        log = os.path.join(self.tmp, f"{self.name}-target.log")
        self.proc = subprocess.Popen(self.target_cmd(), stdout=open(log, "w"), stderr=subprocess.STDOUT)
        try:
            wait_for(log, self.ready, self.proc, f"{self.name} target")
            yield self
        finally:
            stop(self.proc)


class Nvmeof4j(Peer):
    name = "nvmeof4j"
    ready = "listening"

    def __init__(self, a, tmp):
        super().__init__(a, tmp)
        out = subprocess.run(["java", "-jar", a.jar, "--version"], capture_output=True, text=True)
        self.version = out.stdout.strip() or f"{a.jar} (--version failed)"

    def target_cmd(self):
        return ["taskset", "-c", self.a.target_core, "java"] + self.a.jvm_args + [
                "-jar", self.a.jar, "target", "--port", str(self.port),
                "--nqn", NQN, "--ram-mib", "512", "--block-size", "4096"] + self.a.target_args

    def run(self, wl, variant):
        w, size, qd = WORKLOADS[wl]
        cmd = ["taskset", "-c", self.a.host_core, "java"] + self.a.jvm_args + [
               "-jar", self.a.jar, "perf", "-a", "127.0.0.1",
               "-s", str(self.port), "-n", NQN, "--queues", "1", "--time", str(self.a.time), "--json",
               "-w", w, "-o", str(size), "-q", str(qd)] + self.a.perf_args
        if variant == "digest":
            cmd += ["--hdr-digest", "--data-digest"]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=self.a.time + 120)
        text = out.stdout[out.stdout.find("{"):] if "{" in out.stdout else ""
        try:
            d = json.loads(text)
        except ValueError:
            return {"error": (out.stderr or out.stdout)[-500:]}
        lat = d["latency_us"]
        return {"iops": d["iops"], "mib_s": d["mib_per_s"], "p50": lat["p50"], "p99": lat["p99"],
                "p99_9": lat.get("p99_9"), "p99_99": lat.get("p99_99"), "max": lat.get("max"),
                "errors": d.get("errors", 0)}


class Spdk(Peer):
    name = "spdk"
    ready = "NVMe/TCP Target Listening"

    def __init__(self, a, tmp):
        super().__init__(a, tmp)
        cache = os.environ.get("SPDK_CACHE", os.path.join(os.path.expanduser("~"), ".cache", "nvmeof4j-spdk"))
        self.bin = os.path.join(cache, "bin")
        for t in ("nvmf_tgt", "spdk_nvme_perf"):
            if not os.access(os.path.join(self.bin, t), os.X_OK):
                die(f"{self.bin}/{t} not found: build SPDK with interop/spdk-setup.sh", 5)
        self.version = open(os.path.join(cache, "version")).read().strip() if os.path.exists(
            os.path.join(cache, "version")) else "unknown"
        self.config = os.path.join(tmp, "spdk-nvmf.json")
        with open(self.config, "w") as f:
            json.dump({"subsystems": [
                {"subsystem": "bdev", "config": [
                    {"method": "bdev_malloc_create",
                     "params": {"name": "Malloc0", "num_blocks": 131072, "block_size": 4096}}]},
                {"subsystem": "nvmf", "config": [
                    {"method": "nvmf_create_transport", "params": {"trtype": "TCP"}},
                    {"method": "nvmf_create_subsystem",
                     "params": {"nqn": SPDK_NQN, "allow_any_host": True, "serial_number": "SPDK0001"}},
                    {"method": "nvmf_subsystem_add_ns",
                     "params": {"nqn": SPDK_NQN, "namespace": {"bdev_name": "Malloc0"}}},
                    {"method": "nvmf_subsystem_add_listener",
                     "params": {"nqn": SPDK_NQN, "listen_address": {
                         "trtype": "TCP", "adrfam": "IPv4", "traddr": "127.0.0.1", "trsvcid": str(self.port)}}}]}]},
                f)

    def target_cmd(self):
        return [os.path.join(self.bin, "nvmf_tgt"), "-m", hex(1 << int(self.a.target_core)), "-c", self.config,
                "--no-huge", "-s", "2048", "-r", os.path.join(self.tmp, "spdk.sock")]

    def run(self, wl, variant):
        w, size, qd = WORKLOADS[wl]
        cmd = [os.path.join(self.bin, "spdk_nvme_perf"), "-c", hex(1 << int(self.a.host_core)),
               "-r", f"trtype:TCP adrfam:IPv4 traddr:127.0.0.1 trsvcid:{self.port} subnqn:{SPDK_NQN}",
               "-q", str(qd), "-o", str(size), "-w", w, "-t", str(self.a.time), "-L", "--no-huge", "-s", "512"]
        if variant == "digest":
            cmd += ["-H", "-I"]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=self.a.time + 120)
        return parse_spdk(out.stdout, out.stderr)


def parse_spdk(stdout, stderr):
    m = re.search(r"^Total\s*:\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", stdout, re.M)
    if not m:
        return {"error": (stderr or stdout)[-500:]}
    r = {"iops": float(m.group(1)), "mib_s": float(m.group(2)), "max": float(m.group(5)), "errors": 0}
    for key, pct in (("p50", "50.00000"), ("p99", "99.00000"), ("p99_9", "99.90000"), ("p99_99", "99.99000")):
        p = re.search(r"^\s*" + re.escape(pct) + r"%\s*:\s*([\d.]+)us", stdout, re.M)
        r[key] = float(p.group(1)) if p else None
    return r


@contextlib.contextmanager
def hog(on):
    """One CPU-bound process (`yes`, not pinned) for the duration, when on."""
    p = subprocess.Popen(["yes"], stdout=subprocess.DEVNULL) if on else None
    try:
        yield
    finally:
        if p:
            p.kill()
            p.wait()


def spread(values):
    return f"{min(values):,.0f}..{max(values):,.0f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0], allow_abbrev=False)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--time", type=int, default=int(os.environ.get("PERF_SECONDS", "10")), help="seconds per run")
    ap.add_argument("--workloads", default=",".join(WORKLOADS))
    ap.add_argument("--variants", default="plain", help="plain,digest,hog")
    ap.add_argument("--peer", choices=["spdk"], help="the system run beside nvmeof4j")
    ap.add_argument("--jar", default=os.environ.get("NVMEOF4J_JAR", JAR))
    ap.add_argument("--target-core", default="0")
    ap.add_argument("--host-core", default="1")
    ap.add_argument("--target-arg", action="append", default=[], dest="target_args",
                    help="an argument for nvmeof4j target (repeat)")
    ap.add_argument("--jvm-arg", action="append", default=[], dest="jvm_args",
                    help="a JVM option for both nvmeof4j JVMs, target and perf (repeat; as --jvm-arg=-XX:..., since "
                         "the option starts with a dash)")
    ap.add_argument("--out", default="/tmp/nvmeof4j-perf-matrix.jsonl")
    a, a.perf_args = ap.parse_known_args()
    if a.perf_args and a.perf_args[0] == "--":
        a.perf_args = a.perf_args[1:]
    workloads = [w for w in a.workloads.split(",") if w]
    for w in workloads:
        if w not in WORKLOADS:
            die(f"unknown workload '{w}' (known: {', '.join(WORKLOADS)})")
    variants = [v for v in a.variants.split(",") if v]
    for v in variants:
        if v not in ("plain", "digest", "hog"):
            die(f"unknown variant '{v}' (known: plain, digest, hog)")
    if a.rounds < 1 or a.time < 1:
        die("--rounds and --time must be at least 1")
    if a.jar == JAR and "NVMEOF4J_JAR" not in os.environ:
        subprocess.run([os.path.join(HERE, "nvmeof4j"), "--version"], check=True, stdout=subprocess.DEVNULL)
    tmp = tempfile.mkdtemp(prefix="nvmeof4j-perf-matrix-")
    systems = [Nvmeof4j(a, tmp)] + ([Spdk(a, tmp)] if a.peer == "spdk" else [])
    results = []  # one dict per run: round, system, variant, workload, load, and the run's figures
    with open(a.out, "w") as out:
        for r in range(1, a.rounds + 1):
            for s in systems if r % 2 == 1 else list(reversed(systems)):
                with s.running():
                    for v in variants:
                        with hog(v == "hog"):
                            for w in workloads:
                                rec = {"round": r, "system": s.name, "variant": v, "workload": w,
                                       "load": open("/proc/loadavg").read().split()[0], **s.run(w, v)}
                                out.write(json.dumps(rec) + "\n")
                                out.flush()
                                results.append(rec)
                                print(describe(rec), flush=True)
    report(results, systems, variants, workloads, a)


def describe(rec):
    head = f"round {rec['round']} {rec['system']:8s} {rec['variant']:6s} {rec['workload']:18s}"
    if "error" in rec:
        return f"{head} ERROR {rec['error']!r}"
    return (f"{head} {rec['iops']:>10,.0f} IOPS p50 {rec['p50']} p99 {rec['p99']} p99.9 {rec['p99_9']} "
            f"p99.99 {rec['p99_99']} max {rec['max']} us  load {rec['load']}")


def report(results, systems, variants, workloads, a):
    names = [s.name for s in systems]
    print("\n" + ", ".join(f"{s.name}: {s.version}" for s in systems))
    for v in variants:
        print(f"\nvariant {v}: {a.rounds} round(s) of {a.time} s, median (min..max); latencies in us")
        head = f"{'workload':18s}"
        for n in names:
            head += f" | {n + ' IOPS':>22s} {'p50':>7s} {'p99':>7s} {'p99.9':>8s} {'p99.99':>8s}"
        if len(names) > 1:
            head += f" | {'ratio':>18s}"
        print(head)
        for w in workloads:
            line = f"{w:18s}"
            per = {}
            for n in names:
                rs = [x for x in results if x["system"] == n and x["variant"] == v and x["workload"] == w
                      and "error" not in x]
                per[n] = {x["round"]: x for x in rs}
                if not rs:
                    line += f" | {'(no result)':>22s} {'':>7s} {'':>7s} {'':>8s} {'':>8s}"
                    continue
                med = lambda k: statistics.median([x[k] for x in rs if x.get(k) is not None] or [0])
                iops = [x["iops"] for x in rs]
                line += (f" | {statistics.median(iops):>9,.0f} ({spread(iops):>11s}) {med('p50'):7.1f} "
                         f"{med('p99'):7.1f} {med('p99_9'):8.1f} {med('p99_99'):8.1f}")
            if len(names) > 1:
                a_, b_ = per[names[0]], per[names[1]]
                rounds = sorted(set(a_) & set(b_))
                if rounds:
                    ratios = [a_[k]["iops"] / b_[k]["iops"] for k in rounds if b_[k]["iops"]]
                    m = statistics.median([a_[k]["iops"] for k in rounds]) / statistics.median(
                        [b_[k]["iops"] for k in rounds])
                    line += f" | {m:5.2f}x ({min(ratios):.2f}..{max(ratios):.2f})"
            print(line)
    errs = [x for x in results if "error" in x or x.get("errors")]
    print(f"\n{len(results)} runs, {len(errs)} with errors; raw results: {a.out}")


if __name__ == "__main__":
    main()
