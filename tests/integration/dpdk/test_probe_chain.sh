#!/usr/bin/env bash
# A — r1 — r2 — B with rnsprobe endpoints (real packets, net_af_packet on veths):
# announces propagate with the right hop counts; path requests for a destination unknown to
# router1 are resolved through router2; data flows both ways.
#
# Each side has two endpoints on its namespace address: a host (`rnsprobe listen`, UDP 4243 on
# A, 4242 on B) that announces a destination, proves and logs what it receives, and a client
# port (UDP 4242 on A, 4243 on B) for `rnsprobe path/send/link`. r1's A side is in gateway mode,
# so path requests received there for unknown destinations are searched for (spec §6.9 step 4).
#
# Phase 1, announces and data both ways: each host hears the other's announce 3 hops away (B's
# via r1's transport id, A's via r2's), each client gets a 3-hop path from its router's table,
# A's packets reach B and B's reach A (payloads and hop counts checked at the receiving host,
# proofs checked at the sender), and a link from A to B carries data with proofs.
# Phase 2, discovery: once no announce is pending anywhere, r1 is restarted with the same
# transport identity and an empty state directory, so it has no path at all (checked through
# its telemetry). A fresh client on A asks for B: r1 forwards the request to r2 with the same
# tag, r2 answers from its path table, r1 passes the PATH_RESPONSE to A, which gets B 3 hops
# away via r1 and delivers packets with proofs. The routers' counters confirm each step.
source "$(dirname "$0")/lib.sh"

RNSPROBE=${RNSPROBE:?RNSPROBE must point at the rnsprobe binary}
nsA=cA$T_ID; nsB=cB$T_ID
t_netns "$nsA"; t_netns "$nsB"
t_veth "crA$T_ID" "$nsA" "vcA$T_ID" 10.214.1.2/24
t_veth "crB$T_ID" "$nsB" "vcB$T_ID" 10.214.2.2/24
# r1 and r2 joined by a veth pair in the root namespace (no kernel addresses on it).
ip link add "y1$T_ID" type veth peer name "y2$T_ID" || exit 1
T_LINKS+=("y1$T_ID")
ip link set "y1$T_ID" up; ip link set "y2$T_ID" up
ethtool -K "y1$T_ID" tx off rx off >/dev/null 2>&1; ethtool -K "y2$T_ID" tx off rx off >/dev/null 2>&1

# Interfaces (ids in creation order): r1: 0 A client, 1 A host, 2 toward r2;
#                                     r2: 0 toward r1, 1 B host, 2 B client.
r1_args=(-l 0 --vdev "net_af_packet0,iface=crA$T_ID" --vdev "net_af_packet1,iface=y1$T_ID" --
  --port 0,addr=10.214.1.1/24,udp=4242,forward=10.214.1.2:4242,peer=10.214.1.2:4243,mode=gateway
  --port 1,addr=10.214.3.1/24,udp=4242,forward=10.214.3.2:4242)
t_router R2 - -l 1 --vdev "net_af_packet0,iface=y2$T_ID" --vdev "net_af_packet1,iface=crB$T_ID" -- \
  --port 0,addr=10.214.3.2/24,udp=4242,forward=10.214.3.1:4242 \
  --port 1,addr=10.214.2.1/24,udp=4242,forward=10.214.2.2:4242,peer=10.214.2.2:4243 || exit 1
r2_pid=$T_LAST_PID
t_router R1 - "${r1_args[@]}" || exit 1
r1_pid=$T_LAST_PID
# cond EXPRESSION: a shell condition with several parts, for t_check.
cond() { eval "$1"; }

r1_id=$(tr -d '[:space:]' <"$T_TMP/R1.ready")
r2_id=$(tr -d '[:space:]' <"$T_TMP/R2.ready")
t_check "both routers report a transport id" cond '[ ${#r1_id} -eq 32 ] && [ ${#r2_id} -eq 32 ]'

