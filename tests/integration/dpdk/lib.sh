# Shared helpers for the DPDK end-to-end tests (sourced). Every test builds its own topology of
# network namespaces and veth pairs with names unique to the test run, starts rnsrouter with
# net_af_packet vdevs on its veths, and removes everything on exit (trap), pass or fail.
#
# Needs root (namespaces, raw sockets); exits 77 (meson: skipped) without it, loudly.

set -uo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: needs root for network namespaces and net_af_packet" >&2
  exit 77
fi

RNSROUTER=${RNSROUTER:?RNSROUTER must point at the rnsrouter binary}
T_ID=${T_ID:-$$}
T_TMP=$(mktemp -d /tmp/rnsdp-test.XXXXXX)
T_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
declare -A T_ROUTER_OF=() # router pid -> name given to t_router
T_NETNS=()
T_LINKS=()
T_PIDS=()
T_FAILS=0
T_PASSES=0

t_cleanup() {
  local p
  for p in "${T_PIDS[@]}"; do
    kill -TERM "$p" 2>/dev/null
  done
  for p in "${T_PIDS[@]}"; do
    # bounded wait: 5 s, then force
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null
  done
  for l in "${T_LINKS[@]}"; do ip link del "$l" 2>/dev/null; done
  for n in "${T_NETNS[@]}"; do ip netns del "$n" 2>/dev/null; done
  rm -rf "$T_TMP"
}
trap t_cleanup EXIT

t_check() { # description, command...
  local what=$1; shift
  if "$@"; then
    echo "ok: $what"; T_PASSES=$((T_PASSES + 1))
  else
    echo "FAIL: $what"; T_FAILS=$((T_FAILS + 1))
  fi
}

t_netns() { # name
  ip netns add "$1" || exit 1
  T_NETNS+=("$1")
  ip -n "$1" link set lo up
}

# t_veth ROOT_END NS NS_END NS_ADDR/PREFIX: a veth pair with one end in the root namespace (for the
# router's net_af_packet) and the other in NS with an address. Checksum offloads are turned off:
# af_packet hands the router the frame as the kernel queued it, so a partial (offloaded) UDP
# checksum would look wrong.
t_veth() {
  local root_end=$1 ns=$2 ns_end=$3 addr=$4
  ip link add "$root_end" type veth peer name "$ns_end" || exit 1
  T_LINKS+=("$root_end")
  ip link set "$ns_end" netns "$ns"
  ip link set "$root_end" up
  ip -n "$ns" addr add "$addr" dev "$ns_end"
  ip -n "$ns" link set "$ns_end" up
  ethtool -K "$root_end" tx off rx off >/dev/null 2>&1
  ip netns exec "$ns" ethtool -K "$ns_end" tx off rx off >/dev/null 2>&1
}

# t_veth_ns NS1 END1 NS2 END2: a veth between two namespaces (no addresses).
t_veth_ns() {
  ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" || exit 1
  ip -n "$1" link set "$2" up
  ip -n "$3" link set "$4" up
  ip netns exec "$1" ethtool -K "$2" tx off rx off >/dev/null 2>&1
  ip netns exec "$3" ethtool -K "$4" tx off rx off >/dev/null 2>&1
}

# t_router NAME NETNS(or "-") EAL_ARGS... -- ROUTER_ARGS...: starts rnsrouter in the background,
# output in $T_TMP/NAME.log, waits (bounded) until it runs. Sets T_LAST_PID.
t_router() {
  local name=$1 ns=$2; shift 2
  local ready="$T_TMP/$name.ready"
  local cmd=("$RNSROUTER" --no-huge --no-pci -m 512 --file-prefix "rnsdp_${T_ID}_$name"
             --log-level=lib.eal:error "$@" --ready-file "$ready" --state-dir "$T_TMP/$name.state")
  if [ "$ns" = "-" ]; then
    "${cmd[@]}" >"$T_TMP/$name.log" 2>&1 &
  else
    ip netns exec "$ns" "${cmd[@]}" >"$T_TMP/$name.log" 2>&1 &
  fi
  T_LAST_PID=$!
  T_PIDS+=("$T_LAST_PID")
  T_ROUTER_OF[$T_LAST_PID]=$name
  # Bounded by wall-clock time, not a loop count: on a loaded 2-core machine (CI, or the ASan
  # build) EAL start-up alone has taken over 10 s.
  local deadline=$((SECONDS + ${T_START_TIMEOUT:-60}))
  while [ "$SECONDS" -lt "$deadline" ]; do
    [ -s "$ready" ] && return 0
    kill -0 "$T_LAST_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "router $name did not start within ${T_START_TIMEOUT:-60} s:"; cat "$T_TMP/$name.log"
  return 1
}

# t_stop PID: SIGTERM and wait (bounded) for a clean exit; returns its exit code. A router started
# by t_router leaves its counters in $T_TMP/NAME.tel.json first (t_snapshot).
t_stop() {
  local pid=$1 rc
  if [ -n "${T_ROUTER_OF[$pid]:-}" ]; then
    t_snapshot "${T_ROUTER_OF[$pid]}"
  fi
  kill -TERM "$pid" 2>/dev/null
  # 60 s: a sanitized router with 1,000 interfaces takes more than 10 s to stop.
  for _ in $(seq 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    # Not gone 60 s after SIGTERM: say where each thread waits, then kill it (a failed check,
    # not a test that hangs until meson's timeout).
    echo "  router $pid did not stop within 60 s of SIGTERM; its threads (name state wchan):"
    local t
    for t in /proc/"$pid"/task/*; do
      echo "    $(cat "$t/comm" 2>/dev/null) $(awk '{print $3}' "$t/stat" 2>/dev/null) $(cat "$t/wchan" 2>/dev/null)"
    done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 1
  fi
  wait "$pid"; rc=$?
  return $rc
}

# t_snapshot NAME: router NAME's counters, read from its DPDK telemetry (/rns/stats, /rns/nodes,
# /rns/drops, /rns/ifaces), into $T_TMP/NAME.tel.json. The control loop refreshes what telemetry
# serves every 250 ms: wait for two refreshes after the last packet.
t_snapshot() {
  sleep 0.6
  python3 "$T_LIB_DIR/telemetry.py" snapshot "rnsdp_${T_ID}_$1" "$T_TMP/$1.tel.json" ||
    echo "no telemetry snapshot of router $1"
}

# Counters from a snapshot file ($T_TMP/NAME.tel.json):
# t_node SNAP NODE: packets through graph node NODE (summed over workers; 0 if none).
t_node() { python3 "$T_LIB_DIR/telemetry.py" get "$1" nodes "$2" packets; }
# t_control SNAP KEY: a /rns/stats value (control-plane counters and table sizes).
t_control() { python3 "$T_LIB_DIR/telemetry.py" get "$1" stats "$2"; }
# t_iface SNAP ID KEY: a /rns/ifaces value of RNS interface ID (rx_announce, path_requests_sent, ...).
t_iface() { python3 "$T_LIB_DIR/telemetry.py" get "$1" ifaces "$2" "$3"; }

t_finish() {
  echo "$T_PASSES passed, $T_FAILS failed"
  [ "$T_FAILS" -eq 0 ]
}
