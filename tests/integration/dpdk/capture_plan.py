#!/usr/bin/env python3
"""What a reference capture (capture_*.json) asks of a router that plays one of its transport nodes.

The capture's topology names its transport nodes and its UDP links (each a pair of reference
UDPInterfaces: listen_port/forward_port); its secrets hold each transport node's identity. A router
plays one transport node X at a time: every link of X becomes a port of the router, and each
neighbour of X (endpoint or another transport node) is replayed from the capture.

  transports CAPTURE          the transport nodes, one per line
  identity CAPTURE NODE OUT   writes NODE's 64-byte transport identity to OUT
  plan CAPTURE NODE           shell assignments (eval them): node_id, neighbors, node_ports,
                              peer_ports, and what the fast path must have forwarded:
                              expect_forward (HEADER_2 data addressed to NODE), expect_proof
                              (proofs sent back along reverse entries), expect_link (link
                              traffic), expect_dups (duplicates "abuse" mode adds)
"""
import json
import sys


def load(path):
    with open(path) as f:
        return json.load(f)


def transports(cap):
    return list(cap["topology"]["transport_nodes"])


def node_id(cap, node):
    return cap["identities"]["transport_nodes"][node]["transport_identity_hash"]


def links(cap, node):
    """(neighbour, node's listen port, neighbour's listen port) for each UDP link of node, in the
    capture's order."""
    out = []
    for link in cap["topology"]["udp_links"]:
        if link["a"] == node:
            out.append((link["b"], link["a_listen_port"], link["b_listen_port"]))
        elif link["b"] == node:
            out.append((link["a"], link["b_listen_port"], link["a_listen_port"]))
    return out


def forwarded_by(packets, node):
    """Indexes of the packets node forwarded (relation "forwarded", by node)."""
    return {p["relation"]["from_index"] for p in packets
            if p["sender"] == node and p["relation"].get("kind") == "forwarded"
            and p["relation"].get("by") == node}


def expectations(cap, node):
    packets = cap["packets"]
    tid = node_id(cap, node)
    fwd = forwarded_by(packets, node)
    seen = {"forward": set(), "proof": set(), "link": set()}
    for p in packets:
        if p["receiver"] != node or p["index"] not in fwd:
            continue
        q = p["parsed"]
        kind = q["packet_type_name"]
        if kind in ("ANNOUNCE", "LINKREQUEST"):
            continue  # control plane: spec §6.2 (announces), §6.5 (link table entries)
        if q["header_type_name"] == "HEADER_2" and q.get("transport_id") == tid:
            seen["forward"].add(p["raw"])  # spec §6.4
        elif q["destination_type_name"] == "LINK" and q["context_name"] != "LRPROOF":
            seen["link"].add(p["raw"])  # spec §6.5
        elif kind == "PROOF" and q["context_name"] not in ("LRPROOF", "RESOURCE_PRF"):
            seen["proof"].add(p["raw"])  # spec §6.11
    return {k: len(v) for k, v in seen.items()}


def injected_duplicates(cap, node):
    """The "abuse" replay (capture_endpoint.py) sends every HEADER_2 DATA packet of the first
    neighbour twice and has the second neighbour send a copy of each: two duplicates per packet."""
    nbs = links(cap, node)
    if len(nbs) < 2:
        return 0
    first = nbs[0][0]
    raws = {p["raw"] for p in cap["packets"] if p["sender"] == first and p["receiver"] == node
            and is_header2_data(bytes.fromhex(p["raw"]))}
    return 2 * len(raws)


def is_header2_data(raw):
    """HEADER_2 (flags bit 6) and packet type DATA (low two bits 0): spec §1.1."""
    return bool(raw[0] & 0x40) and raw[0] & 0x03 == 0


def main():
    cmd = sys.argv[1]
    cap = load(sys.argv[2])
    if cmd == "transports":
        print("\n".join(transports(cap)))
    elif cmd == "identity":
        key = bytes.fromhex(cap["secrets"][sys.argv[3] + ".transport_identity"])
        if len(key) != 64:
            sys.exit("identity of %s is %d bytes, not 64" % (sys.argv[3], len(key)))
        with open(sys.argv[4], "wb") as f:
            f.write(key)
    elif cmd == "plan":
        node = sys.argv[3]
        nbs = links(cap, node)
        if not nbs:
            sys.exit("transport node %s has no UDP link in the capture" % node)
        e = expectations(cap, node)
        print("node_id=%s" % node_id(cap, node))
        print("neighbors=(%s)" % " ".join(n for n, _, _ in nbs))
        print("node_ports=(%s)" % " ".join(str(p) for _, p, _ in nbs))
        print("peer_ports=(%s)" % " ".join(str(p) for _, _, p in nbs))
        print("expect_forward=%d expect_proof=%d expect_link=%d expect_dups=%d"
              % (e["forward"], e["proof"], e["link"], injected_duplicates(cap, node)))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
