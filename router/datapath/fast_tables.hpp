#pragma once
// The fast-path mirror of the control plane's forwarding tables (spec §6.1): path table (§6.4),
// link table (§6.5), reverse table (§6.11), and the shared duplicate filter (§6.3). The control
// plane is the only writer (it applies the transport's sink notifications); workers read without
// locks. Entries are immutable once published; a change publishes a new entry and the old one is
// freed after an RCU grace period.

#include "router/datapath/rcu.hpp"
#include "router/datapath/dedup_set.hpp"
#include "router/rns/bytes.hpp"

#include <rte_hash.h>

#include <cstdint>

namespace rns::datapath {

struct path_entry {
    hash16 next_hop{};
    std::uint8_t hops = 0;
    std::uint16_t out = 0;
};
struct link_entry {
    std::uint16_t nh_if = 0;
    std::uint16_t rcvd_if = 0;
    std::uint8_t remaining = 0;
    std::uint8_t taken = 0;
    bool validated = false;
};
struct reverse_entry {
    std::uint16_t rcvd_if = 0;
    std::uint16_t out_if = 0;
};

class fast_tables {
  public:
    struct sizes {
        std::uint32_t paths = 1U << 18;
        std::uint32_t links = 1U << 16;
        /// Twice the control plane's reverse bound (transport_options::max_reverse): an rte_hash
        /// near full spends most of an insert in cuckoo displacement (perf: 28% of the core at
        /// 100% load), and deleted slots are only free again after an RCU grace period.
        std::uint32_t reverse = 1U << 19;
    };
    fast_tables(rcu_domain& rcu, sizes s);
    ~fast_tables();
    fast_tables(const fast_tables&) = delete;
    fast_tables& operator=(const fast_tables&) = delete;

    // control plane (single writer). Return false when the table is full.
    bool set_path(const hash16& dest, const path_entry& e);
    void remove_path(const hash16& dest);
    bool set_link(const hash16& link_id, const link_entry& e);
    void remove_link(const hash16& link_id);
    bool set_reverse(const hash16& trunc_hash, const reverse_entry& e);
    void remove_reverse(const hash16& trunc_hash);

    [[nodiscard]] std::uint32_t path_count() const noexcept { return rte_hash_count(_paths); }
    [[nodiscard]] std::uint32_t link_count() const noexcept { return rte_hash_count(_links); }
    [[nodiscard]] std::uint32_t reverse_count() const noexcept { return rte_hash_count(_reverse); }

    // data plane (lock-free; pointers valid until the reader's next quiescent state)
    [[nodiscard]] const path_entry* path(const std::uint8_t* dest) const noexcept {
        return find<path_entry>(_paths, dest);
    }
    [[nodiscard]] const link_entry* link(const std::uint8_t* id) const noexcept {
        return find<link_entry>(_links, id);
    }
    /// Bulk membership test for a burst (rte_hash pipelines the bucket loads): in[i] is set when
    /// ids[i] is in the link table. 0 < n <= 64 (RTE_HASH_LOOKUP_BULK_MAX).
    void links_contain(const void** ids, unsigned n, bool* in) const noexcept {
        std::int32_t pos[64];
        if (rte_hash_lookup_bulk(_links, ids, n, pos) != 0) {
            for (unsigned i = 0; i < n; ++i) { // cannot happen for valid arguments: look up singly
                in[i] = rte_hash_lookup(_links, ids[i]) >= 0;
            }
            return;
        }
        for (unsigned i = 0; i < n; ++i) {
            in[i] = pos[i] >= 0;
        }
    }
    [[nodiscard]] const reverse_entry* reverse(const std::uint8_t* h) const noexcept {
        return find<reverse_entry>(_reverse, h);
    }

    dedup_set dedup; ///< shared by all workers (lock-free inserts); rotated by the control plane

  private:
    template <typename T>
    static const T* find(rte_hash* h, const std::uint8_t* key) noexcept {
        void* data = nullptr;
        return rte_hash_lookup_data(h, key, &data) >= 0 ? static_cast<const T*>(data) : nullptr;
    }
    template <typename T> bool set(rte_hash* h, const hash16& key, const T& e);

    rcu_domain& _rcu;
    rte_hash* _paths = nullptr;
    rte_hash* _links = nullptr;
    rte_hash* _reverse = nullptr;
};

} // namespace rns::datapath
