#!/usr/bin/env python3
"""Live A — T — B over loopback UDP: T is rns::control::transport on kernel sockets
(control_udp_node), A and B are rnsprobe endpoints. Checks that B's announce reaches A through
T, that a path request is answered by T from its cache (2 hops, via T), that packets sent with
proofs are delivered and proved back through the reverse table, and that a link through T
carries data with proofs and closes. Also: an unknown destination times out (T's full-mode
interfaces do not search recursively) and T counts every drop under a reason.

usage: test_control_udp.py BUILD_ROOT
"""
import json
import os
import random
import subprocess
import sys
import tempfile
import time

build = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("RNS_BUILD_ROOT", "build")
probe = os.path.join(build, "tools", "rnsprobe")
node = os.path.join(build, "tests", "integration", "control_udp_node")

passed = 0
failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what, flush=True)


def events(text):
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            out.append(json.loads(line))
    return out


def first(evs, name):
    return next((e for e in evs if e.get("event") == name), None)


base = random.randint(20000, 60000 - 10)
a_listen, t_a, t_b, b_listen = base, base + 1, base + 2, base + 3
addr = lambda p: "127.0.0.1:%d" % p

with tempfile.TemporaryDirectory() as tmp:
    t_proc = subprocess.Popen(
        [node, "--identity", os.path.join(tmp, "transport_identity"),
         "--iface", "to_A,%s,%s" % (addr(t_a), addr(a_listen)),
         "--iface", "to_B,%s,%s" % (addr(t_b), addr(b_listen)),
         "--duration", "40"],
        stdout=subprocess.PIPE, text=True)
    ready = json.loads(t_proc.stdout.readline())
    transport_id = ready["transport_id"]
    b_proc = subprocess.Popen(
        [probe, "listen", "--listen", addr(b_listen), "--forward", addr(t_b), "--ratchets",
         "--app-data", "bravo", "--identity", os.path.join(tmp, "b.identity"), "--duration", "35"],
        stdout=subprocess.PIPE, text=True)
    b_ready = json.loads(b_proc.stdout.readline())
    dest = b_ready["destination"]
    time.sleep(1.5)  # B's announce reaches T; T rebroadcasts it (A is not up yet, like the capture)

    def run_a(*args):
        r = subprocess.run([probe, *args, "--listen", addr(a_listen), "--forward", addr(t_a)],
                           stdout=subprocess.PIPE, text=True, timeout=60)
        return r.returncode, events(r.stdout)

    rc, evs = run_a("send", "--dest", dest, "--count", "3", "--data", "hello through T", "--timeout", "8")
    check(rc == 0, "send exits 0 (rc=%d)" % rc)
    path = first(evs, "path")
    check(path is not None and path["hops"] == 2, "path to B is 2 hops: %s" % path)
    check(path is not None and path["next_hop"] == transport_id, "next hop is T")
    ann = first(evs, "announce")
    check(ann is not None and ann["path_response"] and ann["via"] == transport_id and ann["ratchet"]
          and ann["app_data_text"] == "bravo", "A got T's PATH_RESPONSE with B's ratchet and app_data: %s" % ann)
    delivered = [e for e in evs if e.get("event") == "delivered"]
    check(len(delivered) == 3, "3 packets delivered and proved (%d)" % len(delivered))
    check(all(e["hops"] == 2 for e in delivered), "proofs came back over 2 hops")

    rc, evs = run_a("link", "--dest", dest, "--count", "2", "--data", "link data via T", "--timeout", "8")
    check(rc == 0, "link exits 0 (rc=%d)" % rc)
    est = first(evs, "link_established")
    check(est is not None and est["role"] == "initiator", "link established through T")
    check(len([e for e in evs if e.get("event") == "link_delivered"]) == 2, "2 link packets proved")

    rc, evs = run_a("path", "--dest", "00" * 16, "--timeout", "2")
    check(rc == 1 and first(evs, "timeout") is not None, "unknown destination times out")

    time.sleep(0.5)
    b_proc.terminate()
    b_out, _ = b_proc.communicate(timeout=10)
    b_evs = events(b_out)
    check(len([e for e in b_evs if e.get("event") == "data" and e["data"] == "hello through T"]) == 3,
          "B decrypted the 3 packets (with its ratchet)")
    check(any(e.get("event") == "link_established" and e["role"] == "responder" for e in b_evs),
          "B saw the link established")
    check(len([e for e in b_evs if e.get("event") == "link_data"]) == 2, "B got the 2 link messages")
    check(any(e.get("event") == "link_closed" and e["by"] == "peer" for e in b_evs), "B saw the link closed")

    t_proc.terminate()
    t_out, _ = t_proc.communicate(timeout=10)
    stats = events(t_out)[-1]
    print("transport:", json.dumps(stats), flush=True)
    check(stats.get("event") == "stopped", "transport stopped cleanly")
    check(stats["ifaces"]["to_B"]["forwarded"] >= 3 + 1 + 2, "T forwarded data, link request and link data toward B")
    check(stats["ifaces"]["to_A"]["forwarded"] >= 3 + 1 + 2, "T forwarded proofs, LRPROOF and link proofs toward A")
    check(stats["ifaces"]["to_A"]["path_responses_sent"] >= 2, "T answered A's path requests")
    check(stats["paths"] >= 1, "T holds B's path")

print("%d passed, %d failed" % (passed, failed))
sys.exit(0 if failed == 0 else 1)
