#pragma once
// The persistence thread and its public API (DESIGN.md "Persistence").
//
// One thread owns one io_uring and a fixed pool of registered-file slots. Producers (data plane,
// control plane) hand it records through a lock-free MPSC ring; a full ring is a counted drop.
// It keeps the latest ratchet per destination in an append-only, checksummed segment with group
// commit and compaction, and replaces the path table, known destinations and transport identity
// as whole-file snapshots. Layout and crash-safety argument: persist/README.md.

#include "persist/config.hpp"
#include "persist/records.hpp"
#include "persist/stats.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace persist {

/// What open() found on disk, and what it had to discard.
struct load_report {
    bool segment_present = false;
    std::size_t ratchet_records = 0;   ///< valid segment records replayed
    std::size_t torn_tail_bytes = 0;   ///< discarded after the last valid record
    std::size_t corrupt_records = 0;   ///< bad records with valid ones after them
    std::size_t expired_ratchets = 0;  ///< older than the expiry (spec §5.4), dropped
    std::vector<std::string> errors;   ///< unreadable or corrupt snapshot files, read errors
};

struct loaded_state {
    std::vector<ratchet_record> ratchets;
    std::vector<path_record> paths;
    std::vector<known_destination> known;
    std::vector<tunnel_record> tunnels;
    std::optional<identity_key> identity;
    load_report report;
};

class store {
  public:
    /// Starts the persistence thread and loads the state directory (blocks until loaded).
    /// Throws std::system_error / std::invalid_argument when it cannot start.
    static std::unique_ptr<store> open(config cfg);
    ~store(); ///< stop()
    store(const store&) = delete;
    store& operator=(const store&) = delete;

    // Producers: any thread. false = refused (ring full, counted in ring_drops; or stopped).
    /// Lock-free, no allocation: safe on the packet path.
    [[nodiscard]] bool submit_ratchet(const rns::hash16& destination, const rns::hash32& ratchet,
                                      double received) noexcept;
    /// Forgets a destination's ratchet (known-destination cleaning, spec §5.4).
    [[nodiscard]] bool submit_ratchet_forget(const rns::hash16& destination) noexcept;
    /// Whole tables (control plane; these allocate).
    [[nodiscard]] bool submit_path_snapshot(std::vector<path_record> paths);
    [[nodiscard]] bool submit_known_destinations(std::vector<known_destination> known);
    [[nodiscard]] bool submit_identity(const identity_key& key);
    [[nodiscard]] bool submit_tunnel_snapshot(std::vector<tunnel_record> tunnels);

    /// Latest ratchet for a destination, unless older than the expiry at `now` (unix seconds).
    [[nodiscard]] std::optional<ratchet_record> ratchet_for(const rns::hash16& destination, double now) const;
    /// What was on disk when the store opened.
    [[nodiscard]] const loaded_state& loaded() const noexcept;
    /// Waits until everything submitted before the call is durable. false on timeout or stop.
    [[nodiscard]] bool flush(std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));
    [[nodiscard]] stats snapshot_stats() const;
    /// Flushes and stops the thread (idempotent). Submissions afterwards return false.
    void stop();

    struct impl;

  private:
    explicit store(std::unique_ptr<impl> p);
    std::unique_ptr<impl> _impl;
};

} // namespace persist
