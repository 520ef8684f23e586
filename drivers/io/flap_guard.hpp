#pragma once
// Listener hygiene (spec §10.1, BackboneInterface): a connection that lasts less than
// flap_seconds is a flap of its source address; a source with more than flap_limit flaps is
// refused until flap_block_seconds after its last flap. Memory is bounded: at most max_entries
// addresses are tracked; when full, expired entries are pruned, then the stalest is evicted.

#include <array>
#include <cstddef>
#include <cstdint>
#include <unordered_map>

namespace rns::io {

class flap_guard {
  public:
    using key = std::array<std::uint8_t, 16>;

    flap_guard(double flap_seconds, unsigned flap_limit, double block_seconds, std::size_t max_entries = 65536)
        : _flap_seconds(flap_seconds), _limit(flap_limit), _block(block_seconds), _max(max_entries) {}

    /// True when a new connection from k must be refused now.
    [[nodiscard]] bool blocked(const key& k, double now);
    /// A connection from k lasted `lifetime` seconds and ended at now.
    void closed(const key& k, double lifetime, double now);
    [[nodiscard]] std::size_t tracked() const noexcept { return _entries.size(); }

  private:
    struct entry {
        unsigned flaps = 0;
        double last_flap = 0;
    };
    struct hasher {
        std::size_t operator()(const key& k) const noexcept;
    };
    double _flap_seconds;
    unsigned _limit;
    double _block;
    std::size_t _max;
    std::unordered_map<key, entry, hasher> _entries;

    void make_room(double now);
};

} // namespace rns::io
