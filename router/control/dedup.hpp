#pragma once
// The duplicate filter (spec §6.3, §6.12): the set of packet hashes seen, in two generations.
// When the current one exceeds half of hashlist_maxsize it becomes the previous generation and a
// new empty set starts; both are consulted.

#include "router/control/hash_key.hpp"
#include "router/rns/bytes.hpp"

#include <unordered_set>

namespace rns::control {

class dedup_filter {
  public:
    /// spec §1.3 hashlist_maxsize = 1 000 000, rotated at half.
    explicit dedup_filter(std::size_t rotate_at = 500'000) : _rotate_at(rotate_at) {}

    [[nodiscard]] bool contains(const hash32& h) const {
        return _current.contains(h) || _previous.contains(h);
    }
    void add(const hash32& h) { _current.insert(h); }
    /// Removes from both generations (spec §6.2 step 9: link packet on the wrong interface).
    void remove(const hash32& h) {
        _current.erase(h);
        _previous.erase(h);
    }
    /// Rotates when over the limit; true if it did.
    bool maybe_rotate() {
        if (_current.size() <= _rotate_at) {
            return false;
        }
        _previous = std::move(_current);
        _current = {};
        return true;
    }
    [[nodiscard]] std::size_t size() const noexcept { return _current.size() + _previous.size(); }

  private:
    std::size_t _rotate_at;
    std::unordered_set<hash32, array_hash> _current;
    std::unordered_set<hash32, array_hash> _previous;
};

} // namespace rns::control
