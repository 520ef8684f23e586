#pragma once
// Wiring between the control plane's transport and the persistence thread (spec §5.4,
// §6.1, §6.12, §11). Control thread only, like the transport itself.
//
// - ratchets: the sink's ratchet_learned() notification (a validated announce carried a new
//   ratchet) is forwarded here and handed to persist::store::submit_ratchet (lock-free, no
//   allocation; a full ring is a counted drop, never a stall);
// - path table (with the cached raw announces), known destinations and tunnels (spec §6.14, each
//   tunnel with its paths and their announces): whole-table snapshots, every `snapshot_interval`
//   seconds from tick() and once more at shutdown();
// - transport identity: mirrored into the store when it differs from what the store holds;
// - start-up: restore() seeds the transport with what the store loaded (known destinations
//   first, then paths with their announces, then ratchets, then tunnels), so a restarted router
//   answers path requests for destinations it knew, and a client that reconnects after the
//   restart gets its tunnel's paths back.
//
// Interfaces are matched across restarts by SHA-256 of their configured name (the reference keys
// its destination table by SHA-256(str(interface)), spec §11): a path whose interface does not
// exist at start-up is skipped, like the reference does.

#include "persist/store.hpp"
#include "router/control/transport.hpp"
#include "router/rns/bytes.hpp"

#include <cstdint>
#include <vector>

namespace rns::control {

struct persistence_counters {
    std::uint64_t ratchets_submitted = 0;
    std::uint64_t ratchets_dropped = 0;   ///< store refused (ring full or stopped)
    std::uint64_t snapshots_submitted = 0;
    std::uint64_t snapshots_dropped = 0;
    std::uint64_t identity_submitted = 0;
    std::uint64_t restored_paths = 0;
    std::uint64_t restored_paths_refused = 0; ///< interface gone, announce missing or invalid
    std::uint64_t restored_known = 0;
    std::uint64_t restored_ratchets = 0;
    std::uint64_t restored_tunnels = 0;
    std::uint64_t restored_tunnels_refused = 0; ///< expired, or none of its paths valid
    std::uint64_t restored_tunnel_paths = 0;
    std::uint64_t restored_tunnel_paths_refused = 0; ///< announce missing or invalid
};

struct restore_result {
    std::size_t paths = 0;
    std::size_t paths_refused = 0;
    std::size_t known = 0;
    std::size_t ratchets = 0;
    std::size_t tunnels = 0;
    std::size_t tunnels_refused = 0;
    std::size_t tunnel_paths = 0;
    std::size_t tunnel_paths_refused = 0;
};

/// SHA-256 of an interface's configured name: the interface key of the persisted path records.
[[nodiscard]] hash32 persisted_interface_hash(const iface_config& cfg);

class persistence_bridge {
  public:
    /// snapshot_interval: seconds between path/known-destination snapshots; <= 0 = only at shutdown.
    persistence_bridge(persist::store& store, double snapshot_interval) noexcept
        : _store(store), _interval(snapshot_interval) {}

    /// From transport_sink::ratchet_learned (spec §5.4). Never blocks.
    void ratchet_learned(const hash16& destination, const byte_array<32>& ratchet, double now) noexcept;

    /// Seeds t from store.loaded(); call after every configured interface was added.
    restore_result restore(transport& t, double now);
    /// Makes the store hold this transport identity (64-byte private key form).
    void sync_identity(const byte_array<64>& private_key);

    /// Periodic snapshots; call from the control loop.
    void tick(const transport& t, double now);
    /// tick(now) will take a snapshot (callers refresh the path timestamps first).
    [[nodiscard]] bool snapshot_due(double now) const noexcept {
        return _interval > 0 && _next_snapshot != 0 && now >= _next_snapshot;
    }
    /// Snapshots the tables now (path table with cached announces, known destinations, tunnels).
    void snapshot(const transport& t);
    /// Graceful stop: final snapshot, then waits until the store made everything durable.
    [[nodiscard]] bool shutdown(const transport& t);

    [[nodiscard]] const persistence_counters& counters() const noexcept { return _counters; }

  private:
    static std::vector<persist::tunnel_record> tunnel_records(const transport& t,
                                                              const std::vector<hash32>& iface_hashes);

    persist::store& _store;
    double _interval;
    double _next_snapshot = 0;
    bool _tunnels_written = false; ///< a tunnel snapshot was submitted (or tunnels were restored)
    persistence_counters _counters;
};

} // namespace rns::control
