#!/usr/bin/env bash
# Every reference capture (VECTORS_DIR/capture_*.json) replayed live, once per transport node it
# contains: the router plays that node X (X's transport identity from the capture's secrets, one
# port per UDP link of X with X's listen port and the neighbour's forward port, like X's
# UDPInterfaces), and each neighbour of X (an endpoint or another transport node) is replayed
# from its own network namespace at the capture's times (capture_plan.py, capture_endpoint.py).
# What the router sends to each neighbour must be exactly what X sent: rebroadcast announces, the
# path response, forwarded HEADER_2 data (stripped to HEADER_1 at the last hop), proofs back along
# the reverse table, the link request, LRPROOF and link traffic.
#
# Arguments: LCORES (default "0") and MODE ("fast", "slow": --slow-path-only, or "abuse": fast
# path with duplicates, a copy via another interface, a malformed packet, a bad announce
# signature, a hop-limit packet and an unknown destination mixed in, each of which must be
# dropped under its own reason while everything else still matches X).
source "$(dirname "$0")/lib.sh"

lcores=${1:-0}
mode=${2:-fast}
vectors=${VECTORS_DIR:-${RNS_DEFAULT_VECTORS_DIR:?VECTORS_DIR or RNS_DEFAULT_VECTORS_DIR must name the vector folder}}
here=$(cd "$(dirname "$0")" && pwd)
shopt -s nullglob
captures=("$vectors"/capture_*.json)
[ "${#captures[@]}" -gt 0 ] || { echo "FAIL: no capture_*.json in $vectors"; exit 1; }

run=0
# play CAPTURE NODE: one router as NODE against the capture's neighbours of NODE.
play() {
  local capture=$1 node=$2 k pid
  local neighbors node_ports peer_ports node_id expect_forward expect_proof expect_link expect_dups
  eval "$(python3 "$here/capture_plan.py" plan "$capture" "$node")" || return 1
  run=$((run + 1))
  echo "== $(basename "$capture"): router plays $node (transport id $node_id), neighbours ${neighbors[*]}"
  python3 "$here/capture_plan.py" identity "$capture" "$node" "$T_TMP/id_$run" || return 1

  local eal_cores=(-l "$lcores") qp="" vdevs=() ports=() extra=()
  # "2workers": two worker lcores (on the machine's second CPU) beside the control lcore, each
  # port with two queue pairs, so the copies of a packet from two neighbours are handled by
  # different cores.
  if [ "$lcores" = 2workers ]; then
    qp=",qpairs=2"
    eal_cores=(--lcores "0@0,1@1,2@1")
  fi
  [ "$mode" = slow ] && extra+=(--slow-path-only)
  for k in "${!neighbors[@]}"; do
    local net=$((run * 16 + k + 1))
    t_netns "c${run}n${k}_$T_ID"
    t_veth "rc${run}n${k}$T_ID" "c${run}n${k}_$T_ID" "vc${run}n${k}$T_ID" "10.212.$net.2/24"
    vdevs+=(--vdev "net_af_packet$k,iface=rc${run}n${k}$T_ID$qp")
    ports+=(--port "$k,addr=10.212.$net.1/24,udp=${node_ports[$k]},forward=10.212.$net.2:${peer_ports[$k]}")
  done
  t_router "$node$run" - "${eal_cores[@]}" "${vdevs[@]}" -- "${ports[@]}" \
    --identity "$T_TMP/id_$run" "${extra[@]}" || return 1
  pid=$T_LAST_PID
  t_check "router runs as $node (transport id $node_id)" grep -q "$node_id" "$T_TMP/$node$run.ready"

  # Resolve each other's MAC addresses before the replay starts (the capture has no ARP).
  for k in "${!neighbors[@]}"; do
    ip netns exec "c${run}n${k}_$T_ID" ping -c 1 -W 1 "10.212.$((run * 16 + k + 1)).1" >/dev/null
  done
  local start duration=26 pids=() outs=()
  start=$(date +%s.%N | awk '{printf "%.3f", $1 + 1.0}')
  local peers
  peers=$(IFS=,; echo "${neighbors[*]}")
  for k in "${!neighbors[@]}"; do
    local net=$((run * 16 + k + 1))
    ip netns exec "c${run}n${k}_$T_ID" python3 "$here/capture_endpoint.py" "$capture" "$node" \
      "$node_id" "$peers" "${neighbors[$k]}" "10.212.$net.1" "${node_ports[$k]}" "10.212.$net.2" \
      "${peer_ports[$k]}" "$start" "$duration" "$T_TMP/rx_${run}_$k.json" "$mode" &
    pids+=($!)
    outs+=("${neighbors[$k]}" "$T_TMP/rx_${run}_$k.json")
  done
  for k in "${pids[@]}"; do wait "$k"; done

  local log=$T_TMP/$node$run.log tel=$T_TMP/$node$run.tel.json
  t_check "router stops cleanly" t_stop "$pid"
  cat "$log"
  t_check "router sent ${neighbors[*]} exactly what $node sent (modulo timing)" \
    python3 "$here/capture_compare.py" "$capture" "$node" "${outs[@]}"
  if [ "$mode" = abuse ] && [ "${#neighbors[@]}" -ge 2 ]; then
    t_check "duplicates (same and other interface) dropped as duplicate" \
      [ "$(t_node "$tel" drop_duplicate)" = "$expect_dups" ]
    t_check "malformed packet dropped as rns_short" [ "$(t_node "$tel" drop_rns_short)" = 1 ]
    t_check "hop byte 128 dropped as rns_hop_limit" [ "$(t_node "$tel" drop_rns_hop_limit)" = 1 ]
    t_check "bad announce signature dropped as announce_bad_signature" \
      grep -q "control drop announce_bad_signature *1$" "$log"
    t_check "HEADER_2 to an unknown destination dropped as no_path" \
      grep -q "control drop no_path *1$" "$log"
  fi
  if [ "$mode" != slow ]; then
    t_check "HEADER_2 data forwarded by the fast path ($expect_forward in the capture)" \
      [ "$(t_node "$tel" forward)" -ge "$expect_forward" ]
    # The worker that forwards a packet writes its reverse entry before sending it, so every
    # proof finds its entry in the fast path, with one lcore or several, sanitized or not.
    local min_proofs=$expect_proof
    t_check "proofs forwarded by the fast path (at least $min_proofs of $expect_proof)" \
      [ "$(t_node "$tel" proof_forward)" -ge "$min_proofs" ]
    # The same race for link traffic: with separate lcores a packet can reach a worker before the
    # control lcore has published the link entry it needs; it is then forwarded by the control
    # plane (the exact output is checked above).
    local min_link=$expect_link
    [ "$lcores" = 0 ] || min_link=$(( expect_link > 0 ? 1 : 0 ))
    t_check "link traffic forwarded by the fast path (at least $min_link of $expect_link)" \
      [ "$(t_node "$tel" link_forward)" -ge "$min_link" ]
  else
    t_check "nothing forwarded by the fast path" \
      [ "$(( $(t_node "$tel" forward) + $(t_node "$tel" link_forward) + $(t_node "$tel" proof_forward) ))" = 0 ]
  fi
}

for capture in "${captures[@]}"; do
  mapfile -t nodes < <(python3 "$here/capture_plan.py" transports "$capture")
  [ "${#nodes[@]}" -gt 0 ] || t_check "$(basename "$capture") names a transport node" false
  for node in "${nodes[@]}"; do
    play "$capture" "$node" || t_check "set-up for $node of $(basename "$capture")" false
  done
done
t_finish
