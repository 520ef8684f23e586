#!/usr/bin/env python3
"""Compares what the router sent to A and B with what the reference transport node T sent in the
capture (capture_transport.json): for each side, the distinct datagrams T forwarded, rebroadcast
or answered must equal the distinct datagrams the router sent there (same bytes; timing and the
number of announce retransmissions may differ). Prints each difference; exit 1 if any."""
import json
import sys


def main():
    capture, got_a, got_b = sys.argv[1:4]
    with open(capture) as f:
        packets = json.load(f)["packets"]
    ok = True
    for role, path in (("A", got_a), ("B", got_b)):
        expected = {}
        for p in packets:
            if p["sender"] == "T" and p["receiver"] == role:
                expected.setdefault(p["raw"], "%s #%d" % (p["rns_type"], p["index"]))
        with open(path) as f:
            got = set(json.load(f)["received"])
        missing = [expected[r] for r in expected if r not in got]
        extra = [r for r in got if r not in expected]
        print("T->%s: %d distinct datagrams expected, %d received, %d missing, %d unexpected"
              % (role, len(expected), len(got), len(missing), len(extra)))
        for m in missing:
            print("  missing:", m)
        for e in extra:
            print("  unexpected:", e[:80] + "...")
        ok = ok and not missing and not extra
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
