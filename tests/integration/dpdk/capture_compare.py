#!/usr/bin/env python3
"""Compares what the router sent to each neighbour of the transport node it played with what that
node sent in the capture: for each neighbour, the distinct datagrams the node forwarded,
rebroadcast or answered must equal the distinct datagrams the router sent there (same bytes;
timing and the number of announce retransmissions may differ). Prints each difference; exit 1 if
any.

    capture_compare.py CAPTURE NODE NEIGHBOUR RECEIVED_JSON [NEIGHBOUR RECEIVED_JSON ...]
"""
import json
import sys


def main():
    capture, node = sys.argv[1:3]
    pairs = list(zip(sys.argv[3::2], sys.argv[4::2]))
    with open(capture) as f:
        packets = json.load(f)["packets"]
    ok = bool(pairs)
    for role, path in pairs:
        expected = {}
        for p in packets:
            if p["sender"] == node and p["receiver"] == role:
                expected.setdefault(p["raw"], "%s #%d" % (p["rns_type"], p["index"]))
        with open(path) as f:
            got = set(json.load(f)["received"])
        missing = [expected[r] for r in expected if r not in got]
        extra = [r for r in got if r not in expected]
        print("%s->%s: %d distinct datagrams expected, %d received, %d missing, %d unexpected"
              % (node, role, len(expected), len(got), len(missing), len(extra)))
        for m in missing:
            print("  missing:", m)
        for e in extra:
            print("  unexpected:", e[:80] + "...")
        ok = ok and not missing and not extra
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
