#!/usr/bin/env python3
"""Checks of the operator interfaces of a running router against raw telemetry and against the
traffic a test sent (test_ops.sh). Prints ok:/FAIL: lines; exit status 1 if any check failed.

  ops_check.py rnsctl RNSCTL PREFIX READY_FILE DEST SENT IFACE_A IFACE_B
      rnsctl --json status / paths / nodes / crypto against /rns/... read before and after it,
      and against the traffic: SENT data packets from A to DEST (behind interface IFACE_B), each
      proved back to A (IFACE_A), one announce of DEST heard on IFACE_B.
  ops_check.py prometheus URL PREFIX SENT IFACE_A IFACE_B
      GET URL (/metrics) parsed by prom_parse.py, against /rns/... read before and after it and
      against the same traffic.

Counters only grow, so a figure read between two raw telemetry reads must lie between them
(equal when nothing moved); the router publishes every 250 ms, so the reads come 0.6 s apart.
"""
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
import prom_parse  # noqa: E402
import telemetry  # noqa: E402

FAILS = []
TYPES = ("data", "announce", "linkrequest", "proof")


def check(what, cond):
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        FAILS.append(what)


def raw(prefix):
    time.sleep(0.6)
    return telemetry.query(prefix, ("stats", "nodes", "drops", "ifaces", "crypto"))


def between(lo, x, hi):
    return lo <= x <= hi


def node(snap, name, field="packets"):
    return snap["nodes"].get(name, {}).get(field, 0)


def rnsctl(exe, prefix, *args):
    # A few tries: on a loaded 2-core machine a telemetry answer has taken over 5 s (rnsctl's
    # default timeout), the same tolerance telemetry.py's reads have.
    for attempt in range(3):
        out = subprocess.run([exe, "--file-prefix", prefix, "--timeout", "10", *args, "--json"],
                             capture_output=True, text=True, timeout=60)
        if out.returncode == 0:
            return json.loads(out.stdout)
        print(f"rnsctl {' '.join(args)} (try {attempt + 1}): {out.stderr.strip()}")
    raise SystemExit(f"rnsctl {' '.join(args)} failed")


def settle(prefix, sent, ia, ib):
    """Waits (at most 5 s) until telemetry shows the traffic's forwards out of both interfaces:
    the last proofs reach A while the router's 4 Hz snapshot may still predate them."""
    def out(snap, i):
        x = snap["ifaces"][str(i)]
        return x["forwarded_fast"] + x["forwarded_by_control"]
    deadline = time.time() + 5
    while time.time() < deadline:
        snap = raw(prefix)
        if out(snap, ia) >= sent and out(snap, ib) >= sent:
            return


