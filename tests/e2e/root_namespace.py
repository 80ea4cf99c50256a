"""What an edgectl agent leaves in a network namespace: its bridge, VXLAN device and iptables
chains. Tests keep all of that out of the root namespace (DESIGN.md, "Test hosts and
addresses"); these helpers find a leak and clear it so one test's leak fails that test only."""
import os
import subprocess

LINKS = ("edge0", "edge.1")


def leftovers():
    """Names of edgectl links and chains present in this namespace."""
    found = [l for l in LINKS if os.path.exists(f"/sys/class/net/{l}")]
    rules = subprocess.run(["iptables-save"], capture_output=True, text=True).stdout
    found += sorted({w[1:] for w in rules.split() if w.startswith(":EDGE-")})
    return found


def clear():
    for l in LINKS:
        subprocess.run(["ip", "link", "del", l], capture_output=True)
    rules = subprocess.run(["iptables-save"], capture_output=True, text=True).stdout
    if "EDGE-" in rules:
        kept = "\n".join(l for l in rules.splitlines() if "EDGE-" not in l) + "\n"
        subprocess.run(["iptables-restore"], input=kept, text=True, check=True)