# ev FILE PYTHON-CONDITION-ON-e: prints how many events of a JSON-lines file satisfy it.
ev() {
  python3 "$T_LIB_DIR/events.py" count "$@" 2>/dev/null || echo 0
}
# wait_ev FILE CONDITION [MIN] [SECONDS]: waits (wall-clock bound) until MIN events satisfy CONDITION.
wait_ev() {
  local f=$1 cond=$2 min=${3:-1} end=$((SECONDS + ${4:-10}))
  while :; do
    [ "$(ev "$f" "$cond")" -ge "$min" ] && return 0
    [ "$SECONDS" -ge "$end" ] && return 1
    sleep 0.2
  done
}
# field FILE EVENT KEY: KEY of the first EVENT.
field() {
  python3 "$T_LIB_DIR/events.py" field "$@" 2>/dev/null
}
# tel NAME KEY: a /rns/stats value from router NAME's DPDK telemetry, now (the router refreshes it
# every 250 ms; telemetry.py retries a slow connection); -1 if no answer.
tel() {
  local v
  v=$(python3 "$T_LIB_DIR/telemetry.py" live "rnsdp_${T_ID}_$1" "$2" 2>/dev/null)
  echo "${v:--1}"
}
# tel_is NAME KEY VALUE: the telemetry value is VALUE (prints what was read).
tel_is() {
  local v; v=$(tel "$1" "$2")
  echo "  telemetry $1 $2 = $v"
  [ "$v" = "$3" ]
}
# iface_field SNAP ID KEY: a per-interface counter from a router's telemetry snapshot (t_stop).
iface_field() { t_iface "$@"; }
# iface_rx SNAP ID TYPE(0 data, 1 announce, 2 linkrequest, 3 proof): packets received there.
iface_rx() {
  local types=(rx_data rx_announce rx_linkrequest rx_proof)
  t_iface "$1" "$2" "${types[$3]}"
}
# host NS NAME LISTEN FORWARD ASPECT: an `rnsprobe listen` host in the background.
host() {
  ip netns exec "$1" "$RNSPROBE" listen --listen "$3" --forward "$4" --app rnstest --aspect "$5" \
    --duration 120 >"$T_TMP/$2.jsonl" 2>"$T_TMP/$2.err" &
  T_PIDS+=("$!")
}
# client NS OUT LISTEN FORWARD DEST COMMAND args...: a bounded rnsprobe client run.
client() {
  local ns=$1 out=$2 listen=$3 fwd=$4 dest=$5 cmd=$6; shift 6
  ip netns exec "$ns" timeout 30 "$RNSPROBE" "$cmd" --listen "$listen" --forward "$fwd" \
    --dest "$dest" --timeout 10 "$@" >"$T_TMP/$out.jsonl" 2>"$T_TMP/$out.err"
}
a_client() { client "$nsA" "$1" 10.214.1.2:4242 10.214.1.1:4242 "$2" "${@:3}"; }
b_client() { client "$nsB" "$1" 10.214.2.2:4243 10.214.2.1:4242 "$2" "${@:3}"; }

# ---- Phase 1: announces propagate both ways with the right hop counts; data both ways.
host "$nsB" bhost 10.214.2.2:4242 10.214.2.1:4242 bravo
host "$nsA" ahost 10.214.1.2:4243 10.214.1.1:4242 alfa
t_check "B's host is up" wait_ev "$T_TMP/bhost.jsonl" 'e["event"] == "ready"' 1 5
t_check "A's host is up" wait_ev "$T_TMP/ahost.jsonl" 'e["event"] == "ready"' 1 5
b_dest=$(field "$T_TMP/bhost.jsonl" ready destination)
a_dest=$(field "$T_TMP/ahost.jsonl" ready destination)
t_check "A's host hears B's announce 3 hops away, rebroadcast by r1" \
  wait_ev "$T_TMP/ahost.jsonl" "e['event'] == 'announce' and e['destination'] == '$b_dest' and e['hops'] == 3 and e['via'] == '$r1_id' and not e['path_response']" 1 10
t_check "B's host hears A's announce 3 hops away, rebroadcast by r2" \
  wait_ev "$T_TMP/bhost.jsonl" "e['event'] == 'announce' and e['destination'] == '$a_dest' and e['hops'] == 3 and e['via'] == '$r2_id' and not e['path_response']" 1 10
