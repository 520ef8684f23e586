#pragma once
// The reverse table (spec §6.1, §6.11) with a size bound. The reference keeps every forwarded
// packet's entry for 480 s in an unbounded dict: at backbone rates (50k packets/s forwarded is
// 24 million entries, gigabytes) that is a memory exhaustion waiting to happen. Here the table
// holds at most `capacity` entries; a new entry in a full table evicts the oldest one (the packet
// least likely still to be proved). Evictions are counted by the caller.
//
// Insertion order is kept in a FIFO of (key, sequence number); entries erased early (proof used,
// culled) or refreshed leave stale FIFO items that are skipped when they reach the front, and the
// FIFO is compacted when it grows past twice the capacity, so its memory is bounded too
// (amortised O(1) per insert).

#include "router/control/hash_key.hpp"
#include "router/control/tables.hpp"
#include "router/rns/bytes.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_map>
#include <utility>

namespace rns::control {

class reverse_table {
    struct slot {
        reverse_entry entry;
        std::uint64_t seq = 0; ///< matches the entry's FIFO item
    };
    using map = std::unordered_map<hash16, slot, array_hash>;

  public:
    explicit reverse_table(std::size_t capacity) : _capacity(capacity == 0 ? 1 : capacity) {}

    /// Inserts or replaces key's entry. A replacement with a new timestamp makes the entry the
    /// youngest. Returns the key evicted to make room, if any.
    std::optional<hash16> set(const hash16& key, const reverse_entry& e) {
        std::optional<hash16> evicted;
        auto it = _map.find(key);
        if (it != _map.end()) {
            const bool same_time = it->second.entry.timestamp == e.timestamp;
            it->second.entry = e;
            if (same_time) {
                return evicted; // keeps its place
            }
            it->second.seq = ++_seq;
        } else {
            if (_map.size() >= _capacity) {
                evicted = evict_oldest();
            }
            _map.emplace(key, slot{e, ++_seq});
        }
        _order.emplace_back(key, _seq);
        if (_order.size() > 2 * _capacity) {
            compact();
        }
        return evicted;
    }

    bool erase(const hash16& key) { return _map.erase(key) != 0; }

    [[nodiscard]] const reverse_entry* find(const hash16& key) const {
        auto it = _map.find(key);
        return it == _map.end() ? nullptr : &it->second.entry;
    }

    /// Erases every entry for which pred(key, entry) holds, calling erased(key) for each.
    template <typename Pred, typename OnErase> void erase_if(Pred pred, OnErase erased) {
        for (auto it = _map.begin(); it != _map.end();) {
            if (pred(it->first, it->second.entry)) {
                const hash16 key = it->first;
                it = _map.erase(it);
                erased(key);
            } else {
                ++it;
            }
        }
    }

    [[nodiscard]] std::size_t size() const noexcept { return _map.size(); }
    [[nodiscard]] std::size_t capacity() const noexcept { return _capacity; }

  private:
    /// True if the FIFO item still describes a live entry (not erased, not refreshed since).
    [[nodiscard]] bool live(const std::pair<hash16, std::uint64_t>& item) const {
        auto it = _map.find(item.first);
        return it != _map.end() && it->second.seq == item.second;
    }

    hash16 evict_oldest() {
        while (!live(_order.front())) {
            _order.pop_front();
        }
        const hash16 key = _order.front().first;
        _order.pop_front();
        _map.erase(key);
        return key;
    }

    void compact() {
        std::deque<std::pair<hash16, std::uint64_t>> kept;
        for (const auto& item : _order) {
            if (live(item)) {
                kept.push_back(item);
            }
        }
        _order = std::move(kept);
    }

    std::size_t _capacity;
    std::uint64_t _seq = 0;
    map _map;
    std::deque<std::pair<hash16, std::uint64_t>> _order;
};

} // namespace rns::control
