#!/usr/bin/env python3
"""Hand-made datagrams to port 0 of the router: 3 with the IFAC flag but only 2 + 16 bytes, 2 with
a garbage code, 1 over the MTU plus the code (test_ifac.sh, run in A's namespace).
"""
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('10.214.1.2', 5000))
to = ('10.214.1.1', 4242)
for _ in range(3):
    s.sendto(bytes([0x88, 0x00]) + bytes(16), to)
for i in range(2):
    s.sendto(bytes([0x88, 0x00]) + bytes(range(i, i + 60)), to)
s.sendto(bytes([0x88, 0x00]) + bytes(515), to)
time.sleep(2)