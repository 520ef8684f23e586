#pragma once
// Settings of the persistence thread (router flags: --persist-slots, --persist-dir, ...).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string_view>

namespace persist {

struct fault_injector;

struct config {
    std::filesystem::path dir;            ///< state directory (created if missing)
    unsigned slots = 16;                  ///< --persist-slots: registered file slots (>= 2), the hard bound
    unsigned ring_depth = 64;             ///< io_uring submission queue entries
    std::size_t ring_capacity = 16384;    ///< producer ring entries; a full ring is a counted drop
    std::chrono::milliseconds fsync_interval{50};   ///< group commit: at most one fsync per interval
    std::size_t write_batch_bytes = 256 * 1024;     ///< write early when this much is pending
    std::uint64_t compact_min_bytes = 4 * 1024 * 1024; ///< compact only above this segment size
    double compact_ratio = 4.0;           ///< ...and when the segment exceeds ratio x the live data
    double ratchet_expiry_s = 2592000.0;  ///< spec §5.4 RATCHET_EXPIRY (30 d)
    std::chrono::milliseconds retry_interval{1000};  ///< after a failed write, retry this late
    std::chrono::milliseconds health_interval{1000}; ///< how often the state dir's presence is checked
    std::chrono::milliseconds stop_timeout{10000};   ///< give up flushing at stop after this long
    /// Receives one line per event worth an operator's attention (default: stderr).
    std::function<void(std::string_view)> log;
    /// Tests only: injected write/fsync failures.
    fault_injector* faults = nullptr;
    /// Wall clock for expiry decisions (tests move it); default: system_clock.
    std::function<double()> now;
};

} // namespace persist
