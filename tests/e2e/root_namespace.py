"""What an edgectl agent leaves in a network namespace: its bridge, VXLAN device, iptables
chains and the service proxy's nftables table. Tests keep all of that out of the root namespace
(DESIGN.md, "Test hosts and addresses"); these helpers find a leak and clear it so one test's
leak fails that test only."""
import os
import shutil
import subprocess

LINKS = ("edge0", "edge.1")
NFT_TABLE = ("ip", "edgectl-proxy")  # the proxy's nftables mode (EdgeNet's NFTProxyNames.table)


def nft_table_present():
    if not shutil.which("nft"):
        return False
    out = subprocess.run(["nft", "list", "tables", NFT_TABLE[0]], capture_output=True, text=True).stdout
    return f"table {NFT_TABLE[0]} {NFT_TABLE[1]}" in out.splitlines()


def leftovers():
    """Names of edgectl links, chains and nftables tables present in this namespace."""
    found = [l for l in LINKS if os.path.exists(f"/sys/class/net/{l}")]
    rules = subprocess.run(["iptables-save"], capture_output=True, text=True).stdout
    found += sorted({w[1:] for w in rules.split() if w.startswith(":EDGE-")})
    if nft_table_present():
        found.append("nftables table " + " ".join(NFT_TABLE))
    return found


def clear():
    for l in LINKS:
        subprocess.run(["ip", "link", "del", l], capture_output=True)
    rules = subprocess.run(["iptables-save"], capture_output=True, text=True).stdout
    if "EDGE-" in rules:
        kept = "\n".join(l for l in rules.splitlines() if "EDGE-" not in l) + "\n"
        subprocess.run(["iptables-restore"], input=kept, text=True, check=True)
    if nft_table_present():
        subprocess.run(["nft", "delete", "table", *NFT_TABLE], check=True)
