#pragma once
// Internal: what the jobs of the persistence thread share (ring, slot pool, counters, failure
// reporting). Only the persistence thread touches it, except the atomics readers snapshot.

#include "persist/config.hpp"
#include "persist/slot_pool.hpp"
#include "persist/stats.hpp"
#include "persist/uring.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <string>

namespace persist {

using steady = std::chrono::steady_clock;

/// Counters written by the persistence thread and read by stats snapshots on any thread.
struct live_counters {
    std::atomic<std::uint64_t> ring_drops{0};
    std::atomic<std::uint64_t> records_written{0};
    std::atomic<std::uint64_t> records_durable{0};
    std::atomic<std::uint64_t> bytes_written{0};
    std::atomic<std::uint64_t> fsyncs{0};
    std::atomic<std::uint64_t> compactions{0};
    std::atomic<std::uint64_t> snapshots_written{0};
    std::atomic<std::uint64_t> ratchets_live{0};
    std::array<std::atomic<std::uint64_t>, static_cast<std::size_t>(failure_kind::count)> failures{};
    latency_histogram latency;
    slot_counters slots;
};

/// Counts every failure and logs the first of each kind per episode; an episode ends when a
/// write succeeds again ("writing resumed" is logged once).
class failure_log {
  public:
    failure_log(live_counters& c, const config& cfg) : _c(c), _cfg(cfg) {}
    void report(int err, std::string_view what);
    void resumed();
    [[nodiscard]] bool failing() const noexcept { return _failing; }

  private:
    live_counters& _c;
    const config& _cfg;
    std::array<bool, static_cast<std::size_t>(failure_kind::count)> _logged{};
    bool _failing = false;
};

struct engine {
    const config& cfg;
    uring& ring;
    slot_pool& pool;
    live_counters& counters;
    failure_log& failures;
    std::string dir; ///< state directory, absolute
    steady::time_point now{};
};

} // namespace persist
