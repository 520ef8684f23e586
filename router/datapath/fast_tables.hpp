#pragma once
// The fast path's tables (spec §6.1): the forwarding table (path table §6.4 and link table §6.5,
// one flat table with the values inline, mirrored from the control plane, which is its only
// writer) and the packet-hash table (duplicate filter §6.3 and reverse table §6.11), which the
// workers and the control plane share. Memory comes from the EAL heap (hugepages when the EAL has
// them; --no-huge: its anonymous memory).

#include "router/datapath/forward_table.hpp"
#include "router/datapath/packet_hash_table.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace rns::datapath {

class fast_tables {
  public:
    struct sizes {
        std::size_t routes = std::size_t{1} << 20;        ///< paths + links (--fast-entries)
        std::size_t packet_hashes = std::size_t{1} << 22; ///< slots, 16 bytes each (--packet-hashes)
        std::uint64_t dedup_rotate_at = 500'000;           ///< spec §6.3
        unsigned writers = 1; ///< workers + the control plane (one counter line each)
    };
    explicit fast_tables(sizes s);
    fast_tables(const fast_tables&) = delete;
    fast_tables& operator=(const fast_tables&) = delete;

  private:
    struct eal_free {
        void operator()(void* p) const noexcept;
    };
    std::unique_ptr<void, eal_free> _route_memory;
    std::unique_ptr<void, eal_free> _hash_memory;

  public:
    /// Paths and links: the control plane writes, workers read (and record use).
    forward_table routes;
    /// Duplicate filter and reverse entries, written by every worker and the control plane.
    packet_hash_table hashes;
    /// The router's clock in whole seconds (the control plane's time base), for reverse entries
    /// and "last used" times. ctlplane: stores it when the second changes; dataplane: reads.
    alignas(64) std::atomic<std::uint32_t> now_s{0};
};

} // namespace rns::datapath
