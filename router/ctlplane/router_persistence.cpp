#include "router/ctlplane/router_persistence.hpp"

#include "router/ctlplane/control_plane.hpp"

#include <rte_telemetry.h>

#include <cstdio>
#include <exception>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace rns::ctlplane {

using namespace rns::datapath;

namespace {

// /rns/persist: the store's counters and the bridge's, as of the last publish.
std::mutex g_mutex;
std::vector<std::pair<std::string, std::uint64_t>> g_values;
bool g_registered = false;

int cmd_persist(const char*, const char*, rte_tel_data* d) {
    std::lock_guard lock(g_mutex);
    rte_tel_data_start_dict(d);
    for (const auto& [k, v] : g_values) {
        rte_tel_data_add_dict_u64(d, k.c_str(), v);
    }
    return 0;
}

} // namespace

std::vector<std::pair<std::string, std::uint64_t>> persistence_values() {
    std::lock_guard lock(g_mutex);
    return g_values;
}

router_persistence::router_persistence(std::unique_ptr<persist::store> store, double snapshot_interval,
                                       control_plane& cp)
    : _store(std::move(store)), _bridge(*_store, snapshot_interval), _cp(cp) {}

std::unique_ptr<router_persistence> router_persistence::start(const persistence_options& opts, control_plane& cp,
                                                              const byte_array<64>& transport_key,
                                                              double now) {
    persist::config cfg;
    cfg.dir = opts.state_dir;
    cfg.slots = opts.slots;
    cfg.fsync_interval = std::chrono::milliseconds(opts.fsync_ms);
    std::unique_ptr<persist::store> store;
    try {
        store = persist::store::open(std::move(cfg));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "rnsrouter: persistence disabled: %s\n", e.what());
        return nullptr;
    }
    auto p = std::make_unique<router_persistence>(std::move(store), opts.snapshot_interval, cp);
    const persist::loaded_state& st = p->_store->loaded();
    for (const std::string& err : st.report.errors) {
        std::fprintf(stderr, "rnsrouter: state %s: %s\n", opts.state_dir.c_str(), err.c_str());
    }
    const control::restore_result r = p->_bridge.restore(cp.transport(), now);
    p->_bridge.sync_identity(transport_key);
    cp.set_persistence(&p->_bridge);
    std::printf("persistence: %s, %u slots: restored %zu path(s) (%zu refused), %zu known "
                "destination(s), %zu ratchet(s)\n",
                opts.state_dir.c_str(), opts.slots, r.paths, r.paths_refused, r.known, r.ratchets);
    if (!g_registered) {
        // Fails only when telemetry is disabled; then there is nothing to publish to.
        (void)rte_telemetry_register_cmd("/rns/persist", cmd_persist,
                                         "Persistence: queue, writes, fsyncs, latency, slots, failures, fds");
        g_registered = true;
    }
    p->publish_stats();
    return p;
}

router_persistence::~router_persistence() {
    stop();
}

void router_persistence::tick(double now) {
    if (_stopped) {
        return;
    }
    if (_bridge.snapshot_due(now)) {
        _cp.collect_usage(); // path timestamps refreshed by the fast path go into the snapshot
    }
    _bridge.tick(_cp.transport(), now);
    if (now - _last_publish >= 1.0) { // snapshot_stats() counts /proc/self/fd: not at 20 Hz
        _last_publish = now;
        publish_stats();
    }
}

void router_persistence::stop() {
    if (_stopped) {
        return;
    }
    _stopped = true;
    _cp.collect_usage();
    if (!_bridge.shutdown(_cp.transport())) {
        std::fprintf(stderr, "rnsrouter: persistence: final flush incomplete (disk failing or timeout)\n");
    }
    _cp.set_persistence(nullptr);
    publish_stats();
    _store->stop();
    std::lock_guard lock(g_mutex);
    g_values.clear();
}

void router_persistence::publish_stats() {
    const persist::stats s = _store->snapshot_stats();
    const control::persistence_counters& c = _bridge.counters();
    std::vector<std::pair<std::string, std::uint64_t>> v = {
        {"queue_depth", s.queue_depth},
        {"ring_drops", s.ring_drops},
        {"records_written", s.records_written},
        {"records_durable", s.records_durable},
        {"bytes_written", s.bytes_written},
        {"fsyncs", s.fsyncs},
        {"compactions", s.compactions},
        {"snapshots_written", s.snapshots_written},
        {"write_latency_p50_us", s.write_latency_p50_us},
        {"write_latency_p99_us", s.write_latency_p99_us},
        {"slots_total", s.slots_total},
        {"slots_in_use", s.slots_in_use},
        {"slots_high_water", s.slots_high_water},
        {"slot_waits", s.slot_waits},
        {"ratchets_live", s.ratchets_live},
        {"process_fds", static_cast<std::uint64_t>(s.process_fds < 0 ? 0 : s.process_fds)},
        {"ratchets_submitted", c.ratchets_submitted},
        {"ratchets_dropped", c.ratchets_dropped},
        {"snapshots_submitted", c.snapshots_submitted},
        {"snapshots_dropped", c.snapshots_dropped},
        {"restored_paths", c.restored_paths},
        {"restored_paths_refused", c.restored_paths_refused},
        {"restored_known", c.restored_known},
        {"restored_ratchets", c.restored_ratchets},
    };
    for (std::size_t k = 0; k < s.failures.size(); ++k) {
        v.emplace_back("failures_" + std::string(persist::to_string(static_cast<persist::failure_kind>(k))),
                       s.failures[k]);
    }
    std::lock_guard lock(g_mutex);
    g_values = std::move(v);
}

} // namespace rns::ctlplane
