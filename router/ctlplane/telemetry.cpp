#include "router/ctlplane/telemetry.hpp"
#include "router/ctlplane/telemetry_snapshot.hpp"

#include "router/datapath/drop.hpp"
#include "router/datapath/fast_tables.hpp"
#include "router/ctlplane/graph_stats.hpp"
#include "router/rns/ifac.hpp"

#include <arpa/inet.h>

#include <rte_cycles.h>
#include <rte_telemetry.h>

#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace rns::ctlplane {

using namespace rns::datapath;

std::mutex telemetry_mutex;
snapshot telemetry_snap;

namespace {

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
    std::lock_guard lock(telemetry_mutex);
    rte_tel_data_start_dict(d);
    rte_tel_data_add_dict_string(d, "transport_id", telemetry_snap.transport_id.c_str());
    for (const auto& [k, v] : telemetry_snap.stats) {
        rte_tel_data_add_dict_u64(d, k.c_str(), v);
    }
    return 0;
}

int cmd_nodes(const char*, const char*, rte_tel_data* d) {
    std::lock_guard lock(telemetry_mutex);
    rte_tel_data_start_dict(d);
    for (const auto& [name, t] : telemetry_snap.nodes) {
        rte_tel_data* n = add_dict(d, name);
        if (n == nullptr) {
            continue;
        }
        rte_tel_data_add_dict_u64(n, "calls", t.calls);
        rte_tel_data_add_dict_u64(n, "packets", t.objs);
        rte_tel_data_add_dict_u64(n, "cycles", t.cycles);
        rte_tel_data_add_dict_u64(n, "source", t.source ? 1 : 0);
    }
    return 0;
}

int cmd_drops(const char*, const char*, rte_tel_data* d) {
    std::lock_guard lock(telemetry_mutex);
    rte_tel_data_start_dict(d);
    for (std::size_t i = 0; i < drop_reason_count; ++i) {
        const auto r = static_cast<drop_reason>(i);
        const auto it = telemetry_snap.nodes.find(drop_node_name(r));
        rte_tel_data* n = add_dict(d, drop_node_name(r));
        if (n == nullptr) {
            continue;
        }
        rte_tel_data_add_dict_u64(n, "packets", it == telemetry_snap.nodes.end() ? 0 : it->second.objs);
        rte_tel_data_add_dict_string(n, "description", drop_description(r));
    }
    for (const auto& [name, v] : telemetry_snap.control_drops) {
        rte_tel_data_add_dict_u64(d, tel_name("control_" + name).c_str(), v);
    }
    return 0;
}

int cmd_ifaces(const char*, const char*, rte_tel_data* d) {
    static const char* const types[4] = {"data", "announce", "linkrequest", "proof"};
    std::lock_guard lock(telemetry_mutex);
    rte_tel_data_start_dict(d);
    for (std::size_t i = 0; i < telemetry_snap.ifaces.size(); ++i) {
        const iface_snapshot& s = telemetry_snap.ifaces[i];
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
        rte_tel_data_add_dict_string(n, "kind", s.kind.c_str());
        if (!s.peer.empty()) {
            rte_tel_data_add_dict_string(n, "peer", s.peer.c_str());
        }
        rte_tel_data_add_dict_string(n, "mode", s.mode.c_str());
        rte_tel_data_add_dict_string(n, "state", s.active ? "up" : "removed");
        rte_tel_data_add_dict_u64(n, "bitrate", s.bitrate);
        rte_tel_data_add_dict_u64(n, "ifac_size", s.ifac_size);
        rte_tel_data_add_dict_u64(n, "rx_bytes", s.rx_bytes);
        rte_tel_data_add_dict_u64(n, "tx_bytes", s.tx_bytes);
        rte_tel_data_add_dict_u64(n, "announces_held", s.announces_held);
        rte_tel_data_add_dict_u64(n, "held_announces", s.held_announces);
        rte_tel_data_add_dict_u64(n, "queued_announces", s.queued_announces);
        // Rates in announces per hour, integral (telemetry in 22.11 has no floating point).
        rte_tel_data_add_dict_u64(n, "rx_announces_per_hour", static_cast<std::uint64_t>(s.rx_announce_rate * 3600));
        rte_tel_data_add_dict_u64(n, "tx_announces_per_hour", static_cast<std::uint64_t>(s.tx_announce_rate * 3600));
    }
    return 0;
}

int cmd_crypto(const char*, const char*, rte_tel_data* d) {
    std::lock_guard lock(telemetry_mutex);
    rte_tel_data_start_dict(d);
    for (const auto& [k, v] : telemetry_snap.crypto_names) {
        rte_tel_data_add_dict_string(d, k.c_str(), v.c_str());
    }
    for (const auto& [k, v] : telemetry_snap.crypto) {
        rte_tel_data_add_dict_u64(d, k.c_str(), v);
    }
    for (const auto& [k, v] : telemetry_snap.crypto_rates) {
        rte_tel_data_add_dict_u64(d, k.c_str(), static_cast<std::uint64_t>(v));
    }
    return 0;
}

std::string ip_text(int family, const void* addr) {
    char buf[INET6_ADDRSTRLEN];
    ::inet_ntop(family, addr, buf, sizeof buf);
    return buf;
}

