#!/usr/bin/env bash
# Kernel interfaces of the io thread (spec §10.1 TCP with HDLC framing, §10.3 UDP), with rnsprobe
# endpoints and hand-made peers (tcp_peers.py) on loopback. The first argument picks the case:
#   kernel  a router with no DPDK port at all: B (TCP) hosts a destination; A (TCP) gets the path,
#           packets with proofs and a link with messages; C (UDP kernel socket) hosts one A reaches
#           and reaches B; D on a listener with IFAC (spec §9): right secrets work, a wrong
#           passphrase and no IFAC are dropped and counted.
#   mixed   a router with one DPDK port (E, UDP, in a namespace) and TCP listeners: TCP ↔ DPDK
#           both ways on the fast path; then, while A keeps sending, a garbage stream, a path
#           request one byte at a time, a client that never reads and a reconnect storm, each
#           counted under its own reason; the descriptor count is the same afterwards.
#   many    1,000 concurrent TCP clients each announcing once: every announce handled, path
#           requests answered within a second while they connect, descriptors unchanged.
source "$(dirname "$0")/lib.sh"

mode=${1:-kernel}
RNSPROBE=${RNSPROBE:?RNSPROBE must point at the rnsprobe binary}
PEERS="$T_LIB_DIR/tcp_peers.py"
free_port() { python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if sys.argv[1] == "udp" else socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' "${1:-tcp}"; }
field() { python3 "$T_LIB_DIR/events.py" field "$@"; }
fails() { ! "$@"; }
fds_of() { ls "/proc/$1/fd" | wc -l; }

# start_listener NAME TRANSPORT_ARGS... -- LISTEN_ARGS...: rnsprobe hosting a destination in the
# background; sets DEST (empty if it did not come up).
start_listener() {
  local name=$1; shift
  "$@" >"$T_TMP/$name.jsonl" 2>"$T_TMP/$name.err" &
  T_PIDS+=("$!")
  LAST_LISTENER=$!
  DEST=""
  for _ in $(seq 50); do
    DEST=$(field "$T_TMP/$name.jsonl" ready destination 2>/dev/null)
    [ -n "$DEST" ] && break
    sleep 0.1
  done
}
probe() { # NAME COMMAND DEST [ip netns exec NS] ARGS...: rnsprobe, output in $T_TMP/NAME.jsonl
  local name=$1 cmd=$2 dest=$3 pre=(); shift 3
  if [ "${1:-}" = ip ]; then pre=(ip netns exec "$4"); shift 4; fi
  timeout 30 "${pre[@]}" "$RNSPROBE" "$cmd" --dest "$dest" "$@" >"$T_TMP/$name.jsonl" 2>"$T_TMP/$name.err"
}
tel() { python3 "$T_LIB_DIR/telemetry.py" get "$T_TMP/R.tel.json" "$@"; }

case "$mode" in
kernel)
  P=$(free_port); PI=$(free_port); U=$(free_port udp); UC=$(free_port udp)
  t_router R - -l 0 -- \
    --tcp-listen "127.0.0.1:$P,name=backbone,flap_limit=1000" \
    --tcp-listen "127.0.0.1:$PI,name=guarded,flap_limit=1000,netname=delta,netkey=delta secret" \
    --udp-listen "127.0.0.1:$U,forward=127.0.0.1:$UC,name=udp" || exit 1
  router=$T_LAST_PID
  t_check "the router runs with kernel interfaces only" grep -q "tcp listener 127.0.0.1:$P" "$T_TMP/R.log"
  TA=(--tcp-connect "127.0.0.1:$P" --timeout 10)

  start_listener b "$RNSPROBE" listen --tcp-connect "127.0.0.1:$P" --app rnstest --aspect tcp \
    --duration 120 --announce-interval 5
  B=$DEST
  t_check "B (TCP) is up with a destination" [ -n "$B" ]
  sleep 1
  t_check "A (TCP) gets a path to B (TCP)" probe a-path path "$B" "${TA[@]}"
  t_check "the path is 2 hops away, via the router" [ "$(field "$T_TMP/a-path.jsonl" path hops)" = 2 ]
  t_check "A's packets reach B and B's proofs reach A (3 of 3)" \
    probe a-send send "$B" "${TA[@]}" --count 3 --data "over tcp"
  t_check "A's link to B carries messages with proofs (3 of 3)" \
    probe a-link link "$B" "${TA[@]}" --count 3 --data "link over tcp"

  start_listener c "$RNSPROBE" listen --listen "127.0.0.1:$UC" --forward "127.0.0.1:$U" \
    --app rnstest --aspect udp --duration 60 --announce-interval 5
  C=$DEST
  t_check "C (UDP) is up with a destination" [ -n "$C" ]
  sleep 1
  t_check "A (TCP) reaches C (UDP) with proofs (2 of 2)" \
    probe a-c send "$C" "${TA[@]}" --count 2 --data "tcp to udp"
  kill "$LAST_LISTENER"; wait "$LAST_LISTENER" 2>/dev/null
  t_check "C (UDP) reaches B (TCP) with proofs (2 of 2)" \
    probe c-send send "$B" --listen "127.0.0.1:$UC" --forward "127.0.0.1:$U" --timeout 10 --count 2
  t_check "D (TCP, right IFAC) reaches B with proofs (2 of 2)" \
    probe d-send send "$B" --tcp-connect "127.0.0.1:$PI" --timeout 10 --count 2 \
    --ifac-netname delta --ifac-passphrase "delta secret"
  t_check "D with a wrong passphrase gets no path" \
    fails probe d-wrong path "$B" --tcp-connect "127.0.0.1:$PI" --timeout 3 \
    --ifac-netname delta --ifac-passphrase wrong
  t_check "D without IFAC gets no path" fails probe d-plain path "$B" --tcp-connect "127.0.0.1:$PI" --timeout 3

  t_check "the router stops cleanly" t_stop "$router"
  t_check "/rns/ifaces names B's spawned interface with its peer address" \
    python3 -c 'import json, sys
