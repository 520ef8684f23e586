#include "router/ctlplane/telemetry.hpp"
#include "router/ctlplane/telemetry_snapshot.hpp"

#include "router/datapath/drop.hpp"

#include <string_view>

// telemetry_metrics(): the snapshot as a flat list of typed figures (the Prometheus exporter's
// input). Families are named for what they count; labels carry interface, node and reason.

namespace rns::ctlplane {

using namespace rns::datapath;

namespace {

// /rns/stats keys that are levels (table sizes, backlogs, times), not counts of events; every
// other key only grows.
bool stats_gauge(std::string_view k) {
    static constexpr std::string_view gauges[] = {
        "interfaces", "paths", "links", "reverse_entries", "announce_table", "known_destinations",
        "dedup_control", "dedup_current", "packet_hash_slots", "fast_paths", "fast_links",
        "fast_entries_max", "announce_backlog", "control_backlog", "control_poll_max_us",
        "neighbors", "neighbors6", "workers", "published_ms", "started_ms", "uptime_s",
        "control_send_pending", "tunnels"};
    for (std::string_view g : gauges) {
        if (k == g) {
            return true;
        }
    }
    return false;
}

} // namespace

std::vector<metric> telemetry_metrics() {
    static const char* const types[4] = {"data", "announce", "linkrequest", "proof"};
    std::vector<metric> out;
    const auto add = [&out](std::string name, bool counter, std::string help,
                            std::vector<std::pair<std::string, std::string>> labels, std::uint64_t v) {
        out.push_back({std::move(name), counter, std::move(help), std::move(labels), std::to_string(v)});
    };
    std::lock_guard lock(telemetry_mutex);
    if (telemetry_snap.transport_id.empty()) {
        return out; // nothing published yet
    }
    add("info", false, "Transport identity (constant 1)", {{"transport_id", telemetry_snap.transport_id}}, 1);
    for (const auto& [k, v] : telemetry_snap.stats) {
        add(k, !stats_gauge(k), "/rns/stats " + k, {}, v);
    }
    for (const auto& [name, t] : telemetry_snap.nodes) {
        add("node_calls", true, "Graph node calls, summed over workers (sources: every poll)",
            {{"node", name}}, t.calls);
        add("node_packets", true, "Packets through a graph node, summed over workers", {{"node", name}}, t.objs);
        add("node_cycles", true, "TSC cycles spent in a graph node, summed over workers",
            {{"node", name}}, t.cycles);
    }
    for (std::size_t i = 0; i < drop_reason_count; ++i) {
        const auto r = static_cast<drop_reason>(i);
        const auto it = telemetry_snap.nodes.find(drop_node_name(r));
        add("datapath_drops", true, "Packets the data plane dropped, by reason (/rns/drops)",
            {{"reason", drop_node_name(r) + 5}, {"description", drop_description(r)}},
            it == telemetry_snap.nodes.end() ? 0 : it->second.objs);
    }
    for (const auto& [name, v] : telemetry_snap.control_drops) {
        add("control_drops", true, "Packets the control plane dropped, by reason", {{"reason", name}}, v);
    }
    for (std::size_t i = 0; i < telemetry_snap.ifaces.size(); ++i) {
        const iface_snapshot& s = telemetry_snap.ifaces[i];
        const std::vector<std::pair<std::string, std::string>> l = {{"interface", s.name},
                                                                    {"id", std::to_string(i)}};
        for (int t = 0; t < 4; ++t) {
            auto lt = l;
            lt.emplace_back("type", types[t]);
            add("interface_rx_packets", true, "Packets the transport received on an interface, by type",
                lt, s.rx[t]);
            add("interface_tx_packets", true, "Packets the transport sent on an interface, by type", lt,
                s.tx[t]);
        }
        add("interface_rx_bytes", true, "Bytes the transport received on an interface", l, s.rx_bytes);
        add("interface_tx_bytes", true, "Bytes the transport sent on an interface", l, s.tx_bytes);
        add("interface_forwarded_fast", true, "Packets the fast path forwarded out of an interface", l,
            s.forwarded_fast);
        add("interface_forwarded_by_control", true, "Transport forwards sent on an interface", l,
            s.forwarded);
        add("interface_announces_accepted", true, "Announces that updated the path table", l,
            s.announces_accepted);
        add("interface_announces_rebroadcast", true, "Announce rebroadcasts sent", l, s.announces_rebroadcast);
        add("interface_announces_rate_limited", true, "Announces rate-blocked", l, s.announces_rate_limited);
        add("interface_announces_held", true, "Announces held by ingress control", l, s.announces_held);
        add("interface_path_requests_received", true, "Path requests received", l, s.path_requests_received);
        add("interface_path_requests_sent", true, "Path requests sent", l, s.path_requests_sent);
        add("interface_path_responses_sent", true, "Path responses sent", l, s.path_responses_sent);
        add("interface_control_drops", true, "Control-plane drops of packets from an interface", l, s.drops);
        add("interface_up", false, "1 while the interface exists, 0 once removed", l, s.active ? 1 : 0);
        add("interface_bitrate_bps", false, "Configured bitrate (announce cap)", l, s.bitrate);
        add("interface_ifac_bytes", false, "Interface access code size, 0 without IFAC", l, s.ifac_size);
        add("interface_held_announces", false, "Announces held now (ingress control)", l, s.held_announces);
        add("interface_queued_announces", false, "Announces in the cap queue now", l, s.queued_announces);
    }
    std::vector<std::pair<std::string, std::string>> engines;
    for (const auto& [k, v] : telemetry_snap.crypto_names) {
        engines.emplace_back(k, v);
    }
    add("crypto_info", false, "Crypto engines chosen at start-up (constant 1)", std::move(engines), 1);
    for (const auto& [k, v] : telemetry_snap.crypto) {
        add("crypto_" + k, true, "/rns/crypto " + k, {}, v);
    }
    return out;
}


} // namespace rns::ctlplane
