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
  ip netns exec "$ns" python3 "$T_LIB_DIR/l3v6_path_request.py" "vV$T_ID" "$router_mac"

# Bad IPv6 datagrams as whole Ethernet frames (the kernel would fix a checksum).
ip netns exec "$ns" python3 "$T_LIB_DIR/l3v6_frames.py" "vV$T_ID" "$router_mac"
sleep 0.5 # and the control loop refreshes the telemetry snapshot every 250 ms

# The IPv6 counters in DPDK telemetry, while the router runs.
t_snapshot r1
tel=$T_TMP/r1.tel.json
ipv6_counters() {
  [ "$(t_control "$tel" punted_icmp6)" -ge 3 ] && [ "$(t_control "$tel" punted_ndp)" -ge 1 ] &&
    [ "$(t_control "$tel" ndp_solicitations_sent)" -ge 1 ] &&
    [ "$(t_control "$tel" ndp_advertisements_sent)" -ge 1 ] &&
    [ "$(t_control "$tel" ndp_ignored)" = 0 ] && [ "$(t_control "$tel" neighbors6)" -ge 1 ]
}
t_check "telemetry /rns/stats has the IPv6 counters (NDP punts, echo6, NS/NA sent, none ignored)" \
  ipv6_counters

t_check "router stops cleanly on SIGTERM" t_stop "$pid" # takes the final snapshot ($tel)
log=$T_TMP/r1.log
cat "$log"
t_check "both IPv6 senders became learned peer interfaces" [ "$(t_control "$tel" peers_learned)" = 2 ]
t_check "the router solicited the configured peer itself" [ "$(t_control "$tel" ndp_solicitations_sent)" -ge 1 ]
t_check "ICMPv6 echo requests answered by the control plane" [ "$(t_control "$tel" punted_icmp6)" -ge 3 ]
t_check "neighbour solicitations answered with advertisements" [ "$(t_control "$tel" ndp_advertisements_sent)" -ge 1 ]
t_check "no malformed neighbour discovery frame seen" [ "$(t_control "$tel" ndp_ignored)" = 0 ]
t_check "RNS packets over IPv6 reached the control plane" [ "$(t_control "$tel" punted_rns)" -ge 2 ]
t_check "zero UDP checksum over IPv6 dropped as udp6_zero_checksum" [ "$(t_node "$tel" drop_udp6_zero_checksum)" = 1 ]
t_check "bad UDP checksum over IPv6 dropped as udp_checksum" [ "$(t_node "$tel" drop_udp_checksum)" = 1 ]
t_check "datagram for another IPv6 address dropped as ipv6_not_ours" [ "$(t_node "$tel" drop_ipv6_not_ours)" -ge 1 ]
t_check "no IPv6 packet dropped as unsupported" [ "$(t_node "$tel" drop_ipv6_unsupported)" = 0 ]
t_finish