def check_rnsctl(exe, prefix, ready, dest, sent, ia, ib):
    with open(ready) as f:
        tid = f.read().strip()
    settle(prefix, sent, ia, ib)
    before = raw(prefix)
    st = rnsctl(exe, prefix, "status")
    paths = rnsctl(exe, prefix, "paths")
    one = rnsctl(exe, prefix, "paths", dest)
    nodes = rnsctl(exe, prefix, "nodes")
    after = raw(prefix)
    check("status: transport id is the one the router wrote at start", st["transport_id"] == tid)
    check("status: uptime within the raw reads",
          between(before["stats"]["uptime_s"], st["uptime_s"], after["stats"]["uptime_s"]))
    check("status: both interfaces listed", [i["id"] for i in st["interfaces"]] == [0, 1])
    for i in st["interfaces"]:
        lo, hi = before["ifaces"][str(i["id"])], after["ifaces"][str(i["id"])]
        check(f"status: interface {i['id']} name, kind, mode, state as telemetry",
              (i["name"], i["kind"], i["mode"], i["state"]) == (hi["name"], hi["kind"], hi["mode"], hi["state"]))
        check(f"status: interface {i['id']} rx packets = sum of telemetry's rx by type",
              between(sum(lo["rx_" + t] for t in TYPES), i["rx_packets"], sum(hi["rx_" + t] for t in TYPES)))
        check(f"status: interface {i['id']} tx packets = sum of telemetry's tx by type",
              between(sum(lo["tx_" + t] for t in TYPES), i["tx_packets"], sum(hi["tx_" + t] for t in TYPES)))
        check(f"status: interface {i['id']} bytes and fast forwards as telemetry",
              between(lo["rx_bytes"], i["rx_bytes"], hi["rx_bytes"]) and
              between(lo["forwarded_fast"], i["forwarded_fast"], hi["forwarded_fast"]))
    a, b = st["interfaces"][ia], st["interfaces"][ib]
    check("status: peers are the configured forward addresses",
          (a["peer"], b["peer"]) == ("10.213.1.2:4242", "10.213.2.2:4242"))
    check("status: kind dpdk_udp, mode full, up, no IFAC, default bitrate",
          all((i["kind"], i["mode"], i["state"], i["ifac_size"], i["bitrate"]) ==
              ("dpdk_udp", "full", "up", 0, 10000000) for i in st["interfaces"]))
    check("status: B's announce was received on B's interface", b["rx_announce"] >= 1)
    check("status: a path request was received on A's interface", a["path_requests_received"] >= 1)
    # Each of the SENT data packets left on B's interface (fast path or transport), and each proof
    # of them left on A's.
    out_a = a["forwarded_fast"] + a["forwarded_by_control"]
    out_b = b["forwarded_fast"] + b["forwarded_by_control"]
    check(f"status: the {sent} data packets left on B's interface ({out_b})", out_b >= sent)
    check(f"status: their {sent} proofs left on A's interface ({out_a})", out_a >= sent)
    ports = {p["port"]: p for p in st["ports"]}
    check("status: port 1 (towards B) sent at least the data packets and the announce rebroadcast",
          ports.get(1, {}).get("opackets", 0) >= sent)
    rates = (before["ifaces"][str(ib)]["rx_announces_per_hour"], after["ifaces"][str(ib)]["rx_announces_per_hour"])
    check("status: B's announce rate is one of telemetry's (a gauge: before or after)",
          b["rx_announces_per_hour"] in rates or between(min(rates), b["rx_announces_per_hour"], max(rates)))
    mine = [p for p in paths["paths"] if p["destination"] == dest]
    check("paths: B's destination listed, 1 hop, via B's interface, next hop = destination",
          len(mine) == 1 and mine[0]["hops"] == 1 and mine[0]["iface"] == ib and
          mine[0]["interface"] == b["name"] and mine[0]["next_hop"] == dest)
    check("paths: as many as /rns/stats paths", len(paths["paths"]) == paths["total"] == after["stats"]["paths"])
    check("paths: expiry in the future (7 days, spec §6.1)", mine and mine[0]["expires"] > time.time() + 6 * 86400)
    # (timestamp is the path's last use, refreshed by forwarding between the two reads)
    fixed = lambda rows: [{k: v for k, v in r.items() if k != "timestamp"} for r in rows]  # noqa: E731
    check("paths DEST: exactly that path", fixed(one["paths"]) == fixed(mine))
    by = {n["node"]: n for n in nodes["nodes"]}
    for name in ("forward", "proof_forward", "packet_hash"):
        check(f"nodes: {name} packets between the raw reads",
              between(node(before, name), by.get(name, {"packets": 0})["packets"], node(after, name)))
    check(f"nodes: forward + proof_forward carried the {sent} packets and proofs at most once each "
          "(fast or control path)", by["forward"]["packets"] <= sent + 1)
    srcs = [n for n in nodes["nodes"] if n["source"]]
    rx = [n for n in nodes["nodes"] if n["node"].startswith("eth_rx")]
    check("nodes: both eth_rx nodes are sources; no source has cycles per packet",
          len(rx) == 2 and all(n["source"] for n in rx) and all(n["cycles_per_packet"] is None for n in srcs))
    check("nodes: forward, packet_hash, dedup are not sources",
          not any(by[n]["source"] for n in ("forward", "packet_hash", "dedup")))
    fwd = by["forward"]
    check("nodes: forward's cycles per packet = cycles / packets",
          fwd["packets"] == 0 or abs(fwd["cycles_per_packet"] - fwd["cycles"] / fwd["packets"]) < 1e-6)
    raw_drops = after["drops"]
    check("nodes: every data plane drop reason with telemetry's description",
          {d["reason"]: d["description"] for d in nodes["drops"]} ==
          {k[5:]: v["description"] for k, v in raw_drops.items() if isinstance(v, dict)})


