#!/usr/bin/env python3
"""Hostile, slow and many TCP peers for a router's TCP listener (HDLC framing, spec §10.1).

  tcp_peers.py selftest                      the announce builder against spec Appendix A
  tcp_peers.py garbage PORT SRC              bytes without any FLAG; prints whether the router
                                             closed the connection
  tcp_peers.py slow PORT SRC DEST            a path request for DEST sent one byte at a time; exit
                                             0 when the router's path response (an announce for
                                             DEST) comes back
  tcp_peers.py storm PORT SRC N              N connections from SRC, each closed at once
  tcp_peers.py lazy PORT SRC TRANSPORT_ID N  announces a destination, never reads again; a second
                                             connection then sends N data packets to it through the
                                             router (TRANSPORT_ID: the router's, hex). Prints whether
                                             the router closed the lazy connection
  tcp_peers.py many PORT PREFIX N DEST [S]   N concurrent connections (from PREFIX.x.y, one address
                                             each), each announcing its own
                                             destination once; meanwhile a path request for DEST is
                                             sent every 0.05 s on another connection and the worst
                                             answer time is printed ("pr_max_ms X", "pr_answered Y
                                             of Z": answers within S seconds, default 1); then all
                                             close

All connections go to 127.0.0.1:PORT from source address SRC (any 127.0.0.0/8 address), so the
router's per-address rules (spec §10.1 listener flap guard) see each role apart. Announces are
signed with Ed25519 from python3-cryptography (exit 77 without it: the caller skips loudly).
"""
import hashlib
import os
import select
import socket
import struct
import sys
import time

FLAG, ESC = 0x7E, 0x7D
PATH_REQUEST_DEST = None  # computed below


def sha(b):
    return hashlib.sha256(b).digest()


def frame(pkt):
    out = bytearray([FLAG])
    for b in pkt:
        if b == ESC:
            out += bytes([ESC, 0x5D])
        elif b == FLAG:
            out += bytes([ESC, 0x5E])
        else:
            out.append(b)
    out.append(FLAG)
    return bytes(out)


class Deframer:
    def __init__(self):
        self.buf = bytearray()
        self.inside = False
        self.esc = False

    def feed(self, data):
        out = []
        for b in data:
            if b == FLAG:
                if self.inside and self.buf:
                    out.append(bytes(self.buf))
                self.buf = bytearray()
                self.inside = True
                self.esc = False
            elif self.inside:
                if self.esc:
                    self.buf.append(b ^ 0x20)
                    self.esc = False
                elif b == ESC:
                    self.esc = True
                else:
                    self.buf.append(b)
        return out


def name_hash(name):
    return sha(name.encode())[:10]


PATH_REQUEST_DEST = sha(name_hash("rnstransport.path.request"))[:16]


def path_request(dest, tag):
    # spec §6.9: DATA, PLAIN, HEADER_1, BROADCAST, context NONE; data dest ‖ tag.
    return bytes([0x08, 0x00]) + PATH_REQUEST_DEST + b"\x00" + dest + tag


