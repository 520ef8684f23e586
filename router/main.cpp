// rnsrouter: a Reticulum transport node on DPDK (DESIGN.md). `rnsrouter [EAL args] -- [flags]`.
//
// Start-up: EAL, packet pool, tables, ports, graphs (one per worker lcore), transport identity,
// control plane and its interfaces; then the workers walk their graphs while the main lcore runs
// the control plane (with one lcore it does both, alternating). SIGINT/SIGTERM stop cleanly.
#include "drivers/dpdk_port.hpp"
#include "router/control/random_source.hpp"
#include "router/ctlplane/control_plane.hpp"
#include "router/datapath/dataplane.hpp"
#include "router/datapath/fast_tables.hpp"
#include "router/datapath/graph_setup.hpp"
#include "router/ctlplane/graph_stats.hpp"
#include "router/datapath/pkt_priv.hpp"
#include "router/config.hpp"
#include "router/ctlplane/router_persistence.hpp"
#include "router/ctlplane/telemetry.hpp"
#include "router/rns/identity.hpp"
#include "router/rns/ifac.hpp"

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_graph_worker.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <arpa/inet.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace rns::datapath;
using namespace rns::ctlplane;
using namespace rns::router;

std::atomic<bool> g_quit{false};
bool g_eal_up = false;

void on_signal(int) { g_quit.store(true, std::memory_order_relaxed); }

double wall_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

struct worker_args {
    worker_ctx* w;
    rns::datapath::rcu_domain* rcu;
};

int worker_main(void* arg) {
    auto* a = static_cast<worker_args*>(arg);
    a->rcu->reader_online(a->w->lcore);
    while (!g_quit.load(std::memory_order_relaxed)) {
        rte_graph_walk(a->w->graph);
        a->rcu->quiescent(a->w->lcore);
    }
    a->rcu->reader_offline(a->w->lcore);
    return 0;
}

std::string ip6_string(const std::array<std::uint8_t, 16>& ip6) {
    char buf[INET6_ADDRSTRLEN];
    ::inet_ntop(AF_INET6, ip6.data(), buf, sizeof buf);
    return buf;
}

std::string ip_string(std::uint32_t ip4) {
    char buf[INET_ADDRSTRLEN];
    ::inet_ntop(AF_INET, &ip4, buf, sizeof buf);
    return buf;
}

void print_status(const dataplane& dp, control_plane& cp, double elapsed,
                  std::uint64_t& last_rx, std::uint64_t& last_fwd) {
    const auto s = collect_node_stats(dp);
    const std::uint64_t rx = sum_objs(s, "eth_rx-");
    const std::uint64_t fwd = sum_objs(s, "forward") + sum_objs(s, "link_forward") +
                              sum_objs(s, "proof_forward");
    const std::uint64_t drops = sum_objs(s, "drop_");
    const auto& t = cp.transport();
    std::uint64_t announces = 0;
    for (const auto& ic : t.counters().ifaces) {
        announces += ic.announces_accepted;
    }
    std::printf("status: rx %.0f pkt/s, fast-forwarded %.0f pkt/s, punted %llu, paths %zu, links %zu, "
                "announces %llu, interfaces %zu, drops %llu\n",
                static_cast<double>(rx - last_rx) / elapsed,
                static_cast<double>(fwd - last_fwd) / elapsed,
                static_cast<unsigned long long>(cp.stats().punted_rns), t.path_count(),
                t.link_count(), static_cast<unsigned long long>(announces), t.interface_count(),
                static_cast<unsigned long long>(drops));
    std::fflush(stdout);
    last_rx = rx;
    last_fwd = fwd;
}

