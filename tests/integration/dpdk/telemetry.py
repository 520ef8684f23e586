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
import socket
import sys
import time

COMMANDS = ("stats", "nodes", "drops", "ifaces", "io")


def runtime_dir(prefix):
    base = os.environ.get("RUNTIME_DIRECTORY") or ("/var/run/dpdk" if os.geteuid() == 0 else
                                                   os.path.join(os.environ.get("XDG_RUNTIME_DIR", "/tmp"), "dpdk"))
    return os.path.join(base, prefix)


def query(prefix, commands, tries=5):
    path = os.path.join(runtime_dir(prefix), "dpdk_telemetry.v2")
    last = None
    for _ in range(tries):
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as s:
                s.settimeout(5)
                s.connect(path)
                info = json.loads(s.recv(1 << 16).decode())
                size = int(info.get("max_output_len", 1 << 16))
                out = {}
                for c in commands:
                    s.send(("/rns/" + c).encode())
                    out[c] = json.loads(s.recv(size).decode())["/rns/" + c]
                return out
        except (OSError, ValueError, KeyError) as e:  # slow start on a loaded machine
            last = e
            time.sleep(0.5)
    raise SystemExit(f"telemetry {path}: {last}")


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
