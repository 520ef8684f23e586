#include "router/ctlplane/telemetry.hpp"

#include "router/datapath/drop.hpp"
#include "router/datapath/fast_tables.hpp"
#include "router/ctlplane/graph_stats.hpp"

#include <rte_cycles.h>
#include <rte_telemetry.h>

#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace rns::ctlplane {

using namespace rns::datapath;

namespace {

struct iface_snapshot {
    std::string name;
    std::string peer; ///< kernel interfaces: the remote (TCP) or local (UDP) address
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
};

struct snapshot {
    std::string transport_id;
    std::map<std::string, node_totals> nodes;
    std::vector<std::pair<std::string, std::uint64_t>> stats;
    std::vector<iface_snapshot> ifaces;
    std::vector<std::pair<std::string, std::uint64_t>> control_drops;
};

std::mutex g_mutex;
snapshot g_snap;
bool g_registered = false;

// DPDK telemetry refuses names with characters other than [A-Za-z0-9_/] (-EINVAL), e.g. the
// graph's "eth_rx-p0q0": such names are published with '_' in place of the others.
std::string tel_name(std::string_view name) {
    std::string out(name);
    for (char& c : out) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        c == '_' || c == '/';
        if (!ok) {
            c = '_';
        }
    }
    return out;
}

// A nested dictionary for d under name, or nullptr. The container is handed to d with keep=0
// (telemetry frees it after output); when d refuses it (full), it is freed here instead.
rte_tel_data* add_dict(rte_tel_data* d, std::string_view name) {
    rte_tel_data* n = rte_tel_data_alloc();
    if (n == nullptr) {
        return nullptr;
    }
    rte_tel_data_start_dict(n);
    if (rte_tel_data_add_dict_container(d, tel_name(name).c_str(), n, 0) != 0) {
        rte_tel_data_free(n);
        return nullptr;
    }
    return n;
}

int cmd_stats(const char*, const char*, rte_tel_data* d) {
    std::lock_guard lock(g_mutex);
    rte_tel_data_start_dict(d);
    rte_tel_data_add_dict_string(d, "transport_id", g_snap.transport_id.c_str());
    for (const auto& [k, v] : g_snap.stats) {
        rte_tel_data_add_dict_u64(d, k.c_str(), v);
    }
    return 0;
}

int cmd_nodes(const char*, const char*, rte_tel_data* d) {
    std::lock_guard lock(g_mutex);
    rte_tel_data_start_dict(d);
    for (const auto& [name, t] : g_snap.nodes) {
        rte_tel_data* n = add_dict(d, name);
        if (n == nullptr) {
            continue;
        }
        rte_tel_data_add_dict_u64(n, "calls", t.calls);
        rte_tel_data_add_dict_u64(n, "packets", t.objs);
        rte_tel_data_add_dict_u64(n, "cycles", t.cycles);
    }
    return 0;
}

int cmd_drops(const char*, const char*, rte_tel_data* d) {
    std::lock_guard lock(g_mutex);
    rte_tel_data_start_dict(d);
    for (std::size_t i = 0; i < drop_reason_count; ++i) {
        const auto r = static_cast<drop_reason>(i);
        const auto it = g_snap.nodes.find(drop_node_name(r));
        rte_tel_data* n = add_dict(d, drop_node_name(r));
        if (n == nullptr) {
            continue;
        }
        rte_tel_data_add_dict_u64(n, "packets", it == g_snap.nodes.end() ? 0 : it->second.objs);
        rte_tel_data_add_dict_string(n, "description", drop_description(r));
    }
    for (const auto& [name, v] : g_snap.control_drops) {
        rte_tel_data_add_dict_u64(d, tel_name("control_" + name).c_str(), v);
    }
    return 0;
}

