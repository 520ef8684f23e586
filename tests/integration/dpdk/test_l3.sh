#!/usr/bin/env bash
# The router's own IP layer over net_af_packet: a namespace resolves the router's address (ARP),
# pings it (ICMP echo), sends it UDP datagrams: a well-formed one reaches the control plane as an
# RNS packet and teaches it the peer; a bad UDP checksum, a wrong port, a bad IP checksum, another
# address and a truncated RNS packet are dropped under their own reasons. The router then stops cleanly on SIGTERM.
source "$(dirname "$0")/lib.sh"

ns=rnsA$T_ID
t_netns "$ns"
t_veth "rdA$T_ID" "$ns" "vA$T_ID" 10.201.0.2/24

t_router r1 - -l 0 --vdev "net_af_packet0,iface=rdA$T_ID" -- \
  --port 0,addr=10.201.0.1/24,udp=4242,learn || exit 1
pid=$T_LAST_PID

t_check "ping the router's address (ARP + ICMP echo)" \
  ip netns exec "$ns" ping -c 3 -i 0.2 -W 1 10.201.0.1
t_check "ARP entry for the router is the port's MAC" \
  bash -c "ip -n $ns neigh show 10.201.0.1 | grep -qi \"$(awk '/^port 0/ {print $6}' "$T_TMP/r1.log" | tr -d ,)\""

# One valid RNS datagram (a HEADER_1 DATA packet to a PLAIN destination, as the reference sends
# path requests) and bad ones, written as whole Ethernet frames on an AF_PACKET socket so the bad
# ones are really bad (the kernel would fix an IP checksum). Fragments cannot be tested this way:
# net_af_packet's fanout asks the kernel to reassemble before delivery.
router_mac=$(awk '/^port 0/ {print $6}' "$T_TMP/r1.log" | tr -d ,)
ip netns exec "$ns" python3 - "vA$T_ID" "$router_mac" <<'PY'
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
PY
sleep 0.5

sleep 0.5 # the control loop refreshes the telemetry snapshot every 250 ms
for c in stats drops nodes; do
  echo "/rns/$c" | timeout 10 dpdk-telemetry.py -f "rnsdp_${T_ID}_r1" >"$T_TMP/tel_$c.json" 2>&1
done
tel_check() { # name python-expression-on-d
  python3 -c 'import json,sys
d = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])[sys.argv[2]]
sys.exit(0 if eval(sys.argv[3]) else 1)' "$T_TMP/tel_$1.json" "/rns/$1" "$2"
}
t_check "telemetry /rns/stats counts the RNS packet punted to the control plane" \
  tel_check stats 'd["punted_rns"] == 1 and d["interfaces"] == 1'
t_check "telemetry /rns/drops names the UDP checksum drop with its description" \
  tel_check drops 'd["drop_udp_checksum"]["packets"] == 1 and "checksum" in d["drop_udp_checksum"]["description"]'
t_check "telemetry /rns/nodes has per-node calls, packets and cycles" \
  tel_check nodes 'all(d["l3_input"][k] > 0 for k in ("calls", "packets", "cycles"))'
t_check "router stops cleanly on SIGTERM" t_stop "$pid"
log=$T_TMP/r1.log
cat "$log"
t_check "one RNS packet reached the control plane" [ "$(t_control "$log" punted_rns)" = 1 ]
t_check "the sender became a learned peer interface" [ "$(t_control "$log" peers_learned)" = 1 ]
t_check "ICMP echo requests answered by the control plane" [ "$(t_control "$log" punted_icmp)" -ge 3 ]
t_check "bad UDP checksum dropped as udp_checksum" [ "$(t_node "$log" drop_udp_checksum)" = 1 ]
t_check "wrong UDP port dropped as udp_port" [ "$(t_node "$log" drop_udp_port)" = 1 ]
t_check "bad IPv4 header checksum dropped as ipv4_checksum" [ "$(t_node "$log" drop_ipv4_checksum)" = 1 ]
t_check "datagram for another address dropped as ip_not_ours" [ "$(t_node "$log" drop_ip_not_ours)" = 1 ]
t_check "2-byte RNS packet from the known peer dropped as rns_short" [ "$(t_node "$log" drop_rns_short)" = 1 ]
t_finish