def announce(private64, app, random_hash, app_data=b""):
    """An announce (spec §5.2) for app under the identity private64 (X25519 ‖ Ed25519 seed)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519, x25519
    raw = serialization.Encoding.Raw, serialization.PublicFormat.Raw
    x_pub = x25519.X25519PrivateKey.from_private_bytes(private64[:32]).public_key().public_bytes(*raw)
    signer = ed25519.Ed25519PrivateKey.from_private_bytes(private64[32:])
    public = x_pub + signer.public_key().public_bytes(*raw)
    nh = name_hash(app)
    dest = sha(nh + sha(public)[:16])[:16]
    signature = signer.sign(dest + public + nh + random_hash + app_data)
    return dest, bytes([0x01, 0x00]) + dest + b"\x00" + public + nh + random_hash + signature + app_data


def fresh_announce(app):
    rnd = os.urandom(5) + int(time.time()).to_bytes(5, "big")
    return announce(os.urandom(64), app, rnd)


def connect(port, src):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((src, 0))
    s.settimeout(10)
    s.connect(("127.0.0.1", port))
    return s


def closed_by_peer(s, timeout):
    """True when the peer closes s within timeout (what arrives meanwhile is discarded)."""
    s.settimeout(timeout)
    end = time.time() + timeout
    try:
        while time.time() < end:
            if s.recv(65536) == b"":
                return True
    except (socket.timeout, OSError) as e:
        return not isinstance(e, socket.timeout)
    return False


def wait_announce_for(s, dest, timeout, deframer=None):
    d = deframer or Deframer()
    end = time.time() + timeout
    while time.time() < end:
        r, _, _ = select.select([s], [], [], max(0.0, end - time.time()))
        if not r:
            break
        data = s.recv(65536)
        if not data:
            return False
        for pkt in d.feed(data):
            # HEADER_1 announce: flags & 3 == 1, dest at 2..18; HEADER_2: dest at 18..34.
            if len(pkt) >= 19 and pkt[0] & 0x03 == 1:
                at = 18 if pkt[0] & 0x40 else 2
                if pkt[at:at + 16] == dest:
                    return True
    return False


def cmd_selftest():
    # spec Appendix A: private key 00..3f, testapp.aspect1, random hash 0102030405 ‖ 006553f100.
    dest, pkt = announce(bytes(range(64)), "testapp.aspect1", bytes.fromhex("0102030405006553f100"), b"hello")
    want = bytes.fromhex(
        "0100413247f811437cfd61277a58d9491e1000"
        "8f40c5adb68f25624ae5b214ea767a6ec94d829d3d7b5e1ad1ba6f3e2138285f29acbae141bccaf0b22e1a94d34d0bc7361e526d0bfe12c89794bc9322966dd7"
        "fca709a4818d4e0c78a00102030405006553f100"
        "d22f87567449f597422855837efe8b44c4fb648db43fd0a118c5a5394ed73cc9cb5a66858e4893fd628d0444214a75d7d446b36df92f0e745b3a483506065d0e"
        "68656c6c6f")
    ok = pkt == want and dest.hex() == "413247f811437cfd61277a58d9491e10"
    print("selftest", "ok" if ok else "MISMATCH")
    return 0 if ok else 1


def cmd_garbage(port, src):
    s = connect(port, src)
    junk = bytes((i * 7 + 1) % 256 for i in range(65536)).replace(b"\x7e", b"\x00")
    try:
        s.sendall(junk)
    except OSError:
        pass
    print("garbage_closed", int(closed_by_peer(s, 5)))
    return 0


def cmd_slow(port, src, dest_hex):
    s = connect(port, src)
    dest = bytes.fromhex(dest_hex)
    d = Deframer()
    for b in frame(path_request(dest, os.urandom(16))):
        s.send(bytes([b]))
        time.sleep(0.01)
    ok = wait_announce_for(s, dest, 5, d)
    print("slow_answered", int(ok))
    return 0 if ok else 1


def cmd_storm(port, src, n):
    for _ in range(n):
        try:
            s = connect(port, src)
            s.close()
        except OSError:
            pass
        time.sleep(0.01)
    return 0


def cmd_lazy(port, src, transport_hex, n):
    lazy = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lazy.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a small window: fills sooner
    lazy.bind((src, 0))
    lazy.connect(("127.0.0.1", port))
    dest, pkt = fresh_announce("rnstest.lazy")
    lazy.sendall(frame(pkt))
    time.sleep(1.5)  # the announce is validated and its path published
    good = connect(port, "127.0.0.1")
    transport = bytes.fromhex(transport_hex)
    payload = os.urandom(400)
    for i in range(n):
        # HEADER_2 DATA to SINGLE dest via the router (spec §4.2: flags 0x50), unique payloads.
        data = bytes([0x50, 0x00]) + transport + dest + b"\x00" + struct.pack(">I", i) + payload
        try:
            good.sendall(frame(data))
        except OSError:
            break
        if i % 64 == 63:
            time.sleep(0.005)
    print("lazy_closed", int(closed_by_peer(lazy, 10)))
    good.close()
    return 0


def cmd_many(port, prefix, n, dest_hex, deadline):
    import selectors
    dest = bytes.fromhex(dest_hex)
    probe = connect(port, "127.0.0.1")
    pd = Deframer()
    sel = selectors.DefaultSelector()
    conns = []
    worst = 0.0
    answered = asked = 0
    next_pr = 0.0

    def drain():  # the clients read what the router sends them (rebroadcast announces)
        for key, _ in sel.select(0):
            try:
                key.fileobj.recv(65536)
            except OSError:
                pass

    def ask():
        nonlocal worst, answered, asked
        asked += 1
        t0 = time.time()
        probe.sendall(frame(path_request(dest, os.urandom(16))))
        if wait_announce_for(probe, dest, deadline, pd):
            answered += 1
        worst = max(worst, time.time() - t0)

    for i in range(n):
        s = connect(port, "%s.%d.%d" % (prefix, i // 200, i % 200 + 1))  # one client per address
        s.sendall(frame(fresh_announce("rnstest.many")[1]))
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
        conns.append(s)
        if time.time() >= next_pr:
            ask()
            next_pr = time.time() + 0.05
        drain()
    ask()
    # The last announces are handled while every client is connected (3 s, or 3 x the answer
    # deadline where that is longer: sanitized builds).
    end = time.time() + 3.0 * max(1.0, deadline)
    while time.time() < end:
        drain()
        time.sleep(0.01)
    print("pr_max_ms", int(worst * 1000))
    print("pr_answered", answered, "of", asked)
    print("connected", len(conns))
    for s in conns:
        sel.unregister(s)
        s.close()
    probe.close()
    return 0


def main(argv):
    try:
        import cryptography  # noqa: F401
    except ImportError:
        if len(argv) > 1 and argv[1] in ("selftest", "lazy", "many"):
            print("SKIP: python3-cryptography is needed to sign announces", file=sys.stderr)
            return 77
    if len(argv) == 2 and argv[1] == "selftest":
        return cmd_selftest()
    if len(argv) == 4 and argv[1] == "garbage":
        return cmd_garbage(int(argv[2]), argv[3])
    if len(argv) == 5 and argv[1] == "slow":
        return cmd_slow(int(argv[2]), argv[3], argv[4])
    if len(argv) == 5 and argv[1] == "storm":
        return cmd_storm(int(argv[2]), argv[3], int(argv[4]))
    if len(argv) == 6 and argv[1] == "lazy":
        return cmd_lazy(int(argv[2]), argv[3], argv[4], int(argv[5]))
    if len(argv) in (6, 7) and argv[1] == "many":
        return cmd_many(int(argv[2]), argv[3], int(argv[4]), argv[5], float(argv[6]) if len(argv) == 7 else 1.0)
    raise SystemExit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
