#pragma once
// Counters of the persistence thread, as a plain snapshot the router exposes (DESIGN.md
// "Operating it": queue depth, writes, fsyncs, latency, slots in use, descriptor count).

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace persist {

/// Why a disk operation failed. Each kind is counted and logged once per failure episode.
enum class failure_kind : std::uint8_t {
    disk_full,         ///< ENOSPC / EDQUOT
    io_error,          ///< EIO
    state_dir_missing, ///< ENOENT: the state directory (or a file in it) vanished
    read_only,         ///< EROFS / EACCES / EPERM
    other,             ///< any other errno
    count
};
[[nodiscard]] std::string_view to_string(failure_kind k) noexcept;
[[nodiscard]] failure_kind classify_errno(int err) noexcept;

struct stats {
    std::uint64_t queue_depth = 0;      ///< records waiting in the producer ring
    std::uint64_t ring_drops = 0;       ///< submissions refused because the ring was full
    std::uint64_t records_written = 0;  ///< ratchet records appended (compaction images excluded)
    std::uint64_t records_durable = 0;  ///< records accepted, applied and covered by an fsync
    std::uint64_t bytes_written = 0;    ///< every byte written to state files
    std::uint64_t fsyncs = 0;
    std::uint64_t compactions = 0;
    std::uint64_t snapshots_written = 0; ///< path / known-destination / identity files replaced
    std::uint64_t write_latency_p50_us = 0; ///< record accepted -> durable (group commit included)
    std::uint64_t write_latency_p99_us = 0;
    std::uint32_t slots_total = 0;
    std::uint32_t slots_in_use = 0;
    std::uint32_t slots_high_water = 0;
    std::uint64_t slot_waits = 0;        ///< jobs that queued because every slot was busy
    std::uint64_t ratchets_live = 0;     ///< destinations with a stored ratchet
    std::array<std::uint64_t, static_cast<std::size_t>(failure_kind::count)> failures{};
    int process_fds = 0;                 ///< entries in /proc/self/fd when the snapshot was taken
};

/// Latency histogram, written by the persistence thread, read by anyone. Log-linear buckets
/// (4 per power of two, microseconds) keep p50/p99 within ~19 % with no allocation.
class latency_histogram {
  public:
    static constexpr std::size_t buckets = 4 * 40;
    void record(std::uint64_t us, std::uint64_t count = 1) noexcept;
    /// Upper bound (µs) of the bucket holding quantile q (0..1); 0 when empty.
    [[nodiscard]] std::uint64_t quantile(double q) const noexcept;
    [[nodiscard]] static std::size_t bucket_of(std::uint64_t us) noexcept;
    [[nodiscard]] static std::uint64_t upper_bound(std::size_t bucket) noexcept;

  private:
    std::array<std::atomic<std::uint64_t>, buckets> _counts{};
};

/// Number of entries in /proc/self/fd (the directory handle used to count is not included).
[[nodiscard]] int count_process_fds() noexcept;

} // namespace persist
