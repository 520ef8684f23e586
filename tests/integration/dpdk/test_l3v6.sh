#!/usr/bin/env bash
# The router's IPv6 layer over net_af_packet: a namespace resolves the router's IPv6 address
# (neighbour solicitation to the solicited-node group, answered with an advertisement), pings it
# (ICMPv6 echo), and sends RNS over UDP/IPv6 from two sockets: both become learned peers, and a
# path request for an unknown destination from one is forwarded by the router to the other over
# IPv6 (mode=gateway: the reference discovers paths for unknown requests on such interfaces).
# That is the reply path: l3_output's UDP/IPv6 with a valid checksum (else the kernel drops it),
# to the MAC learned from the peer's datagram. A zero UDP checksum, a bad one and another destination address are dropped
# under their own reasons; the IPv4 address on the same port keeps working.
source "$(dirname "$0")/lib.sh"

ns=rnsV$T_ID
t_netns "$ns"
t_veth "rdV$T_ID" "$ns" "vV$T_ID" 10.203.0.2/24
ip -n "$ns" -6 addr add fd00:203::2/64 dev "vV$T_ID" nodad || exit 1

t_router r1 - -l 0 --vdev "net_af_packet0,iface=rdV$T_ID" -- \
  --port 0,addr=10.203.0.1/24,addr=fd00:203::1/64,udp=4242,learn,mode=gateway,peer=[fd00:203::2]:5004 || exit 1
pid=$T_LAST_PID
router_mac=$(awk '/^port 0 \(/ {print $6}' "$T_TMP/r1.log" | tr -d ,)

sleep 0.3
# The router's own NS for its configured peer taught the kernel its MAC: forget it, so the kernel
# must solicit the router (multicast to the solicited-node group) and the router must advertise.
ip -n "$ns" -6 neigh flush dev "vV$T_ID"
t_check "ping -6 the router's address (NS/NA + ICMPv6 echo)" \
  ip netns exec "$ns" ping -6 -c 3 -i 0.2 -W 1 fd00:203::1
t_check "neighbour entry for the router is the port's MAC" \
  bash -c "ip -n $ns -6 neigh show fd00:203::1 | grep -qi \"$router_mac\""
t_check "IPv4 on the same port still answers ping" \
  ip netns exec "$ns" ping -c 2 -i 0.2 -W 1 10.203.0.1

t_check "a path request over UDP/IPv6 is forwarded to the other IPv6 peer" \
  ip netns exec "$ns" python3 - "vV$T_ID" "$router_mac" <<'PY'
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
PY

# Bad IPv6 datagrams as whole Ethernet frames (the kernel would fix a checksum).
ip netns exec "$ns" python3 - "vV$T_ID" "$router_mac" <<'PY'
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
PY
sleep 0.5 # and the control loop refreshes the telemetry snapshot every 250 ms

# The IPv6 counters in DPDK telemetry, while the router runs (the same as printed at stop).
echo /rns/stats | timeout 10 dpdk-telemetry.py -f "rnsdp_${T_ID}_r1" >"$T_TMP/tel_stats.json" 2>&1
t_check "telemetry /rns/stats has the IPv6 counters (NDP punts, echo6, NS/NA sent, none ignored)" \
  python3 -c 'import json,sys
d = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])["/rns/stats"]
sys.exit(0 if d["punted_icmp6"] >= 3 and d["punted_ndp"] >= 1 and d["ndp_solicitations_sent"] >= 1
         and d["ndp_advertisements_sent"] >= 1 and d["ndp_ignored"] == 0 and d["neighbors6"] >= 1 else 1)' \
  "$T_TMP/tel_stats.json"

t_check "router stops cleanly on SIGTERM" t_stop "$pid"
log=$T_TMP/r1.log
cat "$log"
t_check "both IPv6 senders became learned peer interfaces" [ "$(t_control "$log" peers_learned)" = 2 ]
t_check "the router solicited the configured peer itself" [ "$(t_control "$log" solicitations_sent)" -ge 1 ]
t_check "ICMPv6 echo requests answered by the control plane" [ "$(t_control "$log" punted_icmp6)" -ge 3 ]
t_check "neighbour solicitations answered with advertisements" [ "$(t_control "$log" advertisements_sent)" -ge 1 ]
t_check "no malformed neighbour discovery frame seen" [ "$(t_control "$log" ndp_ignored)" = 0 ]
t_check "RNS packets over IPv6 reached the control plane" [ "$(t_control "$log" punted_rns)" -ge 2 ]
t_check "zero UDP checksum over IPv6 dropped as udp6_zero_checksum" [ "$(t_node "$log" drop_udp6_zero_checksum)" = 1 ]
t_check "bad UDP checksum over IPv6 dropped as udp_checksum" [ "$(t_node "$log" drop_udp_checksum)" = 1 ]
t_check "datagram for another IPv6 address dropped as ipv6_not_ours" [ "$(t_node "$log" drop_ipv6_not_ours)" -ge 1 ]
t_check "no IPv6 packet dropped as unsupported" [ "$(t_node "$log" drop_ipv6_unsupported)" = 0 ]
t_finish
