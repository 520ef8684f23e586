#!/usr/bin/env python3
"""TCP peers for tools/bench/run tcp (HDLC framing, spec §10.1). Not a test.

  tcp_load.py sink PORT SRC SECONDS READY_FILE
      connects, announces a fresh destination (its hash goes to READY_FILE), then counts the
      frames the router sends until nothing arrived for 1 s after traffic (some hundreds of
      frames) began, or SECONDS;
      prints "sink frames N seconds S" (S: first to last byte received)
  tcp_load.py blast PORT SRC TRANSPORT_ID DEST PAYLOAD SECONDS
      HEADER_2 DATA to DEST through the router (TRANSPORT_ID, hex) with PAYLOAD-byte payloads,
      each one distinct (a counter in the payload, so the duplicate filter of spec §6.3 passes
      them), as fast as the socket takes them for SECONDS; prints "blast sent N seconds S"
  tcp_load.py hold PORT PREFIX N SECONDS
      N idle connections (source addresses PREFIX.x.y) held for SECONDS, then closed; prints
      "hold open N"

Framing and announces come from the integration tests' peer module (tcp_peers.py).
"""
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests",
                                "integration", "dpdk"))
import tcp_peers as tp  # noqa: E402

# Counter digits avoid FLAG (0x7E) and ESC (0x7D), so a framed template needs no re-escaping.
DIGITS = [bytes([0x30 + a, 0x30 + b]) for a in range(64) for b in range(64)]


# A new connection becomes a router interface a moment after it is accepted; what arrives before
# that is dropped (counted as unknown interface), so peers wait before their first packet.
SETTLE = 0.5


def drain(s):
    """Reads and discards what the router sends (its announces and path requests), so that it
    never closes this connection for not reading."""
    try:
        while s.recv(1 << 16):
            pass
    except OSError:
        pass


def sink(port, src, seconds, ready_file):
    s = tp.connect(int(port), src)
    time.sleep(SETTLE)
    dest, ann = tp.fresh_announce("rnsbench.tcp")
    s.sendall(tp.frame(ann))
    with open(ready_file, "w") as f:
        f.write(dest.hex() + "\n")
    s.settimeout(0.2)
    flags = 0
    first = last = None
    deadline = time.monotonic() + float(seconds)
    while time.monotonic() < deadline:
        try:
            data = s.recv(1 << 20)
        except socket.timeout:
            # Quiet for 1 s once the traffic came (the router's own packets, e.g. the
            # rebroadcast of our announce, are a few frames and do not count as traffic).
            if flags > 1000 and time.monotonic() - last > 1.0:
                break
            continue
        if not data:
            break
        now = time.monotonic()
        first = first or now
        last = now
        flags += data.count(b"\x7e")
    s.close()
    print(f"sink frames {flags // 2} seconds {(last - first) if first else 0:.3f}", flush=True)


def blast(port, src, transport_id, dest, payload, seconds):
    tid = bytes.fromhex(transport_id)
    dst = bytes.fromhex(dest)
    filler = b"\x5a" * (int(payload) - 4)
    marker = b"\x7f\x7f\x7f\x7f"  # replaced by the counter after framing (never escaped)
    # spec §4.2: HEADER_2 (0x40) | TRANSPORT (0x10) | SINGLE | DATA, hops 0, transport id, dest,
    # context NONE, payload.
    framed = tp.frame(bytes([0x50, 0x00]) + tid + dst + b"\x00" + marker + filler)
    at = framed.index(marker)
    pre, post = framed[:at], framed[at + 4:]
    s = tp.connect(int(port), src)
    threading.Thread(target=drain, args=(s,), daemon=True).start()
    time.sleep(SETTLE)
    chunk = 4096
    sent = 0
    start = time.monotonic()
    end = start + float(seconds)
    i = 0
    while time.monotonic() < end:
        blob = b"".join(pre + DIGITS[(k >> 12) & 4095] + DIGITS[k & 4095] + post
                        for k in range(i, i + chunk))
        i += chunk
        s.sendall(blob)
        sent += chunk
    elapsed = time.monotonic() - start
    s.close()
    print(f"blast sent {sent} seconds {elapsed:.3f}", flush=True)


def hold(port, prefix, n, seconds):
    socks = []
    for k in range(int(n)):
        src = f"{prefix}.{1 + k // 250}.{1 + k % 250}"
        c = tp.connect(int(port), src)
        threading.Thread(target=drain, args=(c,), daemon=True).start()
        socks.append(c)
    print(f"hold open {len(socks)}", flush=True)
    time.sleep(float(seconds))
    for s in socks:
        s.close()


def main(argv):
    cmds = {"sink": (sink, 4), "blast": (blast, 6), "hold": (hold, 4)}
    if len(argv) < 2 or argv[1] not in cmds or len(argv) - 2 != cmds[argv[1]][1]:
        print(__doc__, file=sys.stderr)
        return 2
    cmds[argv[1]][0](*argv[2:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