int cmd_ifaces(const char*, const char*, rte_tel_data* d) {
    static const char* const types[4] = {"data", "announce", "linkrequest", "proof"};
    std::lock_guard lock(g_mutex);
    rte_tel_data_start_dict(d);
    for (std::size_t i = 0; i < g_snap.ifaces.size(); ++i) {
        const iface_snapshot& s = g_snap.ifaces[i];
        rte_tel_data* n = add_dict(d, std::to_string(i));
        if (n == nullptr) {
            continue;
        }
        rte_tel_data_add_dict_string(n, "name", s.name.c_str());
        if (!s.peer.empty()) {
            rte_tel_data_add_dict_string(n, "peer", s.peer.c_str());
        }
        for (int t = 0; t < 4; ++t) {
            rte_tel_data_add_dict_u64(n, (std::string("rx_") + types[t]).c_str(), s.rx[t]);
            rte_tel_data_add_dict_u64(n, (std::string("tx_") + types[t]).c_str(), s.tx[t]);
        }
        rte_tel_data_add_dict_u64(n, "announces_accepted", s.announces_accepted);
        rte_tel_data_add_dict_u64(n, "announces_rebroadcast", s.announces_rebroadcast);
        rte_tel_data_add_dict_u64(n, "announces_rate_limited", s.announces_rate_limited);
        rte_tel_data_add_dict_u64(n, "forwarded_by_control", s.forwarded);
        rte_tel_data_add_dict_u64(n, "forwarded_fast", s.forwarded_fast);
        rte_tel_data_add_dict_u64(n, "control_drops", s.drops);
        rte_tel_data_add_dict_u64(n, "path_requests_received", s.path_requests_received);
        rte_tel_data_add_dict_u64(n, "path_requests_sent", s.path_requests_sent);
        rte_tel_data_add_dict_u64(n, "path_responses_sent", s.path_responses_sent);
    }
    return 0;
}

} // namespace

telemetry::telemetry(const dataplane& dp, control_plane& cp) : _dp(dp), _cp(cp) {
    if (!g_registered) {
        // Registration fails only when telemetry is disabled (--no-telemetry): then nothing to do.
        (void)rte_telemetry_register_cmd("/rns/stats", cmd_stats, "Router totals and table sizes");
        (void)rte_telemetry_register_cmd("/rns/nodes", cmd_nodes,
                                         "Per graph node: calls, packets, cycles (all workers)");
        (void)rte_telemetry_register_cmd("/rns/drops", cmd_drops, "Drops by reason, with descriptions");
        (void)rte_telemetry_register_cmd("/rns/ifaces", cmd_ifaces, "Per RNS interface counters");
        g_registered = true;
    }
}

telemetry::~telemetry() {
    std::lock_guard lock(g_mutex);
    g_snap = {};
}

