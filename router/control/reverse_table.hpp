#pragma once
// The reverse table (spec §6.1, §6.11) with a size bound. The reference keeps every forwarded
// packet's entry for 480 s in an unbounded dict: at backbone rates (50k packets/s forwarded is
// 24 million entries, gigabytes) that is a memory exhaustion waiting to happen. Here the table
// holds at most `capacity` entries; a new entry in a full table evicts the oldest one (the packet
// least likely still to be proved). Evictions are counted by the caller.
//
// Insertion order is kept in a FIFO of (key, timestamp); entries erased early (proof used, culled)
// leave stale FIFO items that are skipped when they reach the front, and the FIFO is compacted when
// it grows past twice the capacity, so its memory is bounded too (amortised O(1) per insert).

#include "router/control/hash_key.hpp"
#include "router/control/tables.hpp"
#include "router/rns/bytes.hpp"

#include <cstddef>
#include <deque>
#include <optional>
#include <unordered_map>
#include <utility>

namespace rns::control {

class reverse_table {
    using map = std::unordered_map<hash16, reverse_entry, array_hash>;

  public:
    using iterator = map::iterator;
    using const_iterator = map::const_iterator;

    explicit reverse_table(std::size_t capacity) : _capacity(capacity == 0 ? 1 : capacity) {}

    /// Inserts or replaces key's entry. Returns the key evicted to make room, if any.
    std::optional<hash16> set(const hash16& key, const reverse_entry& e) {
        std::optional<hash16> evicted;
        auto it = _map.find(key);
        if (it != _map.end()) {
            const bool same_time = it->second.timestamp == e.timestamp;
            it->second = e;
            if (same_time) {
                return evicted; // its FIFO item still describes it
            }
        } else {
            if (_map.size() >= _capacity) {
                evicted = evict_oldest();
            }
            _map.emplace(key, e);
        }
        _order.emplace_back(key, e.timestamp);
        if (_order.size() > 2 * _capacity) {
            compact();
        }
        return evicted;
    }

    bool erase(const hash16& key) { return _map.erase(key) != 0; }
    iterator erase(const_iterator it) { return _map.erase(it); }

    [[nodiscard]] iterator find(const hash16& key) { return _map.find(key); }
    [[nodiscard]] const_iterator find(const hash16& key) const { return _map.find(key); }
    [[nodiscard]] iterator begin() noexcept { return _map.begin(); }
    [[nodiscard]] iterator end() noexcept { return _map.end(); }
    [[nodiscard]] const_iterator end() const noexcept { return _map.end(); }
    [[nodiscard]] std::size_t size() const noexcept { return _map.size(); }
    [[nodiscard]] std::size_t capacity() const noexcept { return _capacity; }

  private:
    /// True if the FIFO item still describes a live entry (not erased, not replaced since).
    [[nodiscard]] bool live(const std::pair<hash16, double>& item) const {
        auto it = _map.find(item.first);
        return it != _map.end() && it->second.timestamp == item.second;
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
        std::deque<std::pair<hash16, double>> kept;
        for (const auto& item : _order) {
            if (live(item)) {
                kept.push_back(item);
            }
        }
        _order = std::move(kept);
    }

    std::size_t _capacity;
    map _map;
    std::deque<std::pair<hash16, double>> _order;
};

} // namespace rns::control
