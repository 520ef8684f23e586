#!/usr/bin/env python3
"""A path request over UDP/IPv6 from one peer is forwarded to the other two (one learned, one
configured whose MAC the router resolves itself). Exit 0 when both received it from the router.
Usage: l3v6_path_request.py IFNAME ROUTER_MAC (test_l3v6.sh).
"""
import os, socket, struct, sys, time
ifname, router_mac = sys.argv[1], bytes.fromhex(sys.argv[2].replace(':', ''))
router = ('fd00:203::1', 4242)
a = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); a.bind(('fd00:203::2', 5001))
b = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); b.bind(('fd00:203::2', 5002))
# c is a configured peer (peer=[fd00:203::2]:5004) that never sent: the router must resolve its
# MAC itself (NS to ff02::1:ff00:2 on 33:33:ff:00:00:02, answered by the kernel's NA).
c = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); c.bind(('fd00:203::2', 5004))
# HEADER_1 DATA to rnstransport.path.request (destinations.json): dest hash + tag.
def path_request(dest, tag):
    return bytes.fromhex('08006b9f66014d9853faab220fba47d02761' + '00') + dest + tag
b.sendto(path_request(os.urandom(16), os.urandom(16)), router)  # b becomes a learned peer
time.sleep(0.5)
a.sendto(path_request(os.urandom(16), os.urandom(16)), router)
b.settimeout(5)
c.settimeout(5)
ok = True
for name, sock in (('b', b), ('c', c)):
    data, src = sock.recvfrom(1024)
    print('%s received %d bytes from %s' % (name, len(data), src))
    ok = ok and src[0] == 'fd00:203::1' and src[1] == 4242 and data[2:18] == bytes.fromhex('6b9f66014d9853faab220fba47d02761')
sys.exit(0 if ok else 1)