#include "router/control/announce_cache.hpp"

#include "crypto/sha256.hpp"

#include <algorithm>
#include <cstring>

namespace rns::control {

verified_announces::verified_announces(std::size_t capacity) {
    if (capacity == 0) {
        return;
    }
    std::size_t sets = 1;
    while (sets * ways < capacity) {
        sets <<= 1;
    }
    _slots.assign(sets * ways, hash32{});
    _set_mask = sets - 1;
}

hash32 verified_announces::key_of(const packet_view& p) noexcept {
    const std::uint8_t flag = p.flags.context_flag ? 1 : 0;
    return crypto::sha256({byte_view(&flag, 1), p.destination_hash, p.data});
}

std::size_t verified_announces::set_of(const hash32& key) const noexcept {
    std::uint64_t v = 0;
    std::memcpy(&v, key.data(), sizeof v);
    return static_cast<std::size_t>(v) & _set_mask;
}

// An all-zero slot is empty. SHA-256 yields the all-zero value only for a preimage nobody knows,
// so no announce can match an empty slot.
bool verified_announces::contains(const hash32& key) const noexcept {
    if (!enabled()) {
        return false;
    }
    const hash32* set = &_slots[set_of(key) * ways];
    for (std::size_t i = 0; i < ways; ++i) {
        if (set[i] == key) {
            return true;
        }
    }
    return false;
}

void verified_announces::insert(const hash32& key) noexcept {
    if (!enabled() || contains(key)) {
        return;
    }
    hash32* set = &_slots[set_of(key) * ways];
    std::move_backward(set, set + ways - 1, set + ways); // the oldest (last) goes
    set[0] = key;
}

} // namespace rns::control
