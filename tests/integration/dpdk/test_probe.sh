#!/usr/bin/env bash
# rnsprobe endpoints through live routers (real packets, net_af_packet on veths):
#   single: A — router — B. B hosts a destination and announces it; A requests the path (the
#           router answers with a path response), sends packets and gets their proofs back
#           (reverse table), then opens a link to B, exchanges data with proofs and closes it.
#   (A — r1 — r2 — B is test_probe_chain.sh.) The second argument is the router's lcore list:
#   meson runs it with "0" and, as the multi-core case, "0-1" (two ports, one worker).
source "$(dirname "$0")/lib.sh"

topo=${1:-single}
lcores=${2:-0} # -l: "0" control plane and graph on one core; "0-1" a worker on core 1
RNSPROBE=${RNSPROBE:?RNSPROBE must point at the rnsprobe binary}
nsA=pA$T_ID; nsB=pB$T_ID
t_netns "$nsA"; t_netns "$nsB"
t_veth "rpA$T_ID" "$nsA" "vpA$T_ID" 10.213.1.2/24
t_veth "rpB$T_ID" "$nsB" "vpB$T_ID" 10.213.2.2/24

if [ "$topo" != single ]; then
  echo "unknown topology $topo (the chain is test_probe_chain.sh)" >&2
  exit 2
fi
t_router R - -l "$lcores" --vdev "net_af_packet0,iface=rpA$T_ID" --vdev "net_af_packet1,iface=rpB$T_ID" -- \
  --port 0,addr=10.213.1.1/24,udp=4242,forward=10.213.1.2:4242 \
  --port 1,addr=10.213.2.1/24,udp=4242,forward=10.213.2.2:4242 || exit 1
routers=("$T_LAST_PID")
if [ "$lcores" != 0 ]; then
  t_check "the graph runs on a worker lcore, the control plane on the main one" \
    bash -c "grep -q '1 worker(s), packet hash' '$T_TMP/R.log'"
fi
expect_hops=2

# B hosts a destination (announced once at start) for the whole test.
ip netns exec "$nsB" "$RNSPROBE" listen --listen 10.213.2.2:4242 --forward 10.213.2.1:4242 \
  --app rnstest --aspect bravo --duration 40 >"$T_TMP/b.jsonl" 2>"$T_TMP/b.err" &
T_PIDS+=("$!")
dest=""
for _ in $(seq 50); do
  dest=$(python3 "$T_LIB_DIR/events.py" field "$T_TMP/b.jsonl" ready destination 2>/dev/null)
  [ -n "$dest" ] && break
  sleep 0.1
done
t_check "B is up with a destination" [ -n "$dest" ]
sleep 2 # the announce reaches the router (and its rebroadcast goes out)

probe() { # command args...: runs rnsprobe in A, output to $T_TMP/a-<command>.jsonl
  local cmd=$1; shift
  ip netns exec "$nsA" timeout 30 "$RNSPROBE" "$cmd" --listen 10.213.1.2:4242 \
    --forward 10.213.1.1:4242 --dest "$dest" --timeout 10 "$@" >"$T_TMP/a-$cmd.jsonl" 2>"$T_TMP/a-$cmd.err"
}
field() { # file event field
  python3 "$T_LIB_DIR/events.py" field "$@"
}

t_check "A gets a path to B" probe path
t_check "the path is $expect_hops hops away" [ "$(field "$T_TMP/a-path.jsonl" path hops)" = "$expect_hops" ]
t_check "A's packets are delivered and proved (3 of 3)" probe send --count 3 --data "hello over DPDK"
t_check "A's link to B carries data with proofs and closes (3 of 3)" probe link --count 3 --data "link data"

for p in "${routers[@]}"; do
  t_check "router $p stops cleanly" t_stop "$p"
done
for l in "$T_TMP"/R*.log; do echo "== $l"; cat "$l"; done
for f in a-path a-send a-link; do echo "== $f"; cat "$T_TMP/$f.jsonl" "$T_TMP/$f.err"; done
tel=$T_TMP/R.tel.json # counters, from telemetry when the router stopped
t_check "the first router forwarded data by the fast path" [ "$(t_node "$tel" forward)" -ge 1 ]
# The worker writes the reverse entry before it sends the data packet, so B's proof finds it in
# the fast path whether the graph shares the control plane's lcore or has its own.
t_check "the first router forwarded proofs by the fast path" [ "$(t_node "$tel" proof_forward)" -ge 1 ]
t_check "the first router forwarded link traffic by the fast path" [ "$(t_node "$tel" link_forward)" -ge 3 ]
t_finish
