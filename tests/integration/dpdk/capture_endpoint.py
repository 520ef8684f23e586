#!/usr/bin/env python3
"""One neighbour of a transport node in a reference capture, replayed against a live router that
plays that transport node (capture_plan.py says which nodes and ports).

Sends every datagram the capture shows this neighbour sending to the transport node, at the
capture's relative times (from an ephemeral source port, like the reference UDPInterface), and
records every datagram the router sends to this node's listen port. Causality is kept: a datagram
is sent only once the forwarded datagrams the capture shows arriving here before it have arrived
(e.g. B's LRPROOF waits for the link request), waiting at most 2 s for them. Output: JSON
{"received": [hex...], "sent": n}. Bounded: stops at start + duration.
"""
import json
import select
import socket
import sys
import time

from capture_plan import is_header2_data


def add_abuse(packets, node, node_id, role, peers, mine):
    """Bad traffic mixed into the replay ("abuse" mode); the router must drop each under its own
    reason and still forward everything else exactly like the transport node did.

    The first neighbour (peers[0]): every HEADER_2 DATA packet it sends is sent twice
       (duplicate); at the start a 10-byte packet (malformed), the first announce the node
       received with a corrupted signature, the same announce with hop byte 128 (hop limit) and
       a HEADER_2 packet to an unknown destination via the node.
    The second neighbour (peers[1]): copies of the first neighbour's HEADER_2 DATA packets
       arrive from its side too (the same packet on two interfaces) shortly after the originals.
    """
    out = []
    if role == peers[0]:
        announce = next(bytes.fromhex(p["raw"]) for p in packets
                        if p["receiver"] == node and p["parsed"]["packet_type_name"] == "ANNOUNCE")
        # spec §1.1: header, destination [, transport id], context; spec §5.1: public key (64),
        # name hash (10), random hash (10) [, ratchet (32)], signature (64).
        header = 35 if announce[0] & 0x40 else 19
        ratchet = 32 if announce[0] & 0x20 else 0
        bad_sig = bytearray(announce)
        bad_sig[header + 64 + 10 + 10 + ratchet + 5] ^= 0x01  # a byte inside the signature
        hop_limit = bytearray(announce)
        hop_limit[1] = 128
        unknown = bytes([0x50, 0x00]) + node_id + bytes(range(16)) + b"\x00" + b"unknown destination"
        out += [(0.05, b"\x00\x01" + bytes(8), set()), (0.06, bytes(bad_sig), set()),
                (0.07, bytes(hop_limit), set()), (0.08, unknown, set())]
    for t, raw, needs in mine:
        out.append((t, raw, needs))
        if role == peers[0] and is_header2_data(raw):
            out.append((t + 0.01, raw, set()))
    if len(peers) > 1 and role == peers[1]:
        for p in packets:
            raw = bytes.fromhex(p["raw"])
            if p["sender"] == peers[0] and p["receiver"] == node and is_header2_data(raw):
                out.append((p["time_rel"] - packets[0]["time_rel"] + 0.5 + 0.05, raw, set()))
    out.sort(key=lambda x: x[0])
    return out


def main():
    (capture, node, node_id, peers, role, router_ip, router_port, listen_ip, listen_port, start,
     duration, out) = sys.argv[1:13]
    abuse = len(sys.argv) > 13 and sys.argv[13] == "abuse"
    peers = peers.split(",")
    router_port, listen_port = int(router_port), int(listen_port)
    start, duration = float(start), float(duration)
    with open(capture) as f:
        packets = json.load(f)["packets"]
    first = packets[0]["time_rel"]
    mine = []
    for p in packets:
        if p["sender"] == role and p["receiver"] == node:
            needs = {q["raw"] for q in packets[:p["index"]]
                     if q["receiver"] == role and q["sender"] == node
                     and q["relation"]["kind"] in ("forwarded", "path_response")}
            mine.append((p["time_rel"] - first + 0.5, bytes.fromhex(p["raw"]), needs))

    if abuse:
        mine = add_abuse(packets, node, bytes.fromhex(node_id), role, peers, mine)

    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.bind((listen_ip, listen_port))
    tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    received = []
    sent = 0
    end = start + duration
    while True:
        now = time.time()
        if now >= end:
            break
        while mine and start + mine[0][0] <= now:
            if not mine[0][2] <= set(received) and now < start + mine[0][0] + 2.0:
                break  # what this datagram answers has not arrived yet
            tx.sendto(mine.pop(0)[1], (router_ip, router_port))
            sent += 1
        wake = min(end, start + mine[0][0]) if mine else end
        r, _, _ = select.select([rx], [], [], max(0.0, min(wake - time.time(), 0.05)))
        if r:
            data, _ = rx.recvfrom(2048)
            received.append(data.hex())
    with open(out, "w") as f:
        json.dump({"received": received, "sent": sent}, f)


if __name__ == "__main__":
    main()
