#include "router/ctlplane/io_bridge.hpp"

#include <rte_telemetry.h>

#include <cstdio>
#include <mutex>
#include <stdexcept>

namespace rns::ctlplane {

namespace {

// Telemetry reads the io thread's counters (atomics) through this pointer while the bridge lives.
std::mutex g_tel_mutex;
const io_bridge* g_bridge = nullptr;
bool g_tel_registered = false;

void add_stats(rte_tel_data* n, const io::iface_stats& s) {
    rte_tel_data_add_dict_u64(n, "accepted", io::get(s.accepted));
    rte_tel_data_add_dict_u64(n, "refused_table_full", io::get(s.refused_table_full));
    rte_tel_data_add_dict_u64(n, "connects", io::get(s.connects));
    rte_tel_data_add_dict_u64(n, "connect_failures", io::get(s.connect_failures));
    for (std::size_t r = 0; r < io::close_reason_count; ++r) {
        const std::string key = "closed_" + std::string(io::name(static_cast<io::close_reason>(r)));
        rte_tel_data_add_dict_u64(n, key.c_str(), io::get(s.closed[r]));
    }
    rte_tel_data_add_dict_u64(n, "bytes_in", io::get(s.bytes_in));
    rte_tel_data_add_dict_u64(n, "bytes_out", io::get(s.bytes_out));
    rte_tel_data_add_dict_u64(n, "frames_in", io::get(s.frames_in));
    rte_tel_data_add_dict_u64(n, "frames_out", io::get(s.frames_out));
    rte_tel_data_add_dict_u64(n, "rx_seam_drops", io::get(s.rx_seam_drops));
    rte_tel_data_add_dict_u64(n, "tx_drops", io::get(s.tx_drops));
    rte_tel_data_add_dict_u64(n, "garbage_bytes", io::get(s.garbage_bytes));
    rte_tel_data_add_dict_u64(n, "frames_too_short", io::get(s.frames_too_short));
    rte_tel_data_add_dict_u64(n, "frames_too_long", io::get(s.frames_too_long));
    rte_tel_data_add_dict_u64(n, "rx_truncated", io::get(s.rx_truncated));
}

int cmd_io(const char*, const char*, rte_tel_data* d) {
    std::lock_guard lock(g_tel_mutex);
    rte_tel_data_start_dict(d);
    if (g_bridge == nullptr || g_bridge->engine() == nullptr) {
        return 0;
    }
    const io::engine& e = *g_bridge->engine();
    const io::loop_stats& l = e.stats();
    rte_tel_data_add_dict_u64(d, "iterations", io::get(l.iterations));
    rte_tel_data_add_dict_u64(d, "enters", io::get(l.enters));
    rte_tel_data_add_dict_u64(d, "submissions", io::get(l.submissions));
    rte_tel_data_add_dict_u64(d, "completions", io::get(l.completions));
    rte_tel_data_add_dict_u64(d, "sq_full", io::get(l.sq_full));
    rte_tel_data_add_dict_u64(d, "buffers_exhausted", io::get(l.buffers_exhausted));
    rte_tel_data_add_dict_u64(d, "rearms", io::get(l.rearms));
    rte_tel_data_add_dict_u64(d, "stale_completions", io::get(l.stale));
    rte_tel_data_add_dict_u64(d, "sockets_open", e.sockets_open());
    rte_tel_data_add_dict_u64(d, "max_connections", e.config().max_connections);
    rte_tel_data_add_dict_u64(d, "ifaces_refused", g_bridge->ifaces_refused());
    const io::mbuf_seam_stats& s = g_bridge->seam().stats();
    rte_tel_data_add_dict_u64(d, "rx_no_mbuf", s.rx_no_mbuf.load(std::memory_order_relaxed));
    rte_tel_data_add_dict_u64(d, "rx_ring_full", s.rx_ring_full.load(std::memory_order_relaxed));
    rte_tel_data_add_dict_u64(d, "rx_too_big", s.rx_too_big.load(std::memory_order_relaxed));
    rte_tel_data_add_dict_u64(d, "tx_multiseg", s.tx_multiseg.load(std::memory_order_relaxed));
    rte_tel_data_add_dict_u64(d, "events_dropped", s.events_dropped.load(std::memory_order_relaxed));
    // Telemetry names hold only [A-Za-z0-9_/]: one section per configured interface, named by
    // kind and index ("tcp_listen_0"), with its address and name inside.
    const auto& cfg = e.config();
    auto section = [&](const std::string& key, const std::string& name, const std::string& address,
                       const io::iface_stats& st, unsigned open) {
        rte_tel_data* n = rte_tel_data_alloc();
        if (n == nullptr) {
            return;
        }
        rte_tel_data_start_dict(n);
        rte_tel_data_add_dict_string(n, "name", name.c_str());
        rte_tel_data_add_dict_string(n, "address", address.c_str());
        add_stats(n, st);
        rte_tel_data_add_dict_u64(n, "open", open);
        if (rte_tel_data_add_dict_container(d, key.c_str(), n, 0) != 0) {
            rte_tel_data_free(n);
        }
    };
    for (std::size_t i = 0; i < cfg.listeners.size(); ++i) {
        section("tcp_listen_" + std::to_string(i), g_bridge->name_of(io::iface_kind::tcp_spawned, i),
                io::to_string(cfg.listeners[i].listen), e.listener_stats(i), e.listener_connections(i));
    }
    for (std::size_t i = 0; i < cfg.clients.size(); ++i) {
        section("tcp_connect_" + std::to_string(i), g_bridge->name_of(io::iface_kind::tcp_client, i),
                io::to_string(cfg.clients[i].peer), e.client_stats(i), 0);
    }
    for (std::size_t i = 0; i < cfg.udps.size(); ++i) {
        section("udp_" + std::to_string(i), g_bridge->name_of(io::iface_kind::udp, i),
                io::to_string(cfg.udps[i].listen), e.udp_stats(i), 1);
    }
    return 0;
}

} // namespace

io_bridge::io_bridge(const kernel_iface_flags& flags, rte_mempool* pool, datapath::dataplane& dp)
    : _flags(flags), _dp(dp) {
    // Frames up to the router's RNS MTU plus the largest access code (spec §9: 64 bytes).
    _flags.io.max_frame = static_cast<std::size_t>(dp.rns_mtu) + 64;
    // A new interface receives only once it exists in the transport and the io_rx map.
    _flags.io.confirm_up = true;
    _seam = std::make_unique<io::mbuf_seam>(pool, "rns_io");
    _port.rx = _seam->rx_ring();
    _port.tx = _seam->tx_ring();
    _port.n_io = _flags.io.max_connections;
    _port.rns_of_io = std::make_unique<std::atomic<std::uint16_t>[]>(_port.n_io);
    for (std::uint32_t i = 0; i < _port.n_io; ++i) {
        _port.rns_of_io[i].store(datapath::no_iface, std::memory_order_relaxed);
    }
    _live.resize(_port.n_io);
    auto make_key = [this](const kernel_iface_settings& s, const std::string& what) {
        if (!s.has_ifac()) {
            _keys.emplace_back();
            return;
        }
        const std::size_t size = ifac::size_from_config_bits(s.ifac_size_bits, ifac::default_size_stream);
        auto k = ifac::key::derive(s.netname, s.netkey, size); // spec §9.1, TCP/UDP default 16 bytes
        if (!k) {
            throw std::runtime_error(what + ": cannot derive the IFAC key");
        }
        _keys.push_back(std::make_unique<const ifac::key>(std::move(*k)));
    };
    for (std::size_t i = 0; i < _flags.listener_settings.size(); ++i) {
        make_key(_flags.listener_settings[i], "--tcp-listen " + io::to_string(_flags.io.listeners[i].listen));
    }
    for (std::size_t i = 0; i < _flags.client_settings.size(); ++i) {
        make_key(_flags.client_settings[i], "--tcp-connect " + io::to_string(_flags.io.clients[i].peer));
    }
    for (std::size_t i = 0; i < _flags.udp_settings.size(); ++i) {
        make_key(_flags.udp_settings[i], "--udp-listen " + io::to_string(_flags.io.udps[i].listen));
    }
    for (const auto* list : {&_flags.listener_settings, &_flags.client_settings, &_flags.udp_settings}) {
        for (const auto& s : *list) {
            if (!control::parse_iface_mode(s.mode)) {
                throw std::runtime_error("kernel interface: unknown mode " + s.mode);
            }
        }
    }
    dp.io = &_port;
}

io_bridge::~io_bridge() {
    {
        std::lock_guard lock(g_tel_mutex);
        if (g_bridge == this) {
            g_bridge = nullptr;
        }
    }
    if (_thread) {
        _thread->stop();
    }
    if (_dp.io == &_port) {
        _dp.io = nullptr;
    }
}

void io_bridge::start(control::transport& t) {
    _transport = &t;
    _thread = std::make_unique<io::io_thread>(_flags.io, *_seam);
    std::lock_guard lock(g_tel_mutex);
    g_bridge = this;
    if (!g_tel_registered) {
        // Fails only when telemetry is disabled: then there is nothing to register.
        (void)rte_telemetry_register_cmd("/rns/io", cmd_io,
                                         "io thread: loop statistics and kernel interface counters");
        g_tel_registered = true;
    }
}

const kernel_iface_settings& io_bridge::settings(io::iface_kind k, std::uint16_t config) const {
    switch (k) {
    case io::iface_kind::tcp_spawned: return _flags.listener_settings.at(config);
    case io::iface_kind::tcp_client: return _flags.client_settings.at(config);
    case io::iface_kind::udp: break;
    }
    return _flags.udp_settings.at(config);
}

const ifac::key* io_bridge::key(io::iface_kind k, std::uint16_t config) const {
    std::size_t i = config;
    if (k != io::iface_kind::tcp_spawned) {
        i += _flags.listener_settings.size();
    }
    if (k == io::iface_kind::udp) {
        i += _flags.client_settings.size();
    }
    return _keys.at(i).get();
}

std::string io_bridge::local_name(io::iface_kind k, std::uint16_t config) const {
    switch (k) {
    case io::iface_kind::tcp_spawned: return "tcp_listen[" + io::to_string(_flags.io.listeners.at(config).listen) + "]";
    case io::iface_kind::tcp_client: return "tcp_connect[" + io::to_string(_flags.io.clients.at(config).peer) + "]";
    case io::iface_kind::udp: break;
    }
    return "udp_listen[" + io::to_string(_flags.io.udps.at(config).listen) + "]";
}

unsigned io_bridge::poll(double now) {
    unsigned n = 0;
    io::iface_event e;
    while (_seam->next_event(e)) {
        if (e.what == io::iface_event::type::up) {
            up(e, now);
        } else {
            down(e, now);
        }
        ++n;
    }
    return n;
}

void io_bridge::up(const io::iface_event& e, double now) {
    if (e.iface >= _live.size() || _transport == nullptr) {
        return;
    }
    if (_transport->next_interface_id(now) >= datapath::max_ifaces) {
        _refused.fetch_add(1, std::memory_order_relaxed);
        std::fprintf(stderr, "io: no room for another RNS interface (%u): %s stays unused\n",
                     static_cast<unsigned>(datapath::max_ifaces), io::to_string(e.peer).c_str());
        return;
    }
    const kernel_iface_settings& s = settings(e.kind, e.config);
    control::iface_config cfg;
    cfg.mode = *control::parse_iface_mode(s.mode);
    cfg.bitrate = s.bitrate;
    cfg.ingress_control = s.ingress_control;
    // The router carries RNS packets up to its MTU only: no HW_MTU, so forwarded link requests
    // lose their MTU signalling (spec §6.4) and links keep the 500-byte default.
    cfg.hw_mtu = 0;
    const std::string base = s.name.empty() ? local_name(e.kind, e.config) : s.name;
    std::string peer = io::to_string(e.peer);
    if (e.kind == io::iface_kind::tcp_spawned) {
        cfg.name = base + "/" + peer;
        // Spawned interfaces are not configured ones: the reference leaves them at
        // announce_cap 2 (spec §10.5).
        cfg.announce_cap = 2.0;
    } else {
        cfg.name = base; // stable across reconnections: the tunnel's interface hash (spec §6.14)
    }
    // A client synthesizes a tunnel on every (re)connection, like the reference's TCP client.
    cfg.wants_tunnel = e.kind == io::iface_kind::tcp_client;
    const control::iface_id id = _transport->add_interface(cfg, now);
    // Set even when null: the id may have belonged to another interface (spec §9.3 either way).
    _dp.ifac_keys.at(id) = key(e.kind, e.config);
    datapath::iface_tx tx;
    tx.io = true;
    tx.io_id = e.iface;
    tx.resolved = true;
    _dp.peers->publish_tx(id, tx);
    _port.rns_of_io[e.iface].store(id, std::memory_order_release);
    _thread->confirm(e.iface, e.serial);
    _live[e.iface] = {id, peer};
    if (_peer_by_rns.size() <= id) {
        _peer_by_rns.resize(id + 1u);
    }
    _peer_by_rns[id] = peer;
    if (cfg.wants_tunnel) {
        (void)_transport->interface_connected(id, now);
    }
}

void io_bridge::down(const io::iface_event& e, double now) {
    if (e.iface >= _live.size() || _live[e.iface].rns == control::no_iface) {
        return;
    }
    const control::iface_id id = _live[e.iface].rns;
    _port.rns_of_io[e.iface].store(datapath::no_iface, std::memory_order_release);
    _dp.peers->remove_tx(id);
    _transport->remove_interface(id, now);
    _live[e.iface] = {};
}

void io_bridge::stop(double now) {
    if (!_thread) {
        return;
    }
    _thread->stop();
    poll(now);
    // Final counters, one line per configured interface and one for the loop.
    const io::engine& e = _thread->eng();
    auto line = [](const std::string& name, const io::iface_stats& s) {
        std::printf("io %s accepted %llu refused_table_full %llu connects %llu connect_failures %llu", name.c_str(),
                    static_cast<unsigned long long>(io::get(s.accepted)),
                    static_cast<unsigned long long>(io::get(s.refused_table_full)),
                    static_cast<unsigned long long>(io::get(s.connects)),
                    static_cast<unsigned long long>(io::get(s.connect_failures)));
        for (std::size_t r = 0; r < io::close_reason_count; ++r) {
            std::printf(" closed_%s %llu", std::string(io::name(static_cast<io::close_reason>(r))).c_str(),
                        static_cast<unsigned long long>(io::get(s.closed[r])));
        }
        std::printf(" bytes_in %llu bytes_out %llu frames_in %llu frames_out %llu garbage_bytes %llu "
                    "frames_too_short %llu frames_too_long %llu rx_seam_drops %llu tx_drops %llu\n",
                    static_cast<unsigned long long>(io::get(s.bytes_in)),
                    static_cast<unsigned long long>(io::get(s.bytes_out)),
                    static_cast<unsigned long long>(io::get(s.frames_in)),
                    static_cast<unsigned long long>(io::get(s.frames_out)),
                    static_cast<unsigned long long>(io::get(s.garbage_bytes)),
                    static_cast<unsigned long long>(io::get(s.frames_too_short)),
                    static_cast<unsigned long long>(io::get(s.frames_too_long)),
                    static_cast<unsigned long long>(io::get(s.rx_seam_drops)),
                    static_cast<unsigned long long>(io::get(s.tx_drops)));
    };
    auto name = [this](io::iface_kind k, std::size_t i) { return name_of(k, i); };
    for (std::size_t i = 0; i < _flags.io.listeners.size(); ++i) {
        line(name(io::iface_kind::tcp_spawned, i), e.listener_stats(i));
    }
    for (std::size_t i = 0; i < _flags.io.clients.size(); ++i) {
        line(name(io::iface_kind::tcp_client, i), e.client_stats(i));
    }
    for (std::size_t i = 0; i < _flags.io.udps.size(); ++i) {
        line(name(io::iface_kind::udp, i), e.udp_stats(i));
    }
    const io::loop_stats& l = e.stats();
    std::printf("io loop iterations %llu enters %llu submissions %llu completions %llu sq_full %llu "
                "buffers_exhausted %llu rearms %llu sockets_open %u\n",
                static_cast<unsigned long long>(io::get(l.iterations)),
                static_cast<unsigned long long>(io::get(l.enters)),
                static_cast<unsigned long long>(io::get(l.submissions)),
                static_cast<unsigned long long>(io::get(l.completions)),
                static_cast<unsigned long long>(io::get(l.sq_full)),
                static_cast<unsigned long long>(io::get(l.buffers_exhausted)),
                static_cast<unsigned long long>(io::get(l.rearms)), e.sockets_open());
    std::fflush(stdout);
}

std::string io_bridge::name_of(io::iface_kind k, std::size_t config) const {
    const auto c = static_cast<std::uint16_t>(config);
    return settings(k, c).name.empty() ? local_name(k, c) : settings(k, c).name;
}

std::string io_bridge::peer_of(control::iface_id id) const {
    return id < _peer_by_rns.size() ? _peer_by_rns[id] : std::string();
}

} // namespace rns::ctlplane
