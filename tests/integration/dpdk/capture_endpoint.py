#!/usr/bin/env python3
"""One side (A or B) of a reference capture, replayed against a live router.

Sends every datagram the capture shows this node sending to the transport node, at the
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


def main():
    capture, role, router_ip, router_port, listen_ip, listen_port, start, duration, out = sys.argv[1:10]
    router_port, listen_port = int(router_port), int(listen_port)
    start, duration = float(start), float(duration)
    with open(capture) as f:
        packets = json.load(f)["packets"]
    first = packets[0]["time_rel"]
    mine = []
    for p in packets:
        if p["sender"] == role and p["receiver"] != role:
            needs = {q["raw"] for q in packets[:p["index"]]
                     if q["receiver"] == role and q["sender"] == "T"
                     and q["relation"]["kind"] in ("forwarded", "path_response")}
            mine.append((p["time_rel"] - first + 0.5, bytes.fromhex(p["raw"]), needs))

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
