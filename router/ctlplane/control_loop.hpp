#pragma once
// The control loop on the main lcore: polls the control plane (punt rings) as fast as
// it can and, every 50 ms, runs its timers, the persistence snapshots, the telemetry snapshot, the
// optional status line and the --run-seconds stop. With a single lcore it also walks that lcore's
// graph between polls.

#include "router/ctlplane/control_plane.hpp"
#include "router/ctlplane/io_bridge.hpp"
#include "router/ctlplane/router_persistence.hpp"
#include "router/ctlplane/telemetry.hpp"
#include "router/datapath/dataplane.hpp"

#include <atomic>

namespace rns::ctlplane {

struct control_loop_options {
    double start = 0;           ///< wall-clock time the router started
    double status_interval = 0; ///< seconds between status lines; 0: none
    double run_seconds = 0;     ///< stop by itself after this long; 0: until quit is set
    io_bridge* io = nullptr;    ///< kernel interfaces' events applied each round; nullptr: none
};

/// Runs until quit is set (by a signal, or here after run_seconds). main_worker: the worker whose
/// graph the main lcore walks too, or nullptr. persistence may be nullptr (disabled).
void run_control_loop(datapath::dataplane& dp, control_plane& cp, router_persistence* persistence,
                      telemetry& tel, datapath::worker_ctx* main_worker,
                      const control_loop_options& opt, std::atomic<bool>& quit);

/// The totals printed at stop: per-node packets and cycles, control-plane counters, IPv6
/// neighbour discovery, per-interface counters, control-plane drops. Call after the workers
/// stopped. The same counters are in telemetry (/rns/...), which is what tests read.
void print_stop_summary(const datapath::dataplane& dp, control_plane& cp);

} // namespace rns::ctlplane
