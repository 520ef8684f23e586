#include "persist/stats.hpp"

#include <dirent.h>

#include <bit>
#include <cerrno>

namespace persist {

std::string_view to_string(failure_kind k) noexcept {
    switch (k) {
    case failure_kind::disk_full:
        return "disk_full";
    case failure_kind::io_error:
        return "io_error";
    case failure_kind::state_dir_missing:
        return "state_dir_missing";
    case failure_kind::read_only:
        return "read_only";
    case failure_kind::other:
    case failure_kind::count:
        break;
    }
    return "other";
}

failure_kind classify_errno(int err) noexcept {
    switch (err) {
    case ENOSPC:
    case EDQUOT:
        return failure_kind::disk_full;
    case EIO:
        return failure_kind::io_error;
    case ENOENT:
    case ENOTDIR:
        return failure_kind::state_dir_missing;
    case EROFS:
    case EACCES:
    case EPERM:
        return failure_kind::read_only;
    default:
        return failure_kind::other;
    }
}

std::size_t latency_histogram::bucket_of(std::uint64_t us) noexcept {
    if (us < 4) {
        return static_cast<std::size_t>(us);
    }
    auto e = static_cast<std::size_t>(std::bit_width(us) - 1); // floor(log2(us)) >= 2
    std::size_t sub = static_cast<std::size_t>(us >> (e - 2)) & 3U;
    std::size_t b = 4 * (e - 1) + sub;
    return b < buckets ? b : buckets - 1;
}

std::uint64_t latency_histogram::upper_bound(std::size_t bucket) noexcept {
    if (bucket < 4) {
        return bucket;
    }
    std::size_t e = bucket / 4 + 1;
    std::uint64_t sub = bucket % 4;
    return ((4 + sub + 1) << (e - 2)) - 1;
}

void latency_histogram::record(std::uint64_t us, std::uint64_t count) noexcept {
    _counts[bucket_of(us)].fetch_add(count, std::memory_order_relaxed);
}

std::uint64_t latency_histogram::quantile(double q) const noexcept {
    std::array<std::uint64_t, buckets> c{};
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < buckets; ++i) {
        c[i] = _counts[i].load(std::memory_order_relaxed);
        total += c[i];
    }
    if (total == 0) {
        return 0;
    }
    auto rank = static_cast<std::uint64_t>(q * static_cast<double>(total));
    if (rank >= total) {
        rank = total - 1;
    }
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < buckets; ++i) {
        seen += c[i];
        if (seen > rank) {
            return upper_bound(i);
        }
    }
    return upper_bound(buckets - 1);
}

int count_process_fds() noexcept {
    DIR* d = opendir("/proc/self/fd");
    if (d == nullptr) {
        return -1;
    }
    int n = 0;
    while (const dirent* e = readdir(d)) {
        if (e->d_name[0] != '.') {
            ++n;
        }
    }
    closedir(d);
    return n - 1; // the DIR's own descriptor
}

} // namespace persist