t_check "no copy of B's announce reaches A's host with another hop count" \
  [ "$(ev "$T_TMP/ahost.jsonl" "e['event'] == 'announce' and e['destination'] == '$b_dest' and e['hops'] != 3")" = 0 ]
t_check "no copy of A's announce reaches B's host with another hop count" \
  [ "$(ev "$T_TMP/bhost.jsonl" "e['event'] == 'announce' and e['destination'] == '$a_dest' and e['hops'] != 3")" = 0 ]

t_check "A's client gets B 3 hops away via r1 (from r1's path table)" a_client a-path "$b_dest" path
t_check "  ... hops 3, next hop r1" cond '[ "$(field "$T_TMP/a-path.jsonl" path hops)" = 3 ] \
  && [ "$(field "$T_TMP/a-path.jsonl" path next_hop)" = "$r1_id" ]'
t_check "B's client gets A 3 hops away via r2 (from r2's path table)" b_client b-path "$a_dest" path
t_check "  ... hops 3, next hop r2" cond '[ "$(field "$T_TMP/b-path.jsonl" path hops)" = 3 ] \
  && [ "$(field "$T_TMP/b-path.jsonl" path next_hop)" = "$r2_id" ]'

t_check "A -> B: 3 packets delivered and proved" a_client a-send "$b_dest" send --count 3 --data "from A"
t_check "  ... B's host received the 3 payloads, 3 hops away" \
  wait_ev "$T_TMP/bhost.jsonl" "e['event'] == 'data' and e['data'] == 'from A' and e['hops'] == 3" 3 5
t_check "B -> A: 3 packets delivered and proved" b_client b-send "$a_dest" send --count 3 --data "from B"
t_check "  ... A's host received the 3 payloads, 3 hops away" \
  wait_ev "$T_TMP/ahost.jsonl" "e['event'] == 'data' and e['data'] == 'from B' and e['hops'] == 3" 3 5
t_check "A's link to B carries 3 proved messages and closes" \
  a_client a-link "$b_dest" link --count 3 --data "link data"
t_check "  ... B's host received the 3 link messages" \
  wait_ev "$T_TMP/bhost.jsonl" "e['event'] == 'link_data' and e['data'] == 'link data'" 3 5

# ---- Phase 2: a path r1 does not know is resolved through r2.
# Nothing may still be on its way to r1 when it comes back: wait until neither router has an
# announce (rebroadcast, retry or path response) pending.
wait_quiet() {
  local end=$((SECONDS + 30))
  while [ "$SECONDS" -lt "$end" ]; do
    [ "$(tel R1 announce_table)" = 0 ] && [ "$(tel R2 announce_table)" = 0 ] && return 0
    sleep 0.5
  done
  return 1
}
t_check "no announce is pending in r1 or r2 (bounded wait)" wait_quiet
t_check "r1 (first run) stops cleanly" t_stop "$r1_pid"
cp "$T_TMP/R1.state/transport_identity" "$T_TMP/r1.identity"
t_router R1b - "${r1_args[@]}" --identity "$T_TMP/r1.identity" || exit 1
r1b_pid=$T_LAST_PID
t_check "r1 is back with the same transport id" [ "$(tr -d '[:space:]' <"$T_TMP/R1b.ready")" = "$r1_id" ]
sleep 0.6 # two telemetry refreshes
t_check "r1 has no path and knows no destination before A asks" \
  cond 'tel_is R1b paths 0 && tel_is R1b known_destinations 0'

t_check "A's fresh client asks r1 for B and gets a path" a_client a-disc "$b_dest" path
t_check "  ... it had no path: it sent a path request before any announce" \
  [ "$(python3 "$T_LIB_DIR/events.py" names "$T_TMP/a-disc.jsonl" 3)" = "ready,path_request_sent,announce" ]
t_check "  ... the answer is a PATH_RESPONSE for B, 3 hops away, from r1" \
  [ "$(ev "$T_TMP/a-disc.jsonl" "e['event'] == 'announce' and e['destination'] == '$b_dest' and e['path_response'] and e['hops'] == 3 and e['via'] == '$r1_id'")" = 1 ]
t_check "  ... the path is 3 hops via r1" cond '[ "$(field "$T_TMP/a-disc.jsonl" path hops)" = 3 ] \
  && [ "$(field "$T_TMP/a-disc.jsonl" path next_hop)" = "$r1_id" ]'
