#!/usr/bin/env python3
"""Classic pcap helpers for the net_pcap capture replay (Ethernet/IPv4/UDP only).

  prepare IN OUT PORT...   keeps the datagrams sent to the given UDP ports, in capture order,
                           with the Ethernet destination set to broadcast (the capture is from a
                           loopback device: all-zero MACs) and IP/UDP checksums recomputed (the
                           kernel leaves loopback checksums unfilled)
  split OUT_PCAP PORT JSON  writes {"received": [hex payload...]} for the datagrams in OUT_PCAP
                           sent to UDP port PORT
"""
import json
import struct
import sys


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    header, off, frames = data[:24], 24, []
    while off + 16 <= len(data):
        ts, tus, incl, orig = struct.unpack(endian + "IIII", data[off:off + 16])
        frames.append((ts, tus, data[off + 16:off + 16 + incl]))
        off += 16 + incl
    return header, endian, frames


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def udp_of(frame):
    """(ip_header_offset, ihl, udp_offset) or None."""
    if len(frame) < 42 or frame[12:14] != b"\x08\x00" or frame[23] != 17:
        return None
    ihl = (frame[14] & 0x0F) * 4
    return 14, ihl, 14 + ihl


def prepare(src, dst, ports):
    header, endian, frames = read(src)
    out = bytearray(header)
    for ts, tus, f in frames:
        u = udp_of(f)
        if u is None:
            continue
        ipo, ihl, uo = u
        dport = struct.unpack("!H", f[uo + 2:uo + 4])[0]
        if dport not in ports:
            continue
        f = bytearray(f)
        f[0:6] = b"\xff" * 6
        f[ipo + 10:ipo + 12] = b"\0\0"
        f[ipo + 10:ipo + 12] = struct.pack("!H", csum(bytes(f[ipo:ipo + ihl])))
        ulen = struct.unpack("!H", f[uo + 4:uo + 6])[0]
        f[uo + 6:uo + 8] = b"\0\0"
        pseudo = bytes(f[ipo + 12:ipo + 20]) + struct.pack("!BBH", 0, 17, ulen)
        f[uo + 6:uo + 8] = struct.pack("!H", csum(pseudo + bytes(f[uo:uo + ulen])) or 0xFFFF)
        out += struct.pack(endian + "IIII", ts, tus, len(f), len(f)) + f
    with open(dst, "wb") as o:
        o.write(out)


def split(path, port, out):
    _, _, frames = read(path)
    got = []
    for _, _, f in frames:
        u = udp_of(f)
        if u is None:
            continue
        _, _, uo = u
        if struct.unpack("!H", f[uo + 2:uo + 4])[0] == port:
            ulen = struct.unpack("!H", f[uo + 4:uo + 6])[0]
            got.append(f[uo + 8:uo + ulen].hex())
    with open(out, "w") as o:
        json.dump({"received": got}, o)


if __name__ == "__main__":
    if sys.argv[1] == "prepare":
        prepare(sys.argv[2], sys.argv[3], {int(p) for p in sys.argv[4:]})
    else:
        split(sys.argv[2], int(sys.argv[3]), sys.argv[4])
