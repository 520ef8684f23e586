// rnsrouter: a Reticulum transport node on DPDK (DESIGN.md). `rnsrouter [EAL args] -- [flags]`.
//
// Start-up is a sequence of owned stages (router/stages.hpp and the owners they use): EAL, packet
// pool, RCU domain and fast tables, ports, kernel interfaces (io thread), graphs (one per worker
// lcore), transport identity, control plane, interfaces, persistence, telemetry, workers. Each
// owner releases what it built when it goes out of scope, so a failure at any stage prints one
// message and unwinds the rest.
// Then the workers walk their graphs while the main lcore runs the control loop (with one lcore
// it does both, alternating). SIGINT/SIGTERM stop cleanly.
#include "router/config.hpp"
#include "router/control/random_source.hpp"
#include "router/ctlplane/control_loop.hpp"
#include "router/ctlplane/control_plane.hpp"
#include "router/ctlplane/router_persistence.hpp"
#include "router/ctlplane/telemetry.hpp"
#include "router/datapath/dataplane.hpp"
#include "router/datapath/fast_tables.hpp"
#include "router/datapath/graph_setup.hpp"
#include "router/datapath/worker_loop.hpp"
#include "router/stages.hpp"

#include <rte_cycles.h>
#include <rte_lcore.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace {

using namespace rns;

std::atomic<bool> g_quit{false};

void on_signal(int) { g_quit.store(true, std::memory_order_relaxed); }

double wall_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

int run(router::eal_session& eal, int argc, char** argv) {
    router::router_flags flags;
    try {
        flags = router::parse_router_flags(argc - eal.consumed() - 1, argv + eal.consumed() + 1);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "rnsrouter: %s\n\n%s", e.what(), router::router_usage());
        return 2;
    }
    if (flags.help) {
        std::fputs(router::router_usage(), stdout);
        return 0;
    }
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);

    // Workers: every worker lcore; with none, the main lcore is the worker too.
    std::vector<unsigned> lcores;
    unsigned lc;
    RTE_LCORE_FOREACH_WORKER(lc) { lcores.push_back(lc); }
    const bool main_is_worker = lcores.empty();
    if (main_is_worker) {
        lcores.push_back(rte_get_main_lcore());
    }
    const auto queues = static_cast<std::uint16_t>(lcores.size());

    router::mbuf_pool pool(flags.mbufs);
    datapath::rcu_domain rcu;
    datapath::udp_peers peers(rcu);
    datapath::fast_tables::sizes table_sizes;
    table_sizes.routes = flags.fast_entries;
    table_sizes.packet_hashes = flags.packet_hashes;
    table_sizes.writers = static_cast<unsigned>(lcores.size()) + 1; // the workers + the control plane
    datapath::fast_tables tables(table_sizes);
    datapath::dataplane dp;
    dp.rcu = &rcu;
    dp.peers = &peers;
    dp.tables = &tables;
    dp.fast_path = !flags.slow_path_only;
    router::port_set ports(flags, dp, pool.get(), queues);
    router::kernel_interfaces kernel(flags, dp, pool.get()); // before the graphs: they poll its rings
    datapath::graph_set graphs(dp, lcores, ports.queues());

    const byte_array<64> transport_key = router::load_transport_key(flags);
    control::system_random rng;
    control::transport_options topts;
    topts.announce_cache = flags.announce_cache;
    ctlplane::control_plane cp(dp, pool.get(), transport_key, rng, topts);
    cp.set_slice({flags.control_slice_us, flags.announce_backlog}, rte_get_tsc_hz());
    const double start = wall_now();
    const router::interfaces ifaces(flags, dp, cp, start);
    kernel.start(cp);
    std::printf("transport id %s, %zu worker(s)%s, packet hash engine %s\n",
                to_hex(cp.transport().transport_id()).c_str(), lcores.size(),
                main_is_worker ? " (on the main lcore with the control plane)" : "",
                dp.workers.front()->hasher->name());
    std::fflush(stdout);

    // After every configured interface: restored paths are matched to interfaces by name.
    ctlplane::persistence_options popts;
    popts.state_dir = flags.state_dir;
    popts.slots = flags.persist_slots;
    popts.fsync_ms = flags.persist_fsync_ms;
    popts.snapshot_interval = flags.path_snapshot_interval;
    const auto persistence = ctlplane::router_persistence::start(popts, cp, transport_key, wall_now());
    ctlplane::telemetry tel(dp, cp);
    tel.set_peers(kernel.bridge());
    const router::metrics_endpoint metrics(flags); // reads what tel publishes

    datapath::worker_pool workers(dp, main_is_worker, g_quit);
    if (!flags.ready_file.empty()) {
        std::ofstream(flags.ready_file) << to_hex(cp.transport().transport_id()) << "\n";
    }
    router::notify_service_manager("READY=1");
    ctlplane::control_loop_options opt;
    opt.start = start;
    opt.status_interval = flags.status_interval;
    opt.run_seconds = flags.run_seconds;
    opt.io = kernel.bridge();
    ctlplane::run_control_loop(dp, cp, persistence.get(), tel, workers.main_worker(), opt, g_quit);

    std::printf("rnsrouter: stopping\n");
    router::notify_service_manager("STOPPING=1");
    kernel.stop(wall_now()); // every socket closed; its interfaces removed
    if (persistence) {
        persistence->stop(); // final path/known snapshot, flushed
    }
    workers.stop();
    ctlplane::print_stop_summary(dp, cp);
    tel.publish(wall_now());
    // Drain what the control plane still holds in rings, and what waits for a grace period,
    // before the graphs, tables and pool go (the owners above, in reverse order).
    cp.drain(wall_now());
    rcu.synchronize();
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    try {
        rns::router::eal_session eal(argc, argv);
        return run(eal, argc, argv);
    } catch (const rns::router::eal_error& e) {
        std::fprintf(stderr, "rnsrouter: %s\n%s", e.what(), rns::router::router_usage());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "rnsrouter: %s\n", e.what());
    }
    return 1;
}
