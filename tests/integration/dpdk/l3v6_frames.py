#!/usr/bin/env python3
"""Bad IPv6 datagrams as whole Ethernet frames on an AF_PACKET socket (the kernel would fix a
checksum). Usage: l3v6_frames.py IFNAME ROUTER_MAC (test_l3v6.sh).
"""
import socket, struct, sys
ifname, router_mac = sys.argv[1], bytes.fromhex(sys.argv[2].replace(':', ''))
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b)//2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff
src = socket.inet_pton(socket.AF_INET6, 'fd00:203::2')
ours = socket.inet_pton(socket.AF_INET6, 'fd00:203::1')
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind((ifname, 0))
my_mac = s.getsockname()[4]
def frame(payload, zero=False, bad=False, dst=ours):
    udp = struct.pack('!HHHH', 5003, 4242, 8 + len(payload), 0) + payload
    c = csum(src + dst + struct.pack('!IxxxB', len(udp), 17) + udp) or 0xffff
    if bad: c ^= 0x5555
    if zero: c = 0
    udp = udp[:6] + struct.pack('!H', c) + udp[8:]
    ip = struct.pack('!IHBB16s16s', 6 << 28, len(udp), 17, 64, src, dst)
    return router_mac + my_mac + b'\x86\xdd' + ip + udp
rns = bytes.fromhex('08006b9f6601b3b3ea4b4f8b1c8b0a7d2761' + '00') + bytes(32)
for f in (frame(rns, zero=True), frame(rns, bad=True),
          frame(rns, dst=socket.inet_pton(socket.AF_INET6, 'fd00:203::9'))):
    s.send(f)