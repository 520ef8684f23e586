#!/usr/bin/env bash
# The reference capture (VECTORS_DIR/capture_transport.pcap) replayed into the router through
# net_pcap: the datagrams A and B sent to T, in capture order, as fast as the port reads them.
# The router holds T's identity (capture JSON secrets) and T's addressing: 127.0.0.1, UDP 29012
# (interface to_A, sending to 29011) and 29013 (to_B, sending to 29014) on one port, like T's
# two UDPInterfaces. It runs on for the rebroadcast timers, then everything it transmitted
# (net_pcap tx_pcap) is split by destination port and compared with what T sent to A and to B:
# the same distinct datagrams. Timing is not replayed, so here most decisions are taken by the
# control plane (in order, through the punt ring); test_capture_live.sh covers the fast path.
# Other captures of the same format can be run through it by pointing VECTORS_DIR elsewhere.
source "$(dirname "$0")/lib.sh"

vectors=${VECTORS_DIR:?VECTORS_DIR must point at the vector folder}
capture=$vectors/capture_transport.json
[ -f "$capture" ] && [ -f "$vectors/capture_transport.pcap" ] || { echo "SKIP: no capture in $vectors"; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)

python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['secrets']['T.transport_identity'])" \
  "$capture" | xxd -r -p >"$T_TMP/t_identity"
python3 "$here/pcap_tool.py" prepare "$vectors/capture_transport.pcap" "$T_TMP/in.pcap" 29012 29013

t_router T - -l 0 --vdev "net_pcap0,rx_pcap=$T_TMP/in.pcap,tx_pcap=$T_TMP/out.pcap" -- \
  --port 0,addr=127.0.0.1/8,udp=29012,broadcast=127.0.0.1:29011 \
  --port 0,addr=127.0.0.1/8,udp=29013,broadcast=127.0.0.1:29014 \
  --identity "$T_TMP/t_identity" --run-seconds 10 || exit 1
pid=$T_LAST_PID
t_check "router runs as T (transport id 72d4639498284f5a552367993d1ba2c7)" \
  grep -q 72d4639498284f5a552367993d1ba2c7 "$T_TMP/T.ready"
# --run-seconds: it stops by itself after the announce retransmissions (~6 s) are done.
for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
t_check "router stopped by itself, cleanly" wait "$pid"
cat "$T_TMP/T.log"
python3 "$here/pcap_tool.py" split "$T_TMP/out.pcap" 29011 "$T_TMP/a.json"
python3 "$here/pcap_tool.py" split "$T_TMP/out.pcap" 29014 "$T_TMP/b.json"
t_check "router transmitted to A and B exactly what T did (modulo timing)" \
  python3 "$here/capture_compare.py" "$capture" "$T_TMP/a.json" "$T_TMP/b.json"
t_finish
