#pragma once
// The router's persistence: opens persist::store in --state-dir, seeds the control
// plane's transport from it, forwards ratchets and takes path/known-destination snapshots
// through control::persistence_bridge, and publishes the store's counters as the DPDK telemetry
// command /rns/persist. Main lcore (control thread) only, except the telemetry callback, which
// reads a snapshot under a mutex.

#include "persist/store.hpp"
#include "router/control/persistence_bridge.hpp"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace rns::ctlplane {

class control_plane;

/// Where and how the store runs (from the router flags --state-dir, --persist-slots, ...).
struct persistence_options {
    std::string state_dir;
    unsigned slots = 16;                ///< registered file slots of the persistence thread (>= 2)
    unsigned fsync_ms = 50;             ///< group commit: at most one fsync per this many ms
    double snapshot_interval = 300;     ///< seconds between path/known snapshots; 0: at stop only
};

class router_persistence {
  public:
    /// Opens the store, restores the transport (after every configured interface was added),
    /// mirrors the transport identity and hooks the bridge into cp. Returns nullptr (and prints
    /// why) when the store cannot start (e.g. the kernel lacks io_uring open-direct): the router
    /// then runs without persistence rather than not at all.
    static std::unique_ptr<router_persistence> start(const persistence_options& opts, control_plane& cp,
                                                     const byte_array<64>& transport_key, double now);
    ~router_persistence();
    router_persistence(const router_persistence&) = delete;
    router_persistence& operator=(const router_persistence&) = delete;

    /// Periodic snapshots and the telemetry snapshot (cheap; the snapshot itself is rate-limited).
    void tick(double now);
    /// Graceful stop: final snapshot, flush, stop the thread, unhook from cp. Idempotent.
    void stop();

    router_persistence(std::unique_ptr<persist::store> store, double snapshot_interval, control_plane& cp);

  private:
    void publish_stats();

    std::unique_ptr<persist::store> _store;
    control::persistence_bridge _bridge;
    control_plane& _cp;
    double _last_publish = 0;
    bool _stopped = false;
};

/// The /rns/persist values as last published (empty without persistence); any thread.
[[nodiscard]] std::vector<std::pair<std::string, std::uint64_t>> persistence_values();

} // namespace rns::ctlplane