void telemetry::publish(double now) {
    if (now - _last < 0.25) {
        return;
    }
    _last = now;
    snapshot s;
    s.transport_id = to_hex(_cp.transport().transport_id());
    s.nodes = collect_node_stats(_dp);
    const auto& t = _cp.transport();
    const auto& cs = _cp.stats();
    std::uint64_t dp_drops = 0;
    for (std::size_t i = 0; i < drop_reason_count; ++i) {
        const auto it = s.nodes.find(drop_node_name(static_cast<drop_reason>(i)));
        dp_drops += it == s.nodes.end() ? 0 : it->second.objs;
    }
    using u64 = std::uint64_t;
    s.stats = {
        {"interfaces", u64{t.interface_count()}},
        {"paths", u64{t.path_count()}},
        {"links", u64{t.link_count()}},
        {"reverse_entries", u64{t.reverse_count()}},
        {"reverse_evicted", t.hashes().reverse_evicted()},
        {"dedup_rotations", t.counters().dedup_rotations},
        {"announce_table", u64{t.announce_table_count()}},
        {"known_destinations", u64{t.known_count()}},
        {"dedup_control", u64{t.dedup_count()}},
        {"dedup_current", _dp.tables->hashes.current_size()},
        {"packet_hash_slots", u64{_dp.tables->hashes.capacity()}},
        {"packet_hashes_inserted", _dp.tables->hashes.sum(&packet_hash_table::writer_counters::inserted)},
        {"packet_hashes_evicted", _dp.tables->hashes.sum(&packet_hash_table::writer_counters::evicted)},
        {"reverse_written", _dp.tables->hashes.sum(&packet_hash_table::writer_counters::reverse_written)},
        {"reverse_used", _dp.tables->hashes.sum(&packet_hash_table::writer_counters::reverse_taken)},
        {"fast_paths", u64{_dp.tables->routes.path_count()}},
        {"fast_links", u64{_dp.tables->routes.link_count()}},
        {"fast_entries_max", u64{_dp.tables->routes.capacity()}},
        {"rx_packets", sum_objs(s.nodes, "eth_rx-") + sum_objs(s.nodes, "io_rx")},
        {"fast_forwarded", sum_objs(s.nodes, "forward") + sum_objs(s.nodes, "link_forward") +
                               sum_objs(s.nodes, "proof_forward")},
        {"punted_rns", cs.punted_rns},
        {"punted_arp", cs.punted_arp},
        {"punted_icmp", cs.punted_icmp},
        {"peers_learned", cs.peers_learned},
        {"control_sent", cs.sent},
        {"control_send_dropped", cs.send_dropped},
        {"control_send_pending", cs.send_pending},
        {"control_send_unresolved", cs.send_unresolved},
        {"peers_refused", cs.peers_refused},
        {"fast_table_full", cs.table_full},
        {"announce_backlog", u64{_cp.announce_backlog()}},
        {"announces_deferred", cs.announces_deferred},
        {"announces_overload", cs.announces_overload},
        {"control_backlog", u64{_cp.backlog()}},
        {"punts_deferred", cs.punts_deferred},
        {"punts_overload", cs.punts_overload},
        {"announce_verifications", t.counters().announce_verifications},
        {"announce_verify_cached", t.counters().announce_verify_cached},
        {"tunnels", u64{t.tunnels().size()}},
        {"tunnels_established", t.counters().tunnels_established},
        {"tunnels_reappeared", t.counters().tunnels_reappeared},
        {"tunnel_paths_restored", t.counters().tunnel_paths_restored},
        {"tunnel_paths_deprecated", t.counters().tunnel_paths_deprecated},
        {"tunnels_expired", t.counters().tunnels_expired},
        {"tunnel_paths_expired", t.counters().tunnel_paths_expired},
        {"tunnels_synthesized", t.counters().tunnels_synthesized},
        {"control_polls", cs.polls},
        {"control_polls_over_budget", cs.polls_over_budget},
        {"control_poll_max_us", static_cast<u64>(static_cast<double>(cs.poll_max_cycles) * 1e6 /
                                                 static_cast<double>(rte_get_tsc_hz()))},
        {"datapath_drops", dp_drops},
        {"neighbors", u64{_cp.neighbors().size()}},
        {"arp_requests_sent", _cp.neighbors().requests_sent},
        {"arp_replies_sent", _cp.neighbors().replies_sent},
        // IPv6 (the same counters the router prints at stop as "ipv6:").
        {"punted_ndp", cs.punted_ndp},
        {"punted_icmp6", cs.punted_icmp6},
        {"neighbors6", u64{_cp.neighbors6().size()}},
        {"ndp_solicitations_sent", _cp.neighbors6().solicitations_sent},
        {"ndp_advertisements_sent", _cp.neighbors6().advertisements_sent},
        {"ndp_ignored", _cp.neighbors6().ignored},
        {"workers", u64{_dp.workers.size()}},
    };
    u64 accepted = 0;
    u64 rx_announces = 0;
    for (const auto& c : t.counters().ifaces) {
        accepted += c.announces_accepted;
        rx_announces += c.rx_packets[1];
    }
    s.stats.emplace_back("announces_accepted", accepted);
    s.stats.emplace_back("rx_announces", rx_announces);
    // When this snapshot was taken (unix ms), so readers can turn two samples into rates.
    s.stats.emplace_back("published_ms", static_cast<u64>(now * 1000.0));
    for (std::size_t i = 0; i < t.counters().ifaces.size(); ++i) {
        const auto& c = t.counters().ifaces[i];
        iface_snapshot is;
        is.name = t.interface_config(static_cast<control::iface_id>(i)).name;
        if (_io != nullptr) {
            is.peer = _io->peer_of(static_cast<control::iface_id>(i));
        }
        for (int k = 0; k < 4; ++k) {
            is.rx[k] = c.rx_packets[static_cast<std::size_t>(k)];
            is.tx[k] = c.tx_packets[static_cast<std::size_t>(k)];
        }
        is.announces_accepted = c.announces_accepted;
        is.announces_rebroadcast = c.announces_rebroadcast;
        is.announces_rate_limited = c.announces_rate_limited;
        is.forwarded = c.forwarded;
        is.path_requests_received = c.path_requests_received;
        is.path_requests_sent = c.path_requests_sent;
        is.path_responses_sent = c.path_responses_sent;
        for (const worker_ctx* w : _dp.workers) {
            is.forwarded_fast += w->forwarded[i].load(std::memory_order_relaxed);
        }
        for (auto v : c.drops) {
            is.drops += v;
        }
        s.ifaces.push_back(std::move(is));
    }
    for (std::size_t i = 0; i < control::drop_reason_count; ++i) {
        s.control_drops.emplace_back(control::to_string(static_cast<control::drop_reason>(i)),
                                     t.counters().drops[i]);
    }
    std::lock_guard lock(g_mutex);
    g_snap = std::move(s);
}

} // namespace rns::ctlplane
