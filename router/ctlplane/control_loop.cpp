#include "router/ctlplane/control_loop.hpp"

#include "router/ctlplane/graph_stats.hpp"
#include "router/datapath/fast_tables.hpp"
#include "router/datapath/worker_loop.hpp"

#include <rte_cycles.h>
#include <rte_pause.h>

#include <chrono>
#include <cstdio>

namespace rns::ctlplane {

namespace {

double wall_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void print_status(const datapath::dataplane& dp, control_plane& cp, double elapsed,
                  std::uint64_t& last_rx, std::uint64_t& last_fwd) {
    const auto s = collect_node_stats(dp);
    const std::uint64_t rx = sum_objs(s, "eth_rx-") + sum_objs(s, "io_rx");
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

} // namespace

void run_control_loop(datapath::dataplane& dp, control_plane& cp, router_persistence* persistence,
                      telemetry& tel, datapath::worker_ctx* main_worker,
                      const control_loop_options& opt, std::atomic<bool>& quit) {
    const std::uint64_t hz = rte_get_tsc_hz();
    const std::uint64_t tick_every = hz / 20; // 50 ms: a fifth of the reference's 250 ms job loop
    std::uint64_t next_tick = 0;
    double next_status = opt.status_interval > 0 ? opt.start + opt.status_interval : 0;
    double last_status = opt.start;
    std::uint64_t last_rx = 0;
    std::uint64_t last_fwd = 0;
    // The control plane's clock between ticks is the TSC, re-anchored to the system clock at
    // every tick: a clock_gettime per loop iteration cost 7% of a forwarding core (perf).
    double anchor_wall = wall_now();
    std::uint64_t anchor_tsc = rte_rdtsc();
    const double tsc_period = 1.0 / static_cast<double>(hz);
    while (!quit.load(std::memory_order_relaxed)) {
        if (main_worker != nullptr) {
            datapath::walk_once(*main_worker, *dp.rcu); // no table reference is held below
        }
        const std::uint64_t tsc = rte_rdtsc();
        const double cp_now = anchor_wall + static_cast<double>(tsc - anchor_tsc) * tsc_period;
        unsigned work = cp.poll(cp_now);
        if (opt.io != nullptr) {
            work += opt.io->poll(cp_now); // kernel interfaces up/down before their packets
        }
        if (tsc >= next_tick) {
            next_tick = tsc + tick_every;
            const double now = wall_now();
            anchor_wall = now;
            anchor_tsc = rte_rdtsc();
            cp.tick(now);
            if (persistence != nullptr) {
                persistence->tick(now);
            }
            tel.publish(now);
            if (next_status > 0 && now >= next_status) {
                print_status(dp, cp, now - last_status, last_rx, last_fwd);
                last_status = now;
                next_status = now + opt.status_interval;
            }
            if (opt.run_seconds > 0 && now - opt.start >= opt.run_seconds) {
                quit.store(true);
            }
        }
        if (main_worker == nullptr && work == 0) {
            rte_pause();
        }
    }
}

void print_stop_summary(const datapath::dataplane& dp, control_plane& cp) {
    for (const auto& [name, t] : collect_node_stats(dp)) {
        if (t.objs != 0) {
            std::printf("node %-28s %12llu packets %8.1f cycles/packet %6.1f packets/call\n",
                        name.c_str(), static_cast<unsigned long long>(t.objs),
                        static_cast<double>(t.cycles) / static_cast<double>(t.objs),
                        static_cast<double>(t.objs) / static_cast<double>(t.calls));
        }
    }
    const auto& cs = cp.stats();
    std::printf("control: punted_rns %llu punted_arp %llu punted_icmp %llu peers_learned %llu "
                "sent %llu send_dropped %llu interfaces %zu paths %zu links %zu "
                "reverse %zu\n",
                static_cast<unsigned long long>(cs.punted_rns),
                static_cast<unsigned long long>(cs.punted_arp),
                static_cast<unsigned long long>(cs.punted_icmp),
                static_cast<unsigned long long>(cs.peers_learned),
                static_cast<unsigned long long>(cs.sent),
                static_cast<unsigned long long>(cs.send_dropped), cp.transport().interface_count(),
                cp.transport().path_count(), cp.transport().link_count(),
                cp.transport().reverse_count());
    std::printf("tables: reverse_evicted %llu packet_hashes_evicted %llu fast_table_full %llu\n",
                static_cast<unsigned long long>(cp.transport().hashes().reverse_evicted()),
                static_cast<unsigned long long>(
                    dp.tables->hashes.sum(&datapath::packet_hash_table::writer_counters::evicted)),
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
    std::fflush(stdout);
}

} // namespace rns::ctlplane