ifs = json.load(open(sys.argv[1]))["ifaces"].values()
sys.exit(0 if any(i["name"].startswith("backbone/127.0.0.1:") and i.get("peer", "").startswith("127.0.0.1:")
                  for i in ifs) else 1)' "$T_TMP/R.tel.json"
  t_check "/rns/io has the loop statistics" [ "$(tel io completions)" -ge 1 ]
  t_check "wrong IFAC codes over TCP are dropped by name" [ "$(t_node "$T_TMP/R.tel.json" drop_ifac_mismatch)" -ge 1 ]
  t_check "packets without IFAC on the IFAC listener are dropped by name" \
    [ "$(t_node "$T_TMP/R.tel.json" drop_ifac_missing)" -ge 1 ]
  t_check "packets came in through io_rx" [ "$(t_node "$T_TMP/R.tel.json" io_rx)" -ge 10 ]
  t_check "packets went out through io_tx" [ "$(t_node "$T_TMP/R.tel.json" io_tx)" -ge 10 ]
  ;;

mixed)
  nsE=tE$T_ID
  t_netns "$nsE"
  t_veth "trE$T_ID" "$nsE" "tvE$T_ID" 10.216.1.2/24
  P=$(free_port); PH=$(free_port)
  t_router R - -l 0 --vdev "net_af_packet0,iface=trE$T_ID" -- \
    --port 0,addr=10.216.1.1/24,udp=4242,forward=10.216.1.2:4242 \
    --tcp-listen "127.0.0.1:$P,name=backbone,flap_limit=1000" \
    --tcp-listen "127.0.0.1:$PH,name=hygiene,flap_limit=3,flap_seconds=20" || exit 1
  router=$T_LAST_PID
  transport=$(cat "$T_TMP/R.ready")
  TA=(--tcp-connect "127.0.0.1:$P" --timeout 10)
  EA=(--listen 10.216.1.2:4242 --forward 10.216.1.1:4242 --timeout 10)

  start_listener b "$RNSPROBE" listen --tcp-connect "127.0.0.1:$P" --app rnstest --aspect tcp --duration 150
  B=$DEST
  start_listener e ip netns exec "$nsE" "$RNSPROBE" listen --listen 10.216.1.2:4242 \
    --forward 10.216.1.1:4242 --app rnstest --aspect dpdk --duration 40
  E=$DEST
  t_check "B (TCP) and E (DPDK UDP) are up with destinations" [ -n "$B" -a -n "$E" ]
  sleep 1.5
  t_check "A (TCP) gets a path to E (DPDK), 2 hops" probe a-path path "$E" "${TA[@]}"
  t_check "the path is 2 hops away" [ "$(field "$T_TMP/a-path.jsonl" path hops)" = 2 ]
  t_check "A's packets reach E and E's proofs reach A (3 of 3)" \
    probe a-send send "$E" "${TA[@]}" --count 3 --data "tcp to dpdk"
  t_check "A's link to E carries messages with proofs (3 of 3)" \
    probe a-link link "$E" "${TA[@]}" --count 3 --data "link tcp to dpdk"
  kill "$LAST_LISTENER"; wait "$LAST_LISTENER" 2>/dev/null
  t_check "E (DPDK) gets a path to B (TCP)" probe e-path path "$B" ip netns exec "$nsE" "${EA[@]}"
  t_check "E's packets reach B with proofs (3 of 3)" probe e-send send "$B" ip netns exec "$nsE" "${EA[@]}" --count 3
  t_check "E's link to B carries messages with proofs (3 of 3)" \
    probe e-link link "$B" ip netns exec "$nsE" "${EA[@]}" --count 3

  # Hostile peers, each from its own address, while A keeps sending to B.
  fds_before=$(fds_of "$router")
  python3 "$PEERS" garbage "$P" 127.0.0.3 >"$T_TMP/garbage.txt" 2>&1 &
  g=$!
  python3 "$PEERS" lazy "$P" 127.0.0.6 "$transport" 30000 >"$T_TMP/lazy.txt" 2>&1 &
  l=$!
  python3 "$PEERS" storm "$PH" 127.0.0.7 10 >"$T_TMP/storm.txt" 2>&1 &
  s=$!
  t_check "a path request sent one byte at a time is answered" \
    python3 "$PEERS" slow "$P" 127.0.0.5 "$B"
  t_check "meanwhile A's packets keep reaching B (5 of 5)" \
    probe a-good send "$B" "${TA[@]}" --count 5 --interval 0.5 --data "still flowing"
  wait "$g" "$l" "$s"
  t_check "the garbage stream was closed by the router" grep -q "garbage_closed 1" "$T_TMP/garbage.txt"
  t_check "the client that never reads was closed by the router" grep -q "lazy_closed 1" "$T_TMP/lazy.txt"
  sleep 1
  fds_after=$(fds_of "$router")
  t_check "descriptors unchanged after the hostile peers ($fds_before, $fds_after)" [ "$fds_after" = "$fds_before" ]

  t_check "the router stops cleanly" t_stop "$router"
  tel_file=$T_TMP/R.tel.json
  t_check "TCP ↔ DPDK data was forwarded on the fast path" [ "$(t_node "$tel_file" forward)" -ge 1 ]
  t_check "proofs were forwarded on the fast path" [ "$(t_node "$tel_file" proof_forward)" -ge 1 ]
  t_check "link traffic was forwarded on the fast path" [ "$(t_node "$tel_file" link_forward)" -ge 3 ]
  t_check "the garbage stream is counted as closed for no valid frames" \
    [ "$(tel io tcp_listen_0 closed_no_valid_frames)" -ge 1 ]
  t_check "its bytes are counted as garbage" [ "$(tel io tcp_listen_0 garbage_bytes)" -ge 1000 ]
  t_check "the client that never reads is counted as closed for a full output queue" \
    [ "$(tel io tcp_listen_0 closed_out_queue_full)" -ge 1 ]
  t_check "the reconnect storm is refused as flapping" [ "$(tel io tcp_listen_1 closed_refused_flapping)" -ge 1 ]
  t_check "the storm's first connections were accepted" [ "$(tel io tcp_listen_1 accepted)" -ge 3 ]
  ;;

