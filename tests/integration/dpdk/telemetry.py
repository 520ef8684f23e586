#!/usr/bin/env python3
"""A running rnsrouter's counters, read from its DPDK telemetry socket (/rns/... commands).

  telemetry.py snapshot FILE_PREFIX OUT.json   /rns/stats, /rns/nodes, /rns/drops, /rns/ifaces,
                                               /rns/io (kernel interfaces; null without them)
                                               into one JSON object {"stats": ..., "nodes": ...}
  telemetry.py get SNAPSHOT.json SECTION KEY [FIELD]
                                               one value of a snapshot; a graph node that never
                                               saw a packet counts 0 (FIELD: packets, calls, ...)
  telemetry.py live FILE_PREFIX KEY            one /rns/stats value, now

The socket is DPDK's telemetry v2 protocol: SOCK_SEQPACKET under the EAL runtime directory; the
router answers with JSON {"<command>": <value>}.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "..", "..", "tools"))
import rns_telemetry  # noqa: E402  (the one telemetry client: tools/rns_telemetry.py)

COMMANDS = ("stats", "nodes", "drops", "ifaces", "io")


def query(prefix, commands, tries=5):
    try:
        answers = rns_telemetry.query(prefix, ["/rns/" + c for c in commands], tries=tries)
    except rns_telemetry.NotRunning as e:  # slow start on a loaded machine: tries exhausted
        raise SystemExit(f"telemetry {rns_telemetry.socket_path(prefix)}: {e}")
    return {c: answers["/rns/" + c] for c in commands}


def get(snapshot, section, key, field=None):
    with open(snapshot) as f:
        data = json.load(f)[section]
    # Telemetry names may only hold [A-Za-z0-9_/]: the router publishes "eth_rx-p0q0" as eth_rx_p0q0.
    key = "".join(c if c.isalnum() or c in "_/" else "_" for c in key)
    if key not in data:
        if section == "nodes":
            return 0
        raise SystemExit(f"{snapshot}: no {section} {key}")
    value = data[key]
    return value[field] if field is not None else value


def main(argv):
    if len(argv) == 4 and argv[1] == "snapshot":
        snap = query(argv[2], COMMANDS)
        with open(argv[3], "w") as f:
            json.dump(snap, f, indent=1)
    elif len(argv) in (5, 6) and argv[1] == "get":
        print(get(argv[2], argv[3], argv[4], argv[5] if len(argv) == 6 else None))
    elif len(argv) == 4 and argv[1] == "live":
        print(query(argv[2], ("stats",))["stats"][argv[3]])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
