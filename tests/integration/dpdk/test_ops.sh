#!/usr/bin/env bash
# The operator interfaces of a live router (A — router — B, rnsprobe endpoints): rnsctl's JSON and
# the Prometheus /metrics endpoint, each checked against the router's raw /rns/ telemetry and
# against the traffic sent (ops_check.py): B announces, A requests the path, sends SENT packets
# that B proves. Also: a router that is not running is one clear line from rnsctl, and a bad
# --prometheus address is refused at start with a clear message; the router tells a service
# manager (NOTIFY_SOCKET, sd_notify(3)) when it is ready and when it stops.
source "$(dirname "$0")/lib.sh"

RNSPROBE=${RNSPROBE:?RNSPROBE must point at the rnsprobe binary}
RNSCTL=${RNSCTL:?RNSCTL must point at tools/rnsctl}
SENT=5
nsA=oA$T_ID; nsB=oB$T_ID
t_netns "$nsA"; t_netns "$nsB"
t_veth "roA$T_ID" "$nsA" "voA$T_ID" 10.213.1.2/24
t_veth "roB$T_ID" "$nsB" "voB$T_ID" 10.213.2.2/24

# A port unlikely to be taken: 20000 + the test's id modulo 20000.
prom_port=$((20000 + T_ID % 20000))
prefix="rnsdp_${T_ID}_R"

out=$("$RNSCTL" --file-prefix "$prefix" status 2>&1); rc=$?
t_check "rnsctl without a router: exit 1" [ "$rc" = 1 ]
t_check "rnsctl without a router: one line naming the prefix" \
  bash -c '[ "$(printf "%s\n" "$1" | wc -l)" = 1 ] && printf "%s" "$1" | grep -q "no rnsrouter running with --file-prefix $2"' _ "$out" "$prefix"

bad=$("$RNSROUTER" --no-huge --no-pci -m 256 --file-prefix "rnsdp_${T_ID}_bad" --log-level=lib.eal:error \
  --vdev "net_af_packet0,iface=roA$T_ID" -- --port 0,addr=10.213.1.1/24,udp=4242 \
  --state-dir "$T_TMP/bad.state" --prometheus 10.213.1.300:9 2>&1); rc=$?
t_check "a bad --prometheus address is refused (exit 2) with a message naming it" \
  bash -c '[ "$1" = 2 ] && printf "%s" "$2" | grep -q -- "--prometheus: not an IPv4 address: 10.213.1.300"' _ "$rc" "$bad"
bad=$("$RNSROUTER" --no-huge --no-pci -m 256 --file-prefix "rnsdp_${T_ID}_bad2" --log-level=lib.eal:error \
  --vdev "net_af_packet0,iface=roA$T_ID" -- --port 0,addr=10.213.1.1/24,udp=4242 \
  --state-dir "$T_TMP/bad.state" --prometheus 192.0.2.1:$prom_port 2>&1); rc=$?
t_check "a --prometheus address the host does not have is refused at start (exit 1)" \
  bash -c '[ "$1" = 1 ] && printf "%s" "$2" | grep -q -- "--prometheus 192.0.2.1:$3: cannot listen"' _ "$rc" "$bad" "$prom_port"

# The router is started as systemd would with Type=notify: NOTIFY_SOCKET names our socket.
python3 "$T_LIB_DIR/notify_listen.py" "$T_TMP/notify.sock" "$T_TMP/notify.txt" 120 &
T_PIDS+=("$!")
for _ in $(seq 50); do [ -S "$T_TMP/notify.sock" ] && break; sleep 0.1; done
export NOTIFY_SOCKET=$T_TMP/notify.sock
t_router R - -l 0 --vdev "net_af_packet0,iface=roA$T_ID" --vdev "net_af_packet1,iface=roB$T_ID" -- \
  --port 0,addr=10.213.1.1/24,udp=4242,forward=10.213.1.2:4242 \
  --port 1,addr=10.213.2.1/24,udp=4242,forward=10.213.2.2:4242 \
  --prometheus "127.0.0.1:$prom_port" || exit 1
router=$T_LAST_PID
unset NOTIFY_SOCKET
t_check "READY=1 sent to NOTIFY_SOCKET once running" bash -c \
  'for _ in $(seq 50); do grep -qx READY=1 "$1" 2>/dev/null && exit 0; sleep 0.1; done; exit 1' _ "$T_TMP/notify.txt"

ip netns exec "$nsB" "$RNSPROBE" listen --listen 10.213.2.2:4242 --forward 10.213.2.1:4242 \
  --app rnstest --aspect ops --duration 60 >"$T_TMP/b.jsonl" 2>"$T_TMP/b.err" &
T_PIDS+=("$!")
dest=""
for _ in $(seq 50); do
  dest=$(python3 "$T_LIB_DIR/events.py" field "$T_TMP/b.jsonl" ready destination 2>/dev/null)
  [ -n "$dest" ] && break
  sleep 0.1
done
t_check "B is up with a destination" [ -n "$dest" ]
sleep 2 # the announce reaches the router

probe() { # command args...
  local cmd=$1; shift
  ip netns exec "$nsA" timeout 30 "$RNSPROBE" "$cmd" --listen 10.213.1.2:4242 \
    --forward 10.213.1.1:4242 --dest "$dest" --timeout 10 "$@" >"$T_TMP/a-$cmd.jsonl" 2>"$T_TMP/a-$cmd.err"
}
t_check "A gets a path to B" probe path
t_check "A's $SENT packets are delivered and proved" probe send --count "$SENT" --data "ops test"

t_check "rnsctl's JSON agrees with telemetry and the traffic" \
  python3 "$T_LIB_DIR/ops_check.py" rnsctl "$RNSCTL" "$prefix" "$T_TMP/R.ready" "$dest" "$SENT" 0 1
t_check "/metrics agrees with telemetry and the traffic" \
  python3 "$T_LIB_DIR/ops_check.py" prometheus "http://127.0.0.1:$prom_port/metrics" "$prefix" "$SENT" 0 1
for c in status paths nodes persist crypto; do
  t_check "rnsctl $c prints a table" bash -c '"$1" --file-prefix "$2" "$3" >"$4/ctl-$3.txt" && [ -s "$4/ctl-$3.txt" ]' \
    _ "$RNSCTL" "$prefix" "$c" "$T_TMP"
done
t_check "rnsctl watch refreshes (two frames in 3 s)" bash -c \
  'timeout 3 "$1" --file-prefix "$2" --interval 1 watch status >"$3/watch.txt"; [ "$(grep -c "rnsctl status  every 1 s" "$3/watch.txt")" -ge 2 ]' \
  _ "$RNSCTL" "$prefix" "$T_TMP"

t_check "router stops cleanly" t_stop "$router"
t_check "STOPPING=1 sent at stop, after READY=1" bash -c \
  'for _ in $(seq 50); do [ "$(tr "\n" " " <"$1")" = "READY=1 STOPPING=1 " ] && exit 0; sleep 0.1; done; exit 1' \
  _ "$T_TMP/notify.txt"
t_check "the /metrics listener is closed with the router" \
  bash -c '! python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=2)" "$1" 2>/dev/null' \
  _ "http://127.0.0.1:$prom_port/metrics"
for f in "$T_TMP"/ctl-*.txt; do echo "== $f"; cat "$f"; done
echo "== router log"; cat "$T_TMP/R.log"
t_finish