int run(int argc, char** argv) {
    const int eal = rte_eal_init(argc, argv);
    if (eal < 0) {
        std::fprintf(stderr, "rnsrouter: EAL initialisation failed: %s\n%s", rte_strerror(rte_errno),
                     router_usage());
        return 1;
    }
    g_eal_up = true;
    router_flags flags;
    try {
        flags = parse_router_flags(argc - eal - 1, argv + eal + 1);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "rnsrouter: %s\n\n%s", e.what(), router_usage());
        return 2;
    }
    if (flags.help) {
        std::fputs(router_usage(), stdout);
        return 0;
    }
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);

    const unsigned main_lcore = rte_get_main_lcore();
    std::vector<unsigned> workers;
    unsigned lc;
    RTE_LCORE_FOREACH_WORKER(lc) { workers.push_back(lc); }
    const bool main_is_worker = workers.empty();
    if (main_is_worker) {
        workers.push_back(main_lcore);
    }

    rte_mempool* pool = rte_pktmbuf_pool_create("rns_pool", flags.mbufs, 256, pkt_priv_size,
                                                RTE_MBUF_DEFAULT_BUF_SIZE,
                                                static_cast<int>(rte_socket_id()));
    if (pool == nullptr) {
        throw std::runtime_error(std::string("cannot create the mbuf pool: ") + rte_strerror(rte_errno));
    }
    auto rcu = std::make_unique<rns::datapath::rcu_domain>();
    auto peers = std::make_unique<rns::datapath::udp_peers>(*rcu);
    auto tables = std::make_unique<fast_tables>(*rcu, fast_tables::sizes{});
    auto dp = std::make_unique<dataplane>();
    dp->rcu = rcu.get();
    dp->peers = peers.get();
    dp->tables = tables.get();
    dp->fast_path = !flags.slow_path_only;
    g_dataplane = dp.get();

    std::vector<port_queues> pq;
    for (const port_flag& pf : flags.ports) {
        port_l3& l3 = dp->ports[pf.port];
        // A repeated --port for the same device adds a listener (another UDP port on it).
        if (l3.enabled) {
            if (pf.ip4 != l3.ip4 || pf.has_ip6 != l3.has_ip6 || pf.ip6 != l3.ip6 || l3.n_listeners == max_listeners || l3.listener(pf.udp) != nullptr) {
                throw std::runtime_error("--port " + std::to_string(pf.port) +
                                         ": a repeated port needs the same addr and a new udp port");
            }
            l3.listeners[l3.n_listeners++] = {pf.udp, pf.learn, rns::datapath::no_iface};
            std::printf("port %u: RNS UDP port %u\n", pf.port, ntohs(pf.udp));
            continue;
        }
        rns::drivers::port_request req;
        req.port_id = pf.port;
        req.rx_queues = static_cast<std::uint16_t>(workers.size());
        req.tx_queues = static_cast<std::uint16_t>(workers.size());
        req.pool = pool;
        const auto info = rns::drivers::setup_port(req);
        l3.enabled = true;
        l3.mac = info.mac;
        l3.ip4 = pf.ip4;
        const std::uint32_t mask = pf.prefix == 0 ? 0 : htonl(~std::uint32_t{0} << (32 - pf.prefix));
        l3.bcast4 = pf.ip4 | ~mask;
        l3.has_ip6 = pf.has_ip6;
        l3.ip6 = pf.ip6;
        if (pf.has_ip6) {
            std::printf("port %u: IPv6 address %s/%u\n", pf.port, ip6_string(pf.ip6).c_str(), pf.prefix6);
        }
        l3.listeners[0] = {pf.udp, pf.learn, rns::datapath::no_iface};
        l3.n_listeners = 1;
        l3.ip_cksum_offload = info.ip_cksum_offload;
        l3.udp_cksum_offload = info.udp_cksum_offload;
        pq.push_back({pf.port, info.rx_queues});
        std::printf("port %u (%s, %s): mac %s, address %s/%u, RNS UDP port %u, %u RX queue(s)%s\n",
                    pf.port, info.name.c_str(), info.driver.c_str(),
                    rns::drivers::mac_to_string(info.mac).c_str(), ip_string(pf.ip4).c_str(),
                    pf.prefix, ntohs(pf.udp), info.rx_queues, info.rss ? " with RSS" : "");
    }

    build_graphs(*dp, workers, pq);

    rns::identity_file_result loaded;
    if (flags.identity_file.empty()) {
        ::mkdir(flags.state_dir.c_str(), 0700);
        loaded = rns::identity::from_file_or_create(flags.state_dir + "/" + rns::transport_identity_file);
    } else {
        loaded = rns::identity::from_file(flags.identity_file);
    }
    if (!loaded) {
        throw std::runtime_error("transport identity: " + loaded.error);
    }
    const rns::byte_array<64> transport_key = loaded.id->private_key();
    rns::control::system_random rng;
    control_plane cp(*dp, pool, transport_key, rng);
    const double start = wall_now();
    // IFAC keys (spec §9.1), one per --port listener; the workers read them through
    // dp->ifac_keys, so they live until this function returns (after the workers stop).
    std::vector<std::unique_ptr<const rns::ifac::key>> ifac_keys;
    for (const port_flag& pf : flags.ports) {
        const rns::ifac::key* ifac_key = nullptr;
        if (pf.has_ifac()) {
            const std::size_t size = rns::ifac::size_from_config_bits(
                pf.ifac_size_bits, rns::ifac::default_size_stream); // UDP: spec §9.4
            auto k = rns::ifac::key::derive(pf.netname, pf.netkey, size);
            if (!k) {
                throw std::runtime_error("--port " + std::to_string(pf.port) + ": cannot derive the IFAC key");
            }
            ifac_keys.push_back(std::make_unique<const rns::ifac::key>(std::move(*k)));
            ifac_key = ifac_keys.back().get();
        }
        rns::control::iface_config cfg;
        const auto mode = rns::control::parse_iface_mode(pf.mode);
        if (!mode) {
            throw std::runtime_error("--port " + std::to_string(pf.port) + ": unknown mode " + pf.mode);
        }
        cfg.mode = *mode;
        cfg.bitrate = pf.bitrate;
        cfg.ingress_control = pf.ingress_control;
        for (const peer_flag& peer : pf.peers) {
            udp_iface_spec spec;
            spec.eth_port = pf.port;
            spec.listen_udp = pf.udp;
            spec.ip4 = peer.ip4;
            spec.ipv6 = peer.ipv6;
            spec.ip6 = peer.ip6;
            spec.udp = peer.udp;
            spec.broadcast = peer.broadcast;
            spec.catch_all = peer.catch_all;
            spec.cfg = cfg;
            spec.cfg.name = "udp" + std::to_string(pf.port) + "[" +
                            (peer.ipv6 ? "[" + ip6_string(peer.ip6) + "]" : ip_string(peer.ip4)) + ":" +
                            std::to_string(ntohs(peer.udp)) + "]";
            const auto id = cp.add_udp_iface(spec, start);
            if (ifac_key != nullptr) {
                dp->ifac_keys.at(id) = ifac_key;
            }
            std::printf("interface %u: %s%s", id, spec.cfg.name.c_str(),
                        peer.broadcast ? " (broadcast)" : "");
            if (ifac_key != nullptr) {
                std::printf(" (IFAC, %zu bytes)", ifac_key->size());
            }
            std::printf("\n");
        }
        if (pf.learn) {
            cfg.name = "udp" + std::to_string(pf.port);
            cp.set_learned_template(pf.port, pf.udp, cfg);
        }
    }
    std::printf("transport id %s, %zu worker(s)%s, packet hash engine %s\n",
                rns::to_hex(cp.transport().transport_id()).c_str(), workers.size(),
                main_is_worker ? " (on the main lcore with the control plane)" : "",
                dp->workers.front()->hasher->name());
    std::fflush(stdout);

    // After every configured interface: restored paths are matched to interfaces by name.
    persistence_options popts;
    popts.state_dir = flags.state_dir;
    popts.slots = flags.persist_slots;
    popts.fsync_ms = flags.persist_fsync_ms;
    popts.snapshot_interval = flags.path_snapshot_interval;
    auto persistence = router_persistence::start(popts, cp, transport_key, wall_now());
    telemetry tel(*dp, cp);

    std::vector<worker_args> args(workers.size());
    for (std::size_t i = 0; i < workers.size(); ++i) {
        args[i] = {dp->workers[i], rcu.get()};
        if (!main_is_worker) {
            if (rte_eal_remote_launch(worker_main, &args[i], workers[i]) != 0) {
                throw std::runtime_error("cannot launch worker lcore " + std::to_string(workers[i]));
            }
        }
    }
    if (main_is_worker) {
        rcu->reader_online(main_lcore);
        rcu->set_writer_reader_id(main_lcore);
    }
    if (!flags.ready_file.empty()) {
        std::ofstream(flags.ready_file) << rns::to_hex(cp.transport().transport_id()) << "\n";
    }

    const std::uint64_t hz = rte_get_tsc_hz();
    const std::uint64_t tick_every = hz / 20; // 50 ms: a fifth of the reference's 250 ms job loop
    std::uint64_t next_tick = 0;
    double next_status = flags.status_interval > 0 ? start + flags.status_interval : 0;
    double last_status = start;
    std::uint64_t last_rx = 0;
    std::uint64_t last_fwd = 0;
    // The control plane's clock between ticks is the TSC, re-anchored to the system clock at
    // every tick: a clock_gettime per loop iteration cost 7% of a forwarding core (perf).
    double anchor_wall = wall_now();
    std::uint64_t anchor_tsc = rte_rdtsc();
    const double tsc_period = 1.0 / static_cast<double>(hz);
    while (!g_quit.load(std::memory_order_relaxed)) {
        if (main_is_worker) {
            rte_graph_walk(dp->workers[0]->graph);
            rcu->quiescent(main_lcore); // no table reference is held below
        }
        const std::uint64_t tsc = rte_rdtsc();
        const unsigned work = cp.poll(anchor_wall + static_cast<double>(tsc - anchor_tsc) * tsc_period);
        if (tsc >= next_tick) {
            next_tick = tsc + tick_every;
            const double now = wall_now();
            anchor_wall = now;
            anchor_tsc = rte_rdtsc();
            cp.tick(now);
            if (persistence) {
                persistence->tick(now);
            }
            tel.publish(now);
            if (next_status > 0 && now >= next_status) {
                print_status(*dp, cp, now - last_status, last_rx, last_fwd);
                last_status = now;
                next_status = now + flags.status_interval;
            }
            if (flags.run_seconds > 0 && now - start >= flags.run_seconds) {
                g_quit.store(true);
            }
        }
        if (!main_is_worker && work == 0) {
            rte_pause();
        }
    }

    std::printf("rnsrouter: stopping\n");
    if (persistence) {
        persistence->stop(); // final path/known snapshot, flushed
    }
    rte_eal_mp_wait_lcore();
    for (const auto& [name, t] : collect_node_stats(*dp)) {
        if (t.objs != 0) {
            std::printf("node %-28s %12llu packets %8.1f cycles/packet\n", name.c_str(),
                        static_cast<unsigned long long>(t.objs),
                        static_cast<double>(t.cycles) / static_cast<double>(t.objs));
        }
    }
    if (main_is_worker) {
        rcu->reader_offline(main_lcore);
    }
    const auto& cs = cp.stats();
    std::printf("control: punted_rns %llu punted_arp %llu punted_icmp %llu peers_learned %llu "
                "sent %llu send_dropped %llu feedback %llu interfaces %zu paths %zu links %zu "
                "reverse %zu\n",
                static_cast<unsigned long long>(cs.punted_rns),
                static_cast<unsigned long long>(cs.punted_arp),
                static_cast<unsigned long long>(cs.punted_icmp),
                static_cast<unsigned long long>(cs.peers_learned),
                static_cast<unsigned long long>(cs.sent),
                static_cast<unsigned long long>(cs.send_dropped),
                static_cast<unsigned long long>(cs.feedback), cp.transport().interface_count(),
                cp.transport().path_count(), cp.transport().link_count(),
                cp.transport().reverse_count());
    std::printf("control costs: feedback_cycles_per_record %.1f reverse_evicted %llu fast_table_full %llu\n",
                cs.feedback != 0 ? static_cast<double>(cs.feedback_cycles) / static_cast<double>(cs.feedback) : 0.0,
                static_cast<unsigned long long>(cp.transport().counters().reverse_evicted),
                static_cast<unsigned long long>(cs.table_full));
    std::printf("ipv6: punted_ndp %llu punted_icmp6 %llu solicitations_sent %llu "
                "advertisements_sent %llu ndp_ignored %llu\n",
                static_cast<unsigned long long>(cs.punted_ndp),
                static_cast<unsigned long long>(cs.punted_icmp6),
                static_cast<unsigned long long>(cp.neighbors6().solicitations_sent),
                static_cast<unsigned long long>(cp.neighbors6().advertisements_sent),
                static_cast<unsigned long long>(cp.neighbors6().ignored));
    for (std::size_t i = 0; i < cp.transport().counters().ifaces.size(); ++i) {
        const auto& c = cp.transport().counters().ifaces[i];
        std::printf("iface %zu %s rx %llu/%llu/%llu/%llu tx %llu/%llu/%llu/%llu (data/announce/"
                    "linkrequest/proof) path_requests_received %llu path_requests_sent %llu "
                    "path_responses_sent %llu "
                    "announces_accepted %llu announces_rebroadcast %llu\n",
                    i, cp.transport().interface_config(static_cast<rns::control::iface_id>(i)).name.c_str(),
                    static_cast<unsigned long long>(c.rx_packets[0]),
                    static_cast<unsigned long long>(c.rx_packets[1]),
                    static_cast<unsigned long long>(c.rx_packets[2]),
                    static_cast<unsigned long long>(c.rx_packets[3]),
                    static_cast<unsigned long long>(c.tx_packets[0]),
                    static_cast<unsigned long long>(c.tx_packets[1]),
                    static_cast<unsigned long long>(c.tx_packets[2]),
                    static_cast<unsigned long long>(c.tx_packets[3]),
                    static_cast<unsigned long long>(c.path_requests_received),
                    static_cast<unsigned long long>(c.path_requests_sent),
                    static_cast<unsigned long long>(c.path_responses_sent),
                    static_cast<unsigned long long>(c.announces_accepted),
                    static_cast<unsigned long long>(c.announces_rebroadcast));
    }
    for (std::size_t i = 0; i < rns::control::drop_reason_count; ++i) {
        const auto n = cp.transport().counters().drops[i];
        if (n != 0) {
            std::printf("control drop %-24s %llu\n",
                        rns::control::to_string(static_cast<rns::control::drop_reason>(i)),
                        static_cast<unsigned long long>(n));
        }
    }
    tel.publish(wall_now());
    for (std::uint16_t p = 0; p < RTE_MAX_ETHPORTS; ++p) {
        if (dp->ports[p].enabled) {
            rns::drivers::close_port(p);
        }
    }
    // Drain what the control plane still holds in rings before the pool goes.
    (void)cp.poll(wall_now());
    rcu->synchronize();
    destroy_graphs(*dp);
    g_dataplane = nullptr;
    std::fflush(stdout);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    int rc = 1;
    try {
        rc = run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "rnsrouter: %s\n", e.what());
        g_quit.store(true);
        rte_eal_mp_wait_lcore();
    }
    if (g_eal_up) {
        rte_eal_cleanup();
    }
    return rc;
}
