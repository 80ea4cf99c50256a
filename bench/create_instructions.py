#!/usr/bin/env python3
"""User-space instructions per create under callgrind, a measure a shared machine does not
disturb (CPU time per create moves by +-10 % between runs there; this by about 1 %): for each
binary in turn, a fresh `edgectl server` under `valgrind --tool=callgrind --instr-atstart=no`,
CL clients that connect first (TLS handshakes are not counted), a warm-up of PER creates each,
then instrumentation on for CL x PER creates of api_bench's 1.5 KB ConfigMaps. Kernel work
(fsync, TCP, wake-ups) is not counted. The profile of the counted part is left in
/tmp/callgrind.<binary name> for callgrind_annotate (a stripped binary's addresses resolve with
`nm` on the unstripped one of the same build).

Usage: create_instructions.py EDGECTL [EDGECTL ...]   (CL default 16, PER default 20)"""
import os, sys, time, subprocess, shutil, tempfile, glob
import multiprocessing as mp
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_bench as ab
CL = int(os.environ.get("CL", "16")); PER = int(os.environ.get("PER", "20"))
def creator(kc, prefix, n, ready, go, done):
    c = ab.APIConn(kc)
    c.req("GET", "/api/v1/namespaces/bench")
    ready.release()
    go.wait()
    for i in range(n):
        c.req("POST", "/api/v1/namespaces/bench/configmaps", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"{prefix}-{i}"}, "data": {"v": ab.VALUE}})
    done.release()
def one(binary, tag):
    d = tempfile.mkdtemp(prefix="perf4-vg-")
    port = ab.free_port()
    out = os.path.join(d, "cg.out")
    proc = subprocess.Popen(["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
                             binary, "server", "--data-dir", d, "--bind-address", "127.0.0.1", "--https-listen-port", str(port), "--disable-agent"],
                            stdout=open(os.path.join(d, "log"), "w"), stderr=subprocess.STDOUT)
    kc = os.path.join(d, "kubeconfig.yaml")
    try:
        for _ in range(600):
            if os.path.exists(kc):
                try:
                    ab.APIConn(kc).req("GET", "/readyz"); break
                except Exception: pass
            time.sleep(0.5)
        time.sleep(3)
        ab.APIConn(kc).req("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "bench"}})
        for rnd, prefix in ((0, "warm"), (1, "par")):
            ready, done, go = mp.Semaphore(0), mp.Semaphore(0), mp.Event()
            ps = [mp.Process(target=creator, args=(kc, f"{prefix}{i}", PER, ready, go, done)) for i in range(CL)]
            for p in ps: p.start()
            for _ in ps: ready.acquire()
            time.sleep(1)
            if rnd: subprocess.run(["callgrind_control", "-i", "on", str(proc.pid)], stdout=subprocess.DEVNULL)
            go.set()
            for _ in ps: done.acquire()
            time.sleep(1)
            if rnd:
                subprocess.run(["callgrind_control", "-d", str(proc.pid)], stdout=subprocess.DEVNULL)
                subprocess.run(["callgrind_control", "-i", "off", str(proc.pid)], stdout=subprocess.DEVNULL)
            for p in ps: p.join()
        time.sleep(1)
        tot = 0
        for f in glob.glob(out + "*"):
            for line in open(f):
                if line.startswith("totals:"): tot += int(line.split()[1])
        shutil.copy(out + ".1", f"/tmp/callgrind.{tag}") if os.path.exists(out + ".1") else None
        return tot / (CL * PER)
    finally:
        proc.terminate(); proc.wait(); shutil.rmtree(d, ignore_errors=True)
for b in sys.argv[1:]:
    ir = one(b, os.path.basename(b))
    print(f"{os.path.basename(b)}: {ir/1000:.1f}k Ir per create", flush=True)
