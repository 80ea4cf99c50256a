"""Service proxy and cluster DNS beside their peers, in the same run.

Proxy: `edgectl net-bench proxy` programs N Services of 2 endpoints each into
a network namespace made for it (nothing touches the machine's own rules), in
both proxy modes one after the other: a full sync into an empty kernel, one
changed Service (partial sync), a verify with nothing changed. Beside each, the
bare tool (`iptables-restore`, `nft -f`) fed the same transactions in another
fresh namespace: the limit for writing those rules at all; and for nftables
the cost of one `nft -f` run that changes nothing, against the loaded table.

DNS: queries/s (dnsperf, Debian) and p99 (one query at a time from Python)
for service names, edgectl's DNS server beside dnsmasq serving the same
records on loopback, alternating in the same run.

Root only (network namespaces). Prints a Markdown table."""
import json
import os
import random
import resource
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

EDGECTL = sys.argv[1] if len(sys.argv) > 1 else ".build/edgectl"
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))


def netns(name):
    subprocess.run(["ip", "netns", "add", name], check=True)
    subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"], check=True)


def drop(name):
    subprocess.run(["ip", "netns", "del", name], capture_output=True)


def flavour_restore():
    # Same choice as the proxy's (the host's flavour); nft on a machine without rules.
    return "iptables-nft-restore" if shutil.which("iptables-nft-restore") else "iptables-restore"