t_check "A -> B through the rediscovered path: 3 packets delivered and proved" \
  a_client a-send2 "$b_dest" send --count 3 --data "after discovery"
t_check "  ... B's host received them, 3 hops away" \
  wait_ev "$T_TMP/bhost.jsonl" "e['event'] == 'data' and e['data'] == 'after discovery' and e['hops'] == 3" 3 5

t_check "r1 (second run) stops cleanly" t_stop "$r1b_pid"
t_check "r2 stops cleanly" t_stop "$r2_pid"
for l in R1 R1b R2; do echo "== $l"; cat "$T_TMP/$l.log"; done
for f in ahost bhost a-path b-path a-send b-send a-link a-disc a-send2; do
  echo "== $f"; cat "$T_TMP/$f.jsonl" "$T_TMP/$f.err" 2>/dev/null
done

# Phase 1 counters: each router accepted both announces and passed them on.
for r in R1 R2; do
  t_check "$r accepted both hosts' announces (one path each)" \
    [ "$(t_control "$T_TMP/$r.tel.json" paths)" = 2 ]
done
t_check "r1 accepted B's announce from r2 and A's from A's host" \
  cond '[ "$(iface_field "$T_TMP/R1.tel.json" 2 announces_accepted)" = 1 ] && [ "$(iface_field "$T_TMP/R1.tel.json" 1 announces_accepted)" = 1 ]'
t_check "r1 rebroadcast announces toward A and toward r2" \
  cond '[ "$(iface_field "$T_TMP/R1.tel.json" 1 announces_rebroadcast)" -ge 1 ] && [ "$(iface_field "$T_TMP/R1.tel.json" 2 announces_rebroadcast)" -ge 1 ]'
t_check "r1 answered A's clients' path requests from its table, forwarding none" \
  cond '[ "$(iface_field "$T_TMP/R1.tel.json" 0 path_responses_sent)" -ge 3 ] && [ "$(iface_field "$T_TMP/R1.tel.json" 2 path_requests_sent)" = 0 ]'
t_check "r1 forwarded data, proofs and link traffic by the fast path" \
  cond '[ "$(t_node "$T_TMP/R1.tel.json" forward)" -ge 6 ] && [ "$(t_node "$T_TMP/R1.tel.json" proof_forward)" -ge 6 ] \
  && [ "$(t_node "$T_TMP/R1.tel.json" link_forward)" -ge 3 ]'

# Phase 2 counters: the request was searched for through r2 and answered from r2's table.
r1b=$T_TMP/R1b.tel.json
t_check "r1 (second run) received A's path request on the gateway interface" \
  [ "$(iface_field "$r1b" 0 path_requests_received)" -ge 1 ]
t_check "r1 (second run) forwarded it toward r2 and sent no other request there" \
  [ "$(iface_field "$r1b" 2 path_requests_sent)" = 1 ]
t_check "r1 (second run) received exactly one announce, r2's path response, and took the path" \
  cond '[ "$(iface_rx "$r1b" 2 1)" = 1 ] && [ "$(iface_field "$r1b" 2 announces_accepted)" = 1 ] \
  && [ "$(t_control "$r1b" paths)" = 1 ]'
t_check "r1 (second run) sent the path response to A and rebroadcast nothing" \
  cond '[ "$(iface_field "$r1b" 0 path_responses_sent)" -ge 1 ] \
  && [ "$(iface_field "$r1b" 0 announces_rebroadcast)" = 0 ] && [ "$(iface_field "$r1b" 2 announces_rebroadcast)" = 0 ]'
t_check "r2 received the forwarded request from r1 and answered it" \
  cond '[ "$(iface_field "$T_TMP/R2.tel.json" 0 path_requests_received)" = 1 ] \
  && [ "$(iface_field "$T_TMP/R2.tel.json" 0 path_responses_sent)" = 1 ]'
t_check "r1 (second run) forwarded the data and proofs by the fast path" \
  cond '[ "$(t_node "$r1b" forward)" -ge 3 ] && [ "$(t_node "$r1b" proof_forward)" -ge 3 ]'
t_finish
