#pragma once
// DPDK telemetry commands under /rns/ (read with dpdk-telemetry.py): the control loop publishes
// a snapshot periodically; the telemetry thread only reads the snapshot (under a mutex: neither
// side is a fast path), so it never touches control-plane or worker state directly.
//
//   /rns/stats   totals: transport id, interfaces, table sizes, punts, forwards, drops, ARP and
//                IPv6 neighbour discovery (NDP punts, ICMPv6 echo, NS/NA sent, ignored ND frames)
//   /rns/nodes   per graph node (summed over workers): calls, packets, cycles
//   /rns/drops   per drop node: packets and the reason's description
//   /rns/ifaces  per interface: name, peer address (kernel interfaces), rx/tx packets by type, announces, forwarded, drops, path
//                requests received and sent, path responses sent
//   /rns/crypto  the packet hash and announce verification engines, their work and rates
//   /rns/paths   the path table, a page at a time (telemetry_paths.hpp)
// /rns/ifaces also says each interface's kind, peer, mode, state, bitrate, IFAC size, bytes and
// announce rates; /rns/stats the uptime; /rns/nodes which nodes are sources (polled when idle).
// These are the counters the router prints at stop, and what the tests read.

#include "router/ctlplane/control_plane.hpp"
#include "router/ctlplane/io_bridge.hpp"
#include "router/ctlplane/counter_rates.hpp"
#include "router/ctlplane/telemetry_paths.hpp"
#include "router/datapath/dataplane.hpp"

#include <string>
#include <utility>
#include <vector>

namespace rns::ctlplane {

/// One figure of the latest published snapshot, for exporters in other formats (Prometheus):
/// the same numbers /rns/stats, /rns/nodes, /rns/drops, /rns/ifaces and /rns/crypto serve.
struct metric {
    std::string name;     ///< family, without a prefix: "interface_rx_packets"
    bool counter = false; ///< only ever grows (a counter); else a gauge
    std::string help;
    std::vector<std::pair<std::string, std::string>> labels;
    std::string value;    ///< as text: integers exactly
};

/// Any thread (takes the snapshot's mutex): every figure of the latest snapshot.
[[nodiscard]] std::vector<metric> telemetry_metrics();

class telemetry {
  public:
    telemetry(const datapath::dataplane& dp, control_plane& cp);
    ~telemetry();
    telemetry(const telemetry&) = delete;
    telemetry& operator=(const telemetry&) = delete;

    /// Control thread: refresh the snapshot (cheap; rate-limited to 4 Hz).
    void publish(double now);
    /// The peer address of each interface is read from here (kernel interfaces); may be nullptr.
    void set_peers(const io_bridge* io) noexcept { _io = io; }

  private:
    const datapath::dataplane& _dp;
    control_plane& _cp;
    double _last = 0;
    const io_bridge* _io = nullptr;
    double _started = 0; ///< wall clock at construction (uptime)
    counter_rates _rates;
    path_listing _paths;
};

} // namespace rns::ctlplane