def check_prometheus(url, prefix, sent, ia, ib):
    settle(prefix, sent, ia, ib)
    before = raw(prefix)
    with urllib.request.urlopen(url, timeout=30) as r:
        ctype = r.headers.get("Content-Type", "")
        text = r.read().decode()
    after = raw(prefix)
    check("prometheus: text format 0.0.4", ctype.startswith("text/plain") and "version=0.0.4" in ctype)
    try:
        p = prom_parse.parse(text)
    except ValueError as e:
        check(f"prometheus: the output parses ({e})", False)
        return
    check("prometheus: the output parses", True)
    check("prometheus: every family is rnsrouter_..., typed, counters end in _total",
          all(n.startswith("rnsrouter_") for n in p["types"]) and
          all(n.endswith("_total") == (t == "counter") for n, t in p["types"].items()) and
          all(s[0] in p["types"] for s in p["samples"]))

    def sample(name, **labels):
        got = [v for n, l, v in p["samples"] if n == name and all(l.get(k) == x for k, x in labels.items())]
        return got[0] if len(got) == 1 else None

    check("prometheus: transport id label as telemetry",
          sample("rnsrouter_info", transport_id=after["stats"]["transport_id"]) == 1)
    for name in ("forward", "proof_forward", "packet_hash", "eth_rx_p0q0"):
        tel_name = name
        prom_name = {"eth_rx_p0q0": "eth_rx-p0q0"}.get(name, name)
        got = sample("rnsrouter_node_packets_total", node=prom_name)
        check(f"prometheus: node {prom_name} packets between the raw reads",
              got is not None and between(node(before, tel_name), got, node(after, tel_name)))
    for k in ("paths", "interfaces", "announces_accepted", "rx_announces"):
        kind = p["types"].get("rnsrouter_" + k) or p["types"].get("rnsrouter_" + k + "_total")
        got = sample("rnsrouter_" + k) if kind == "gauge" else sample("rnsrouter_" + k + "_total")
        check(f"prometheus: {k} between the raw reads", got is not None and
              between(before["stats"][k], got, after["stats"][k]))
    for i in (ia, ib):
        lo, hi = before["ifaces"][str(i)], after["ifaces"][str(i)]
        for t in TYPES:
            got = sample("rnsrouter_interface_rx_packets_total", id=str(i), type=t, interface=hi["name"])
            check(f"prometheus: interface {i} rx {t} between the raw reads",
                  got is not None and between(lo["rx_" + t], got, hi["rx_" + t]))
        got = sample("rnsrouter_interface_forwarded_fast_total", id=str(i))
        check(f"prometheus: interface {i} fast forwards between the raw reads",
              got is not None and between(lo["forwarded_fast"], got, hi["forwarded_fast"]))
    for k, v in after["drops"].items():
        if isinstance(v, dict):
            got = sample("rnsrouter_datapath_drops_total", reason=k[5:])
            check(f"prometheus: drop {k[5:]} between the raw reads",
                  got is not None and between(before["drops"][k]["packets"], got, v["packets"]))
    b_out = (sample("rnsrouter_interface_forwarded_fast_total", id=str(ib)) or 0) + \
        (sample("rnsrouter_interface_forwarded_by_control_total", id=str(ib)) or 0)
    a_out = (sample("rnsrouter_interface_forwarded_fast_total", id=str(ia)) or 0) + \
        (sample("rnsrouter_interface_forwarded_by_control_total", id=str(ia)) or 0)
    check(f"prometheus: the {sent} data packets left on B's interface, their proofs on A's",
          b_out >= sent and a_out >= sent)
    check("prometheus: B's announce counted on B's interface",
          (sample("rnsrouter_interface_rx_packets_total", id=str(ib), type="announce") or 0) >= 1)
    try:
        urllib.request.urlopen(url.replace("/metrics", "/other"), timeout=10)
        check("prometheus: another path is 404", False)
    except urllib.error.HTTPError as e:
        check("prometheus: another path is 404", e.code == 404)
    try:
        urllib.request.urlopen(urllib.request.Request(url, data=b"x", method="POST"), timeout=10)
        check("prometheus: POST is 405", False)
    except urllib.error.HTTPError as e:
        check("prometheus: POST is 405", e.code == 405)


def main(argv):
    if len(argv) == 9 and argv[1] == "rnsctl":
        check_rnsctl(argv[2], argv[3], argv[4], argv[5], int(argv[6]), int(argv[7]), int(argv[8]))
    elif len(argv) == 7 and argv[1] == "prometheus":
        check_prometheus(argv[2], argv[3], int(argv[4]), int(argv[5]), int(argv[6]))
    else:
        raise SystemExit(__doc__)
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
