#!/usr/bin/env python3
"""One valid RNS datagram from the learned peer, then bad ones (UDP checksum, UDP port, IPv4
checksum, another address, a 2-byte RNS packet), as whole Ethernet frames on an AF_PACKET socket.
Usage: l3_frames.py IFNAME ROUTER_MAC (run in the sender's namespace; test_l3.sh).
"""
import socket, struct, sys
ifname, router_mac = sys.argv[1], bytes.fromhex(sys.argv[2].replace(':', ''))
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b)//2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff
src, ours = socket.inet_aton('10.201.0.2'), socket.inet_aton('10.201.0.1')
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((ifname, 0))
my_mac = s.getsockname()[4]
def frame(payload, dport=4242, bad_udp=False, bad_ip=False, dst=ours):
    udp = struct.pack('!HHHH', 4242, dport, 8 + len(payload), 0) + payload
    c = csum(src + dst + struct.pack('!BBH', 0, 17, len(udp)) + udp) or 0xffff
    if bad_udp: c ^= 0x5555
    udp = udp[:6] + struct.pack('!H', c) + udp[8:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 7, 0x4000, 64, 17, 0, src, dst)
    ip = ip[:10] + struct.pack('!H', csum(ip) ^ (0x1111 if bad_ip else 0)) + ip[12:]
    return router_mac + my_mac + b'\x08\x00' + ip + udp
rns = bytes.fromhex('08006b9f6601b3b3ea4b4f8b1c8b0a7d2761' + '00') + bytes(32)  # PLAIN DATA
import time
s.send(frame(rns))
time.sleep(0.3)  # the control plane learns the peer; later packets take the fast path
for f in (frame(rns, bad_udp=True), frame(rns, dport=4243), frame(rns, bad_ip=True),
          frame(rns, dst=socket.inet_aton('10.201.0.9')), frame(b'\x08\x00')):
    s.send(f)