#pragma once
// Announces whose signature verified (spec §5.2 step 3), remembered so that copies of them cost no
// Ed25519 verification: the same announce heard on another interface, again, or rebroadcast by
// neighbours (spec §6.6 step 4 needs those copies processed, spec §6.3 rule 6).
//
// The key is SHA-256 over the context flag, the destination hash and the whole announce data:
// public key, name hash, random hash, ratchet, signature and app data. That is every byte the
// signature covers (spec §5.1), the signature itself, and the flag that decides how the data
// splits into those fields. What differs between honest copies lies outside the key and outside
// the signature: the hop count, the header type and transport id (HEADER_2 rebroadcasts), the
// context byte (PATH_RESPONSE, spec §5.3), the IFAC. A copy that differs in any signed byte, the
// signature or the flag has another key and is verified; for a forged announce to pass as cached
// it would need a SHA-256 collision with one that verified. The later checks of spec §5.2 (the
// destination hash, the key collision rule) and everything of spec §6.6 still run for every copy.
//
// Bounded and allocation-free after construction: 4-way sets; a new key evicts the oldest of its
// set. An evicted announce is simply verified again.

#include "router/rns/bytes.hpp"
#include "router/rns/packet.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace rns::control {

class verified_announces {
  public:
    static constexpr std::size_t ways = 4;

    /// Room for about `capacity` announces (rounded up to a power-of-two number of sets);
    /// 0 turns the cache off (every copy is verified).
    explicit verified_announces(std::size_t capacity);

    [[nodiscard]] bool enabled() const noexcept { return !_slots.empty(); }
    [[nodiscard]] std::size_t capacity() const noexcept { return _slots.size(); }

    /// The key of an announce packet (see above). p must be an ANNOUNCE.
    [[nodiscard]] static hash32 key_of(const packet_view& p) noexcept;

    [[nodiscard]] bool contains(const hash32& key) const noexcept;
    /// Remembers a verified announce; a no-op when off or already present.
    void insert(const hash32& key) noexcept;

  private:
    [[nodiscard]] std::size_t set_of(const hash32& key) const noexcept;

    std::vector<hash32> _slots; ///< sets of `ways` keys, newest first; all-zero = empty
    std::size_t _set_mask = 0;
};

} // namespace rns::control