def timed(ns, argv, path, cpu=None):
    """Wall time of argv run in namespace ns on path; with cpu (a list), its CPU time (user + sys) appended.
    nsenter, not `ip netns exec`: the latter remounts /sys for each run, which is not the tool's cost."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    with open(path) as inp:
        subprocess.run(["nsenter", f"--net=/run/netns/{ns}", *argv], stdin=inp, check=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if cpu is not None:
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall


def proxy(n, mode):
    ns, bare = f"edgebench-p{os.getpid()}", f"edgebench-b{os.getpid()}"
    d = tempfile.mkdtemp()
    try:
        netns(ns)
        f, part, undo = os.path.join(d, "rules"), os.path.join(d, "partial"), os.path.join(d, "undo")
        out = subprocess.run(["ip", "netns", "exec", ns, EDGECTL, "net-bench", "proxy", "--services", str(n), "--mode", mode,
                              "--restore-file", f, "--partial-file", part, "--undo-file", undo],
                             capture_output=True, text=True, check=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        netns(bare)
        tool = [flavour_restore(), "--noflush"] if mode == "iptables" else ["nft", "-f", "-"]
        r["bare_restore_s"] = timed(bare, tool, f)
        times = []
        if mode == "iptables":
            # The same one-service transaction, replayed bare into the full table (median of 7); its
            # chain deletions are left out so it can be replayed.
            with open(part) as p:
                replay = "".join(l for l in p if not l.startswith("-X "))
            with open(part, "w") as p:
                p.write(replay)
            cpu = []
            times = [timed(bare, tool, part, cpu) for _ in range(7)]
            r["bare_partial_cpu_s"] = sorted(cpu)[3]
        else:
            # The full table is the state after the change: undo it and make it again, seven times.
            cpu = []
            for _ in range(7):
                timed(bare, tool, undo)
                times.append(timed(bare, tool, part, cpu))
            r["bare_partial_cpu_s"] = sorted(cpu)[3]
            noop = os.path.join(d, "noop")
            with open(noop, "w") as p:
                p.write("add table ip edgectl-proxy\n")
            r["bare_noop_s"] = sorted(timed(bare, tool, noop) for _ in range(7))[3]
        r["bare_partial_s"] = sorted(times)[3]
        return r
    finally:
        drop(ns)
        drop(bare)
        shutil.rmtree(d, ignore_errors=True)


def query(name, qid):
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\x00" + struct.pack(">HH", 1, 1)


def p99(port, names, count=3000):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    lat = []
    for i in range(count):
        q = query(random.choice(names), i & 0xFFFF)
        t0 = time.perf_counter()
        s.sendto(q, ("127.0.0.1", port))
        s.recvfrom(4096)
        lat.append((time.perf_counter() - t0) * 1000)
    lat.sort()
    return statistics.median(lat), lat[int(len(lat) * 0.99)]


def dnsperf(port, qfile):
    out = subprocess.run(["dnsperf", "-s", "127.0.0.1", "-p", str(port), "-d", qfile, "-l", str(SECONDS), "-c", "8", "-T", "1", "-q", "200"],
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        if "Queries per second" in line:
            return float(line.split()[-1])
    raise RuntimeError(out)


def wait_port(port):
    for _ in range(100):
        try:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.settimeout(0.2)
            s.sendto(query("svc-0.bench.svc.cluster.local", 1), ("127.0.0.1", port))
            s.recvfrom(512)
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answers on {port}")


def dns(n=1000):
    d = tempfile.mkdtemp()
    names = [f"svc-{i}.bench.svc.cluster.local" for i in range(n)]
    qfile = os.path.join(d, "queries")
    with open(qfile, "w") as f:
        for name in names:
            f.write(f"{name} A\n")
    ep, dp = 25000 + os.getpid() % 1000, 26000 + os.getpid() % 1000
    edge = subprocess.Popen([EDGECTL, "net-bench", "dns", "--services", str(n), "--port", str(ep)], stdout=subprocess.DEVNULL)
    args = ["dnsmasq", "--no-daemon", "--no-resolv", "--no-hosts", "--listen-address=127.0.0.1", "--bind-interfaces", f"--port={dp}",
            "--cache-size=10000", f"--pid-file={d}/dnsmasq.pid"]
    args += [f"--host-record={name},10.43.{(i + 2) >> 8 & 255}.{(i + 2) & 255}" for i, name in enumerate(names)]
    mask = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_port(ep)
        wait_port(dp)
        res = {"edgectl": {}, "dnsmasq": {}}
        for _ in range(7):  # latency: seven short samples each before the load, alternating; the median sample is reported
            for who, port in (("edgectl", ep), ("dnsmasq", dp)):
                res[who].setdefault("lat", []).append(p99(port, names))
        for _ in range(2):  # alternate, so a busy moment of the machine hits both
            for who, port in (("edgectl", ep), ("dnsmasq", dp)):
                res[who].setdefault("qps", []).append(dnsperf(port, qfile))
        rss = int(open(f"/proc/{edge.pid}/status").read().split("VmRSS:")[1].split()[0]) // 1024
        return res, rss
    finally:
        edge.kill()
        mask.kill()
        shutil.rmtree(d, ignore_errors=True)


def main():
    if os.geteuid() != 0:
        sys.exit("service_bench needs root (network namespaces)")
    print("\n## Service proxy and cluster DNS\n")
    print("| measurement | edgectl | peer in the same run | target |")
    print("|---|---|---|---|")
    only = os.environ.get("NET_BENCH_ONLY", "")
    for n in (1000, 5000) if only in ("", "proxy") else ():
        for mode in ("iptables", "nftables"):
            r = proxy(n, mode)
            tool = "`iptables-restore`" if mode == "iptables" else "`nft -f`"
            what = "rules" if mode == "iptables" else "rules and map elements"
            print(f"| proxy {mode}, {n} services x 2 endpoints ({r['rules']} {what}, {r['flavour']}): full sync | {r['full_s'] * 1000:.0f} ms "
                  f"(rule build {r['build_all_s'] * 1000:.0f} ms) | bare {tool} of the same rules: {r['bare_restore_s'] * 1000:.0f} ms | — |")
            print(f"| proxy {mode}, {n} services: one changed service (median of 7, best) | **{r['one_changed_s'] * 1000:.1f} ms** "
                  f"({r['one_changed_best_s'] * 1000:.1f} ms; {r['one_changed_bytes']} bytes of input) | the same input, bare {tool}: "
                  f"{r['bare_partial_s'] * 1000:.1f} ms ({r['bare_partial_cpu_s'] * 1000:.0f} ms of CPU) | {'< 50 ms at 5,000' if n == 5000 else '—'} |")
            if mode == "nftables":
                print(f"| proxy nftables, {n} services: one `nft -f` that changes nothing, against the loaded table (median of 7) | — | "
                      f"{r['bare_noop_s'] * 1000:.1f} ms | — |")
            print(f"| proxy {mode}, {n} services: verify (list, compare, nothing to repair) | {r['verify_s'] * 1000:.0f} ms | — | — |")
    if only not in ("", "dns"):
        return
    res, rss = dns()
    e, m = res["edgectl"], res["dnsmasq"]
    print(f"| DNS queries/s, service names, dnsperf 8 clients | **{max(e['qps']):,.0f}** | dnsmasq 2.90: {max(m['qps']):,.0f} | ≥ dnsmasq |")
    med = lambda xs: sorted(xs)[len(xs) // 2]
    e50, e99 = med([l[0] for l in e["lat"]]), med([l[1] for l in e["lat"]])
    m50, m99 = med([l[0] for l in m["lat"]]), med([l[1] for l in m["lat"]])
    print(f"| DNS p50 / p99, one query at a time (median of 7 samples of 3,000) | {e50:.3f} / **{e99:.3f} ms** | dnsmasq: {m50:.3f} / {m99:.3f} ms | p99 < 1 ms |")
    print(f"| DNS server RSS after the load (1,000 services) | {rss} MB | — | — |")


if __name__ == "__main__":
    main()
