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
ip netns exec "$ns" python3 "$T_LIB_DIR/l3_frames.py" "vA$T_ID" "$router_mac"
sleep 0.5

t_snapshot r1
tel=$T_TMP/r1.tel.json
tel_get() { python3 "$T_LIB_DIR/telemetry.py" get "$tel" "$@"; }
punt_counted() { [ "$(t_control "$tel" punted_rns)" = 1 ] && [ "$(t_control "$tel" interfaces)" = 1 ]; }
checksum_drop_named() {
  [ "$(tel_get drops drop_udp_checksum packets)" = 1 ] &&
    tel_get drops drop_udp_checksum description | grep -q checksum
}
node_counters() {
  local k
  for k in calls packets cycles; do [ "$(tel_get nodes l3_input "$k")" -gt 0 ] || return 1; done
}
t_check "telemetry /rns/stats counts the RNS packet punted to the control plane" punt_counted
t_check "telemetry /rns/drops names the UDP checksum drop with its description" checksum_drop_named
t_check "telemetry /rns/nodes has per-node calls, packets and cycles" node_counters
t_check "router stops cleanly on SIGTERM" t_stop "$pid" # takes the final snapshot ($tel)
log=$T_TMP/r1.log
cat "$log"
t_check "one RNS packet reached the control plane" [ "$(t_control "$tel" punted_rns)" = 1 ]
t_check "the sender became a learned peer interface" [ "$(t_control "$tel" peers_learned)" = 1 ]
t_check "ICMP echo requests answered by the control plane" [ "$(t_control "$tel" punted_icmp)" -ge 3 ]
t_check "bad UDP checksum dropped as udp_checksum" [ "$(t_node "$tel" drop_udp_checksum)" = 1 ]
t_check "wrong UDP port dropped as udp_port" [ "$(t_node "$tel" drop_udp_port)" = 1 ]
t_check "bad IPv4 header checksum dropped as ipv4_checksum" [ "$(t_node "$tel" drop_ipv4_checksum)" = 1 ]
t_check "datagram for another address dropped as ip_not_ours" [ "$(t_node "$tel" drop_ip_not_ours)" = 1 ]
t_check "2-byte RNS packet from the known peer dropped as rns_short" [ "$(t_node "$tel" drop_rns_short)" = 1 ]
t_finish
