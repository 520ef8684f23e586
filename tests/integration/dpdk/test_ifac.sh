#!/usr/bin/env bash
# Interface Access Codes (spec §9) on the router's DPDK ports, with rnsprobe endpoints:
#   A — port 0 (IFAC "alpha", 16-byte codes, the UDP default)
#   B — port 1 (IFAC "beta",  ifac_size=64 bits: 8-byte codes)
#   C — port 2 (no IFAC)
# B hosts a destination. A (with port 0's secrets) and C (plain) get the path, A sends packets
# and a link with proofs: the router strips A's codes and signs again with port 1's key towards B
# (and back), the fast path and the control plane alike. The rnsprobe endpoints drop and report
# any packet whose code does not verify, so "no drop event" at A and B means every packet the
# router sent there carried a right code. Then: A with a wrong passphrase, A without IFAC, C with
# IFAC on the plain port, and hand-made datagrams (flag set but too short, garbage code, oversize)
# must each be dropped and counted under their own reason.
source "$(dirname "$0")/lib.sh"

RNSPROBE=${RNSPROBE:?RNSPROBE must point at the rnsprobe binary}
nsA=iA$T_ID; nsB=iB$T_ID; nsC=iC$T_ID
t_netns "$nsA"; t_netns "$nsB"; t_netns "$nsC"
t_veth "irA$T_ID" "$nsA" "ivA$T_ID" 10.214.1.2/24
t_veth "irB$T_ID" "$nsB" "ivB$T_ID" 10.214.2.2/24
t_veth "irC$T_ID" "$nsC" "ivC$T_ID" 10.214.3.2/24

A_IFAC=(--ifac-netname alpha --ifac-passphrase "alpha secret")
B_IFAC=(--ifac-netname beta --ifac-passphrase "beta secret" --ifac-size 8)

t_router R - -l 0 --vdev "net_af_packet0,iface=irA$T_ID" --vdev "net_af_packet1,iface=irB$T_ID" \
  --vdev "net_af_packet2,iface=irC$T_ID" -- \
  --port "0,addr=10.214.1.1/24,udp=4242,forward=10.214.1.2:4242,netname=alpha,netkey=alpha secret" \
  --port "1,addr=10.214.2.1/24,udp=4242,forward=10.214.2.2:4242,netname=beta,netkey=beta secret,ifac_size=64" \
  --port 2,addr=10.214.3.1/24,udp=4242,forward=10.214.3.2:4242 || exit 1
router=$T_LAST_PID
log=$T_TMP/R.log
tel=$T_TMP/R.tel.json # counters, from telemetry when the router stops
t_check "port 0's interface has 16-byte codes" grep -q "udp0\[10.214.1.2:4242\] (IFAC, 16 bytes)" "$log"
t_check "port 1's interface has 8-byte codes" grep -q "udp1\[10.214.2.2:4242\] (IFAC, 8 bytes)" "$log"
t_check "port 2's interface has no IFAC" bash -c "grep 'udp2\[' '$log' | grep -vq IFAC"

ip netns exec "$nsB" "$RNSPROBE" listen --listen 10.214.2.2:4242 --forward 10.214.2.1:4242 \
  --app rnstest --aspect ifac --duration 60 "${B_IFAC[@]}" >"$T_TMP/b.jsonl" 2>"$T_TMP/b.err" &
T_PIDS+=("$!")
dest=""
for _ in $(seq 50); do
  dest=$(python3 "$T_LIB_DIR/events.py" field "$T_TMP/b.jsonl" ready destination 2>/dev/null)
  [ -n "$dest" ] && break
  sleep 0.1
done
t_check "B is up with a destination" [ -n "$dest" ]
sleep 2 # B's announce reaches the router and is rebroadcast on ports 0 and 2

probe() { # NS NAME COMMAND ARGS...: rnsprobe in NS towards the router, output in $T_TMP/NAME.jsonl
  local ns=$1 name=$2 cmd=$3 net=$4; shift 4
  ip netns exec "$ns" timeout 30 "$RNSPROBE" "$cmd" --listen "10.214.$net.2:4242" \
    --forward "10.214.$net.1:4242" --dest "$dest" "$@" >"$T_TMP/$name.jsonl" 2>"$T_TMP/$name.err"
}
field() { # file event field
  python3 "$T_LIB_DIR/events.py" field "$@"
}
no_drop_events() { ! grep -h '"event":"drop"' "$@"; }
fails() { ! "$@"; }