// Kind, peer, mode, state, bitrate, IFAC, bytes and announce queues of interface id.
void describe_iface(const dataplane& dp, control_plane& cp, control::iface_id id, iface_snapshot& is) {
    const control::transport& t = cp.transport();
    const control::iface_config& cfg = t.interface_config(id);
    const auto& c = t.counters().ifaces[id];
    const udp_iface_spec* spec = cp.iface_spec(id);
    if (spec != nullptr && spec->listen_udp != 0) {
        is.kind = "dpdk_udp";
        std::string addr = spec->ipv6 ? "[" + ip_text(AF_INET6, spec->ip6.data()) + "]"
                                      : ip_text(AF_INET, &spec->ip4);
        addr += ":" + std::to_string(ntohs(spec->udp));
        is.peer = spec->broadcast ? "broadcast " + addr : addr;
    } else {
        is.kind = "kernel";
    }
    is.mode = control::to_string(cfg.mode);
    is.active = t.interface_active(id);
    is.bitrate = cfg.bitrate;
    is.ifac_size = dp.ifac_keys[id] != nullptr ? dp.ifac_keys[id]->size() : 0;
    for (std::size_t k = 0; k < 4; ++k) {
        is.rx_bytes += c.rx_bytes[k];
        is.tx_bytes += c.tx_bytes[k];
    }
    is.announces_held = c.announces_held;
    is.held_announces = t.held_announce_count(id);
    is.queued_announces = t.queued_announce_count(id);
}

// Per-interface announce rates and the crypto section (engines, work, rates).
void add_rates(const dataplane& dp, control_plane& cp, counter_rates& rates, double now, snapshot& s) {
    // Announce rates per interface (the reference's rnstatus shows them as frequencies), and the
    // crypto engines' work.
    std::vector<std::uint64_t> v;
    for (const iface_snapshot& is : s.ifaces) {
        v.push_back(is.rx[1]);
        v.push_back(is.tx[1]);
    }
    const auto it = s.nodes.find("packet_hash");
    const std::uint64_t hashes = it == s.nodes.end() ? 0 : it->second.objs;
    const auto& tc = cp.transport().counters();
    v.push_back(hashes);
    v.push_back(tc.announce_verifications);
    v.push_back(tc.announce_verify_cached);
    const std::vector<double> r = rates.update(now, std::move(v));
    for (std::size_t i = 0; i < s.ifaces.size(); ++i) {
        s.ifaces[i].rx_announce_rate = r[2 * i];
        s.ifaces[i].tx_announce_rate = r[2 * i + 1];
    }
    const std::size_t k = 2 * s.ifaces.size();
    // The packet hash engine every worker chose at start-up (sha256_batch::fastest); announce
    // signatures are verified one at a time with libsodium (crypto/ed25519.cpp).
    s.crypto_names = {{"packet_hash_engine", dp.workers.empty() ? "" : dp.workers.front()->hasher->name()},
                      {"announce_verify_engine", "libsodium"}};
    const std::uint64_t cycles = it == s.nodes.end() ? 0 : it->second.cycles;
    s.crypto = {{"packet_hashes", hashes},
                {"packet_hash_cycles", cycles},
                {"announce_verifications", tc.announce_verifications},
                {"announce_verify_cached", tc.announce_verify_cached}};
    s.crypto_rates = {{"packet_hashes_per_s", r[k]},
                      {"announce_verifications_per_s", r[k + 1]},
                      {"announce_verify_cached_per_s", r[k + 2]}};
}

} // namespace

telemetry::telemetry(const dataplane& dp, control_plane& cp)
    : _dp(dp), _cp(cp),
      _started(std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count()) {
    if (!g_registered) {
        // Registration fails only when telemetry is disabled (--no-telemetry): then nothing to do.
        (void)rte_telemetry_register_cmd("/rns/stats", cmd_stats, "Router totals and table sizes");
        (void)rte_telemetry_register_cmd("/rns/nodes", cmd_nodes,
                                         "Per graph node: calls, packets, cycles (all workers)");
        (void)rte_telemetry_register_cmd("/rns/drops", cmd_drops, "Drops by reason, with descriptions");
        (void)rte_telemetry_register_cmd("/rns/ifaces", cmd_ifaces, "Per RNS interface counters");
        (void)rte_telemetry_register_cmd("/rns/crypto", cmd_crypto,
                                         "Crypto engines, their work and rates (per second, 10 s)");
        g_registered = true;
    }
}

telemetry::~telemetry() {
    std::lock_guard lock(telemetry_mutex);
    telemetry_snap = {};
}

void telemetry::publish(double now) {
    _paths.serve(_cp.transport());
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
    s.stats.emplace_back("started_ms", static_cast<u64>(_started * 1000.0));
    s.stats.emplace_back("uptime_s", static_cast<u64>(now > _started ? now - _started : 0));
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
        describe_iface(_dp, _cp, static_cast<control::iface_id>(i), is);
        s.ifaces.push_back(std::move(is));
    }
    add_rates(_dp, _cp, _rates, now, s);
    for (std::size_t i = 0; i < control::drop_reason_count; ++i) {
        s.control_drops.emplace_back(control::to_string(static_cast<control::drop_reason>(i)),
                                     t.counters().drops[i]);
    }
    std::lock_guard lock(telemetry_mutex);
    telemetry_snap = std::move(s);
}

} // namespace rns::ctlplane
