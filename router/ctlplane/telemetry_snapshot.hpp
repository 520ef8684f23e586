#pragma once
// What the telemetry publisher (telemetry.cpp, control thread) last published, shared with the
// readers in this folder: the /rns/ commands' callbacks and telemetry_metrics(). Both sides hold
// telemetry_mutex while they touch telemetry_snap; nothing here is reached by a worker.

#include "router/ctlplane/graph_stats.hpp"

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace rns::ctlplane {

struct iface_snapshot {
    std::string name;
    std::uint64_t rx[4]{};
    std::uint64_t tx[4]{};
    std::uint64_t announces_accepted = 0;
    std::uint64_t announces_rebroadcast = 0;
    std::uint64_t announces_rate_limited = 0;
    std::uint64_t forwarded = 0;
    std::uint64_t forwarded_fast = 0;
    std::uint64_t drops = 0;
    std::uint64_t path_requests_received = 0;
    std::uint64_t path_requests_sent = 0;
    std::uint64_t path_responses_sent = 0;
    // What rnsctl status shows beside the counters.
    std::string kind;       ///< dpdk_udp: an RNS UDP interface on a DPDK port; else kernel
    std::string peer; ///< kernel interfaces: the remote (TCP) or local (UDP) address
                      ///< (dpdk_udp: the peer or broadcast address and UDP port)
    std::string mode;       ///< spec §6.13
    bool active = true;     ///< false once removed
    std::uint64_t bitrate = 0;
    std::uint64_t ifac_size = 0; ///< access code bytes, 0: no IFAC (spec §9)
    std::uint64_t rx_bytes = 0;  ///< all packet types the transport received
    std::uint64_t tx_bytes = 0;  ///< all packet types the transport sent (not fast forwards)
    std::uint64_t announces_held = 0;
    std::uint64_t held_announces = 0;   ///< now held by ingress control (spec §6.6.1)
    std::uint64_t queued_announces = 0; ///< now in the announce cap queue (spec §6.8)
    double rx_announce_rate = 0; ///< per second over the last 10 s
    double tx_announce_rate = 0;
};

struct snapshot {
    std::string transport_id;
    std::map<std::string, node_totals> nodes;
    std::vector<std::pair<std::string, std::uint64_t>> stats;
    std::vector<iface_snapshot> ifaces;
    std::vector<std::pair<std::string, std::uint64_t>> control_drops;
    std::vector<std::pair<std::string, std::string>> crypto_names;
    std::vector<std::pair<std::string, std::uint64_t>> crypto;
    std::vector<std::pair<std::string, double>> crypto_rates;
};

extern std::mutex telemetry_mutex; ///< guards telemetry_snap
extern snapshot telemetry_snap;    ///< the latest snapshot (empty transport_id: none yet)

} // namespace rns::ctlplane