t_check "A (alpha) gets a path to B (beta)" probe "$nsA" a-path path 1 --timeout 10 "${A_IFAC[@]}"
t_check "the path is 2 hops away" [ "$(field "$T_TMP/a-path.jsonl" path hops)" = 2 ]
t_check "A's packets are delivered and proved (3 of 3)" \
  probe "$nsA" a-send send 1 --timeout 10 --count 3 --data "hello with IFAC" "${A_IFAC[@]}"
t_check "A's link to B carries data with proofs and closes (3 of 3)" \
  probe "$nsA" a-link link 1 --timeout 10 --count 3 --data "link data" "${A_IFAC[@]}"
t_check "C (no IFAC, plain port) gets the path and its packets proved" \
  probe "$nsC" c-send send 3 --timeout 10 --count 2 --data "plain"
t_check "every packet A, B and C received from the router passed their IFAC check" \
  no_drop_events "$T_TMP/a-path.jsonl" "$T_TMP/a-send.jsonl" "$T_TMP/a-link.jsonl" \
  "$T_TMP/c-send.jsonl" "$T_TMP/b.jsonl"

t_check "A with a wrong passphrase gets no path" \
  fails probe "$nsA" a-wrong path 1 --timeout 3 --ifac-netname alpha --ifac-passphrase wrong
t_check "A without IFAC gets no path" fails probe "$nsA" a-plain path 1 --timeout 3
t_check "C with IFAC on the plain port gets no path" \
  fails probe "$nsC" c-ifac path 3 --timeout 3 "${A_IFAC[@]}"

# Hand-made datagrams to port 0 from another UDP port of A (forward= hears every sender):
# 3 with the flag set but only 2 + 16 bytes, 2 with the flag and a garbage code, 1 that is
# 500 + 16 + 1 bytes long (over the MTU plus the code).
# A permanent neighbour entry for the router, so the kernel sends them at once whatever state its
# ARP entry is in by now (the router is slow to answer ARP under ASan).
mac0=$(sed -n 's/^port 0 (.*): mac \([0-9A-Fa-f:]*\),.*/\1/p' "$log")
ip -n "$nsA" neigh replace 10.214.1.1 lladdr "$mac0" dev "ivA$T_ID" nud permanent
ip netns exec "$nsA" python3 "$T_LIB_DIR/ifac_bad_codes.py"

t_check "router stops cleanly" t_stop "$router"
echo "== router"; cat "$log"
for f in "$T_TMP"/*.jsonl; do echo "== $f"; cat "$f"; done
mismatch=$(t_node "$tel" drop_ifac_mismatch)
missing=$(t_node "$tel" drop_ifac_missing)
t_check "wrong codes are dropped as drop_ifac_mismatch (the wrong key's packets + 2 garbage, got $mismatch)" \
  [ "$mismatch" -ge 3 ]
t_check "packets without IFAC on an IFAC port are dropped as drop_ifac_missing (got $missing)" \
  [ "$missing" -ge 1 ]
t_check "too short for the code: drop_ifac_short = 3" [ "$(t_node "$tel" drop_ifac_short)" = 3 ]
t_check "over the MTU plus the code: drop_rns_oversize = 1" [ "$(t_node "$tel" drop_rns_oversize)" = 1 ]
t_check "IFAC flag on the plain port: drop_rns_ifac_flag >= 1" [ "$(t_node "$tel" drop_rns_ifac_flag)" -ge 1 ]
t_check "nothing dropped for the MTU on the way out" [ "$(t_node "$tel" drop_ifac_out_mtu)" = 0 ]
t_check "the router forwarded data by the fast path" [ "$(t_node "$tel" forward)" -ge 1 ]
t_check "the router forwarded proofs by the fast path" [ "$(t_node "$tel" proof_forward)" -ge 1 ]
t_check "the router forwarded link traffic by the fast path" [ "$(t_node "$tel" link_forward)" -ge 3 ]
t_finish
