#!/usr/bin/env bash
# Every reference capture (VECTORS_DIR/capture_*.json with its .pcap) replayed into the router
# through net_pcap, once per transport node X it contains: the datagrams X's neighbours sent to
# X, in capture order, as fast as the port reads them. The router holds X's identity (the
# capture's secrets) and X's addressing: 127.0.0.1, one listener per UDP link of X (X's listen
# port, sending to the neighbour's), like X's UDPInterfaces. It runs on for the rebroadcast
# timers, then everything it transmitted (net_pcap tx_pcap) is split by destination port and
# compared with what X sent to each neighbour: the same distinct datagrams. Timing is not
# replayed, so here most decisions are taken by the control plane (in order, through the punt
# ring); test_capture_live.sh covers the fast path.
source "$(dirname "$0")/lib.sh"

vectors=${VECTORS_DIR:-${RNS_DEFAULT_VECTORS_DIR:?VECTORS_DIR or RNS_DEFAULT_VECTORS_DIR must name the vector folder}}
here=$(cd "$(dirname "$0")" && pwd)
shopt -s nullglob
captures=("$vectors"/capture_*.json)
[ "${#captures[@]}" -gt 0 ] || { echo "FAIL: no capture_*.json in $vectors"; exit 1; }

run=0
play() { # CAPTURE PCAP NODE
  local capture=$1 pcap=$2 node=$3 k pid
  local neighbors node_ports peer_ports node_id expect_forward expect_proof expect_link expect_dups
  eval "$(python3 "$here/capture_plan.py" plan "$capture" "$node")" || return 1
  run=$((run + 1))
  echo "== $(basename "$capture"): router plays $node (transport id $node_id), neighbours ${neighbors[*]}"
  python3 "$here/capture_plan.py" identity "$capture" "$node" "$T_TMP/id_$run" || return 1
  python3 "$here/pcap_tool.py" prepare "$pcap" "$T_TMP/in_$run.pcap" "${node_ports[@]}" || return 1
  local ports=()
  for k in "${!neighbors[@]}"; do
    ports+=(--port "0,addr=127.0.0.1/8,udp=${node_ports[$k]},broadcast=127.0.0.1:${peer_ports[$k]}")
  done
  t_router "$node$run" - -l 0 --vdev "net_pcap0,rx_pcap=$T_TMP/in_$run.pcap,tx_pcap=$T_TMP/out_$run.pcap" -- \
    "${ports[@]}" --identity "$T_TMP/id_$run" --run-seconds 10 || return 1
  pid=$T_LAST_PID
  t_check "router runs as $node (transport id $node_id)" grep -q "$node_id" "$T_TMP/$node$run.ready"
  # --run-seconds: it stops by itself after the announce retransmissions (~6 s) are done.
  for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  t_check "router stopped by itself, cleanly" wait "$pid"
  cat "$T_TMP/$node$run.log"
  local outs=()
  for k in "${!neighbors[@]}"; do
    python3 "$here/pcap_tool.py" split "$T_TMP/out_$run.pcap" "${peer_ports[$k]}" "$T_TMP/rx_${run}_$k.json"
    outs+=("${neighbors[$k]}" "$T_TMP/rx_${run}_$k.json")
  done
  t_check "router transmitted to ${neighbors[*]} exactly what $node did (modulo timing)" \
    python3 "$here/capture_compare.py" "$capture" "$node" "${outs[@]}"
}

for capture in "${captures[@]}"; do
  pcap=${capture%.json}.pcap
  if [ ! -f "$pcap" ]; then
    t_check "$(basename "$capture") has its pcap $(basename "$pcap")" false
    continue
  fi
  mapfile -t nodes < <(python3 "$here/capture_plan.py" transports "$capture")
  [ "${#nodes[@]}" -gt 0 ] || t_check "$(basename "$capture") names a transport node" false
  for node in "${nodes[@]}"; do
    play "$capture" "$pcap" "$node" || t_check "set-up for $node of $(basename "$capture")" false
  done
done
t_finish
