#include "router/ctlplane/control_plane.hpp"

#include "drivers/icmp_echo.hpp"
#include "router/datapath/fast_tables.hpp"
#include "router/datapath/pkt_priv.hpp"

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ring_elem.h>

#include <arpa/inet.h>

#include <algorithm>
#include <chrono>
#include <cstring>

namespace rns::ctlplane {

using namespace rns::datapath;

namespace {
/// Backlog room beyond --announce-backlog for packets queued behind waiting announces.
constexpr std::size_t behind_announces = 256;
constexpr std::size_t max_pending_per_iface = 16; // like a kernel's ARP queue: a few packets
// Like a kernel's ARP queue too, packets wait only while the resolver is still trying (5 tries,
// 1 s apart, drivers/neighbor.hpp); sent whenever the neighbour next appeared, stale announces
// and path responses reached peers minutes late.
constexpr double pending_life = 5.0;

std::string ip_string(std::uint32_t ip4) {
    char buf[INET_ADDRSTRLEN];
    ::inet_ntop(AF_INET, &ip4, buf, sizeof buf);
    return buf;
}
std::string ip6_string(const drivers::ip6_addr& ip6) {
    char buf[INET6_ADDRSTRLEN];
    ::inet_ntop(AF_INET6, ip6.data(), buf, sizeof buf);
    return buf;
}
} // namespace

control_plane::control_plane(dataplane& dp, rte_mempool* pool, const byte_array<64>& transport_key,
                             control::random_source& rng, control::transport_options opts)
    : _dp(dp), _pool(pool),
      // The last counter line of the packet-hash table (one per worker, then this thread).
      _hashes(dp.tables->hashes, dp.tables->hashes.writers() - 1),
      _transport(transport_key, *this, rng, opts, &_hashes),
      _neighbors(
          pool,
          [this](rte_mbuf* m) {
              priv(m).kind = pkt_kind::raw_frame;
              inject(m);
          },
          [this](std::uint16_t port, std::uint32_t ip4, const rte_ether_addr& mac) {
              on_resolved(port, ip4, mac);
          }),
      _neighbors6(
          pool,
          [this](rte_mbuf* m) {
              priv(m).kind = pkt_kind::raw_frame;
              inject(m);
          },
          [this](std::uint16_t port, const drivers::ip6_addr& ip6, const rte_ether_addr& mac) {
              on_resolved6(port, ip6, mac);
          }) {
    _dp.transport_id = _transport.transport_id();
    // The workers' clock from the start (main's loop time base: the system clock).
    set_clock(std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
    set_slice(control_slice{}, rte_get_tsc_hz());
    for (std::uint16_t p = 0; p < RTE_MAX_ETHPORTS; ++p) {
        if (_dp.ports[p].enabled) {
            _neighbors.add_port(p, {_dp.ports[p].mac, _dp.ports[p].ip4});
            if (_dp.ports[p].has_ip6) {
                _neighbors6.add_port(p, _dp.ports[p].mac, _dp.ports[p].ip6);
            }
        }
    }
}

control::iface_id control_plane::add_udp_iface(const udp_iface_spec& spec, double now) {
    if (_transport.interface_count() >= datapath::max_ifaces) {
        throw std::runtime_error("too many interfaces");
    }
    const control::iface_id id = _transport.add_interface(spec.cfg, now);
    if (id >= _ifaces.size()) {
        _ifaces.resize(id + 1u);
        _pending.resize(id + 1u);
    }
    _ifaces[id] = spec;
    port_l3& port = _dp.ports[spec.eth_port];
    if (spec.broadcast && spec.ipv6) {
        // IPv6 has no broadcast: the "broadcast" target is a multicast group (e.g. ff02::1).
        const rte_ether_addr group = drivers::multicast_mac(spec.ip6);
        publish_tx(id, &group);
    } else if (spec.broadcast) {
        rte_ether_addr bcast;
        std::memset(&bcast, 0xff, sizeof bcast);
        publish_tx(id, &bcast);
    } else {
        const bool mapped = spec.ipv6 ? _dp.peers->map_peer6(spec.eth_port, spec.ip6, spec.udp, id)
                                      : _dp.peers->map_peer(spec.eth_port, spec.ip4, spec.udp, id);
        if (!mapped) {
            throw std::runtime_error("UDP peer table full");
        }
        publish_tx(id, resolve(spec, now));
    }
    udp_listener* l = port.listener(spec.listen_udp);
    if (l == nullptr) {
        throw std::runtime_error("interface " + spec.cfg.name + ": no listener on that UDP port");
    }
    if (spec.catch_all && l->default_iface == datapath::no_iface) {
        l->default_iface = id; // reference UDPInterface: it hears every sender on its port
    }
    return id;
}

void control_plane::set_learned_template(std::uint16_t eth_port, std::uint16_t listen_udp,
                                         const control::iface_config& cfg) {
    _learned_cfg[std::uint32_t{eth_port} << 16 | listen_udp] = cfg;
}

void control_plane::publish_tx(control::iface_id id, const rte_ether_addr* mac) {
    const udp_iface_spec& s = _ifaces[id];
    datapath::iface_tx tx;
    tx.eth_port = s.eth_port;
    tx.src_udp = s.listen_udp;
    tx.dst_ip4 = s.ip4;
    tx.ipv6 = s.ipv6;
    tx.dst_ip6 = s.ip6;
    tx.dst_udp = s.udp;
    tx.resolved = mac != nullptr;
    if (mac != nullptr) {
        tx.dst_mac = *mac;
    }
    _dp.peers->publish_tx(id, tx);
}

const rte_ether_addr* control_plane::resolve(const udp_iface_spec& s, double now) {
    return s.ipv6 ? _neighbors6.lookup(s.eth_port, s.ip6, now) : _neighbors.lookup(s.eth_port, s.ip4, now);
}

void control_plane::resolved_iface(control::iface_id id, const rte_ether_addr& mac) {
    publish_tx(id, &mac);
    expire_pending(_now);
    auto pending = std::move(_pending[id]);
    _pending[id].clear();
    for (const auto& [queued, raw] : pending) {
        send(id, raw);
    }
}

void control_plane::on_resolved(std::uint16_t port, std::uint32_t ip4, const rte_ether_addr& mac) {
    for (control::iface_id id = 0; id < _ifaces.size(); ++id) {
        const udp_iface_spec& s = _ifaces[id];
        if (s.broadcast || s.ipv6 || s.eth_port != port || s.ip4 != ip4) {
            continue;
        }
        resolved_iface(id, mac);
    }
}

void control_plane::on_resolved6(std::uint16_t port, const drivers::ip6_addr& ip6, const rte_ether_addr& mac) {
    for (control::iface_id id = 0; id < _ifaces.size(); ++id) {
        const udp_iface_spec& s = _ifaces[id];
        if (s.broadcast || !s.ipv6 || s.eth_port != port || s.ip6 != ip6) {
            continue;
        }
        resolved_iface(id, mac);
    }
}

void control_plane::inject(rte_mbuf* m) {
    // Worker 0 owns the inject ring the control plane fills (single producer: this thread).
    if (rte_ring_sp_enqueue(_dp.workers[0]->inject, m) != 0) {
        rte_pktmbuf_free(m);
        ++_stats.send_dropped;
    }
}

void control_plane::send(control::iface_id out, byte_view raw) {
    const datapath::iface_tx* tx = _dp.peers->tx_of(out);
    if (tx == nullptr) {
        ++_stats.send_dropped;
        return;
    }
    if (!tx->resolved) {
        const udp_iface_spec& s = _ifaces[out];
        if (const rte_ether_addr* mac = resolve(s, _now)) {
            publish_tx(out, mac);
        } else {
            if (_pending[out].size() < max_pending_per_iface) {
                _pending[out].emplace_back(_now, bytes(raw.begin(), raw.end()));
                ++_stats.send_pending;
            } else {
                ++_stats.send_dropped;
            }
            return;
        }
    }
    rte_mbuf* m = rte_pktmbuf_alloc(_pool);
    if (m == nullptr) {
        ++_stats.send_dropped;
        return;
    }
    auto* dst = reinterpret_cast<std::uint8_t*>(rte_pktmbuf_append(m, static_cast<std::uint16_t>(raw.size())));
    if (dst == nullptr) {
        rte_pktmbuf_free(m);
        ++_stats.send_dropped;
        return;
    }
    std::memcpy(dst, raw.data(), raw.size());
    pkt_priv& pp = priv(m);
    pp.kind = pkt_kind::rns;
    pp.out_iface = out;
    ++_stats.sent;
    inject(m);
}

void control_plane::learn_peer(rte_mbuf* m, double now) {
    const pkt_priv pp = priv(m);
    // Another packet from the same peer may have been punted before the first one mapped it.
    std::uint16_t id = pp.src_is_ip6 ? _dp.peers->lookup6(pp.l2_port, pp.src_ip6.data(), pp.src_port)
                                     : _dp.peers->lookup(pp.l2_port, pp.src_ip4, pp.src_port);
    if (id == datapath::no_iface) {
        const auto tmpl = _learned_cfg.find(std::uint32_t{pp.l2_port} << 16 | pp.dst_udp);
        if (tmpl == _learned_cfg.end() || _transport.interface_count() >= datapath::max_ifaces) {
            ++_stats.peers_refused;
            rte_pktmbuf_free(m);
            return;
        }
        udp_iface_spec spec;
        spec.eth_port = pp.l2_port;
        spec.ip4 = pp.src_ip4;
        spec.ipv6 = pp.src_is_ip6;
        spec.ip6 = pp.src_ip6;
        spec.udp = pp.src_port;
        spec.listen_udp = pp.dst_udp;
        spec.cfg = tmpl->second;
        spec.cfg.name = tmpl->second.name + "[" +
                        (spec.ipv6 ? "[" + ip6_string(spec.ip6) + "]" : ip_string(pp.src_ip4)) + ":" +
                        std::to_string(ntohs(pp.src_port)) + "]";
        if (spec.ipv6) {
            _neighbors6.learn(pp.l2_port, pp.src_ip6, pp.src_mac, now);
        } else {
            _neighbors.learn(pp.l2_port, pp.src_ip4, pp.src_mac, now);
        }
        id = add_udp_iface(spec, now);
        ++_stats.peers_learned;
    }
    ++_stats.punted_rns;
    const byte_view raw(rte_pktmbuf_mtod(m, const std::uint8_t*), rte_pktmbuf_data_len(m));
    (void)_transport.inbound(id, raw, now);
    rte_pktmbuf_free(m);
}

void control_plane::handle_punt(rte_mbuf* m, double now) {
    pkt_priv& pp = priv(m);
    switch (pp.kind) {
    case pkt_kind::rns: {
        ++_stats.punted_rns;
        const byte_view raw(rte_pktmbuf_mtod(m, const std::uint8_t*), rte_pktmbuf_data_len(m));
        // The worker's dedup node filtered it with the shared table (spec §6.3 rules 2-6).
        (void)_transport.inbound(pp.in_iface, raw, now, /*prefiltered=*/true);
        rte_pktmbuf_free(m);
        return;
    }
    case pkt_kind::new_peer:
        learn_peer(m, now);
        return;
    case pkt_kind::arp:
        ++_stats.punted_arp;
        _neighbors.input(m->port, m, now);
        return;
    case pkt_kind::icmp_echo:
        ++_stats.punted_icmp;
        send_echo_reply(m, drivers::echo_request_to_reply(m));
        return;
    case pkt_kind::ndp:
        ++_stats.punted_ndp;
        _neighbors6.input(m->port, m, now);
        return;
    case pkt_kind::icmp6_echo:
        ++_stats.punted_icmp6;
        send_echo_reply(m, drivers::echo6_request_to_reply(m));
        return;
    case pkt_kind::raw_frame:
        break;
    }
    rte_pktmbuf_free(m);
}

void control_plane::set_clock(double now) noexcept {
    const std::uint32_t sec = shared_packet_hashes::second_of(now);
    if (_dp.tables->now_s.load(std::memory_order_relaxed) != sec) {
        _dp.tables->now_s.store(sec, std::memory_order_relaxed);
    }
}

void control_plane::set_slice(const control_slice& s, std::uint64_t tsc_hz) {
    _slice_cycles = static_cast<std::uint64_t>(s.budget_us * 1e-6 * static_cast<double>(tsc_hz));
    _announce_cap = std::max<std::size_t>(s.announce_backlog, 1);
    // Room for packets queued behind the announces too (they keep their arrival order).
    std::vector<deferred_packet> b(_announce_cap + behind_announces);
    std::size_t kept = 0;
    std::size_t kept_announces = 0;
    for (std::size_t i = 0; i < _backlog_count; ++i) {
        deferred_packet& d = _backlog[(_backlog_head + i) % _backlog.size()];
        if (kept == b.size() || (d.announce && kept_announces == _announce_cap)) {
            _transport.count_overload(d.in, d.announce);
            ++(d.announce ? _stats.announces_overload : _stats.punts_overload);
            continue;
        }
        kept_announces += d.announce ? 1 : 0;
        b[kept++] = std::move(d);
    }
    _backlog = std::move(b);
    _backlog_head = 0;
    _backlog_count = kept;
    _backlog_announces = kept_announces;
}

void control_plane::punt_or_defer(rte_mbuf* m, double now) {
    const pkt_priv& pp = priv(m);
    if (pp.kind != pkt_kind::rns) {
        handle_punt(m, now); // not RNS (ARP, ND, ICMP) or a new peer: nothing to keep order with
        return;
    }
    const auto len = rte_pktmbuf_data_len(m);
    const auto* raw = rte_pktmbuf_mtod(m, const std::uint8_t*);
    // Packet type ANNOUNCE: flag byte bits 1-0 (spec §4.1).
    const bool announce = len > 2 && (raw[0] & 0x03U) == 0x01U;
    if (!announce && _backlog_count == 0) {
        handle_punt(m, now);
        return;
    }
    ++_stats.punted_rns;
    // Announces wait for a slice with time to verify them; any other RNS packet that arrives
    // while they wait queues behind them, so the transport sees packets in arrival order (a
    // link request or data right after the announce that made its path, spec §6.2).
    const bool full = announce ? _backlog_announces == _announce_cap : _backlog_count == _backlog.size();
    if (full) {
        // More arrives than this core's share handles: the newest waits nowhere.
        _transport.count_overload(pp.in_iface, announce);
        ++(announce ? _stats.announces_overload : _stats.punts_overload);
    } else {
        deferred_packet& d = _backlog[(_backlog_head + _backlog_count) % _backlog.size()];
        d.in = pp.in_iface;
        d.announce = announce;
        d.raw.assign(raw, raw + len); // reuses the slot's capacity once it has grown
        ++_backlog_count;
        _backlog_announces += announce ? 1 : 0;
        ++(announce ? _stats.announces_deferred : _stats.punts_deferred);
    }
    rte_pktmbuf_free(m);
}

void control_plane::handle_deferred(double now) {
    deferred_packet& d = _backlog[_backlog_head];
    _backlog_head = (_backlog_head + 1) % _backlog.size();
    --_backlog_count;
    _backlog_announces -= d.announce ? 1 : 0;
    // Punted by a worker: its dedup node already filtered it with the shared table (spec §6.3).
    (void)_transport.inbound(d.in, d.raw, now, /*prefiltered=*/true);
}

unsigned control_plane::poll(double now) {
    _now = now;
    set_clock(now);
    const std::uint64_t start = rte_rdtsc();
    const std::uint64_t deadline = start + _slice_cycles;
    unsigned done = 0;
    for (worker_ctx* w : _dp.workers) {
        // Punts in small bursts while the slice lasts; what is left waits in the punt ring.
        // Announces only move to the backlog here (a copy), so a flood of them empties the ring
        // quickly and ARP, path requests and link traffic behind them are not starved.
        // Bursts of 16: what is dequeued is handled, and an LRPROOF costs a verification too.
        constexpr unsigned punt_burst = 16;
        unsigned n = 0;
        do {
            void* burst[punt_burst];
            n = rte_ring_sc_dequeue_burst(w->punt, burst, punt_burst, nullptr);
            for (unsigned i = 0; i < n; ++i) {
                punt_or_defer(static_cast<rte_mbuf*>(burst[i]), now);
            }
            done += n;
        } while (n == punt_burst && rte_rdtsc() < deadline);
    }
    // The backlog (announce verification, ~50 µs each, tools/bench crypto, and what waits
    // behind) while the slice lasts, at least one per poll so it drains whatever the budget.
    if (_backlog_count != 0) {
        do {
            handle_deferred(now);
            ++done;
        } while (_backlog_count != 0 && rte_rdtsc() < deadline);
    }
    const std::uint64_t spent = rte_rdtsc() - start;
    ++_stats.polls;
    if (spent > _slice_cycles) {
        ++_stats.polls_over_budget;
    }
    _stats.poll_max_cycles = std::max(_stats.poll_max_cycles, spent);
    return done;
}

void control_plane::drain(double now) {
    while (poll(now) != 0) {
    }
}

// m was turned into an echo reply in place (ICMP or ICMPv6) when `rewritten`; it leaves from
// the port it came in on, with the port's MAC as source.
void control_plane::send_echo_reply(rte_mbuf* m, bool rewritten) {
    if (!rewritten) {
        rte_pktmbuf_free(m);
        return;
    }
    rte_pktmbuf_mtod(m, rte_ether_hdr*)->src_addr = _dp.ports[m->port].mac;
    priv(m).kind = pkt_kind::raw_frame;
    inject(m);
}

void control_plane::expire_pending(double now) {
    for (auto& q : _pending) {
        while (!q.empty() && now - q.front().first > pending_life) {
            q.pop_front();
            ++_stats.send_unresolved;
        }
    }
}

void control_plane::tick(double now) {
    _now = now;
    set_clock(now);
    collect_usage(_dp.tables->routes.slot_count() / 64 + 1);
    expire_pending(now);
    _transport.tick(now);
    _neighbors.tick(now);
    _neighbors6.tick(now);
    _dp.rcu->reclaim();
}

void control_plane::path_set(const hash16& dest, const control::fast_path_entry& e) {
    if (!_dp.tables->routes.set_path(dest, e)) {
        ++_stats.table_full;
    }
}
void control_plane::path_removed(const hash16& dest) { _dp.tables->routes.remove_path(dest); }
void control_plane::link_set(const hash16& id, const control::fast_link_entry& e) {
    if (!_dp.tables->routes.set_link(id, e)) {
        ++_stats.table_full;
    }
}
void control_plane::link_removed(const hash16& id) { _dp.tables->routes.remove_link(id); }
void control_plane::collect_usage() { collect_usage(_dp.tables->routes.slot_count()); }

void control_plane::collect_usage(std::size_t slots) {
    _usage_cursor = _dp.tables->routes.collect_usage(
        _usage_cursor, slots,
        [this](const hash16& dest, std::uint32_t sec) { _transport.path_used(dest, static_cast<double>(sec)); },
        [this](const hash16& id, std::uint32_t sec) { _transport.link_used(id, static_cast<double>(sec)); });
}

} // namespace rns::ctlplane