many)
  P=$(free_port)
  t_router R - -l 0 -- --tcp-listen "127.0.0.1:$P,name=many,flap_limit=1000" || exit 1
  router=$T_LAST_PID
  python3 "$PEERS" selftest >/dev/null 2>&1
  rc=$?
  if [ "$rc" = 77 ]; then
    echo "SKIP: python3-cryptography is needed to sign the clients' announces" >&2
    exit 77
  fi
  t_check "the announce builder matches spec Appendix A" [ "$rc" = 0 ]
  start_listener b "$RNSPROBE" listen --tcp-connect "127.0.0.1:$P" --app rnstest --aspect many --duration 300
  B=$DEST
  t_check "B (TCP) is up with a destination" [ -n "$B" ]
  sleep 1
  fds_before=$(fds_of "$router")
  # Sanitized builds (RNS_TEST_SANITIZED, tools/test) run several times slower: the clients then
  # stay connected 15 s (3 x a 5 s deadline) after the last one announced, so that every
  # announce is verified while its interface exists, and the path-request timing checks are left
  # to the normal build (tools/test drops assertions that only hold at normal speed): under ASan
  # on 2 cores the control plane's backlog fills with the clients' announces and a path request
  # behind them is dropped as control_overload (seen: 20 of 21 answered, 15 s deadline).
  deadline=1; [ -n "${RNS_TEST_SANITIZED:-}" ] && deadline=5
  timeout 240 python3 "$PEERS" many "$P" 127.10 1000 "$B" "$deadline" >"$T_TMP/many.txt" 2>&1
  cat "$T_TMP/many.txt"
  t_check "1000 clients were connected at once" grep -q "^connected 1000$" "$T_TMP/many.txt"
  pr_max=$(awk '/^pr_max_ms/ {print $2}' "$T_TMP/many.txt")
  if [ -z "${RNS_TEST_SANITIZED:-}" ]; then
    t_check "every path request was answered within ${deadline} s while they connected" \
      awk '/^pr_answered/ { exit !($2 == $4 && $2 > 0) }' "$T_TMP/many.txt"
    t_check "the slowest answer took ${pr_max:-?} ms" [ "${pr_max:-99999}" -lt $((deadline * 1000)) ]
  fi
  sleep 2
  fds_after=$(fds_of "$router")
  t_check "descriptors unchanged after they disconnect ($fds_before, $fds_after)" [ "$fds_after" = "$fds_before" ]
  t_check "the router stops cleanly" t_stop "$router"
  # /rns/ifaces cannot list 1,000 interfaces in one telemetry answer: the totals instead.
  accepted=$(t_control "$T_TMP/R.tel.json" announces_accepted)
  t_check "every client's announce was accepted, and B's ($accepted of 1001)" [ "$accepted" = 1001 ]
  t_check "1001 spawned interfaces were made" [ "$(t_control "$T_TMP/R.tel.json" interfaces)" -ge 1001 ]
  t_check "the listener accepted them all" [ "$(tel io tcp_listen_0 accepted)" -ge 1001 ]
  t_check "none was refused for want of room" [ "$(tel io ifaces_refused)" = 0 -a "$(tel io tcp_listen_0 refused_table_full)" = 0 ]
  ;;
*)
  echo "unknown case $mode (kernel, mixed, many)" >&2
  exit 2
  ;;
esac
t_finish
