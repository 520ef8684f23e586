// Seeding the transport's ratchet table from the persisted ratchet store (spec §5.4).

#include "router/control/transport.hpp"

namespace rns::control {

void transport::restore_ratchet(const hash16& dest, const byte_array<32>& ratchet, double received) {
    _ratchets[dest] = {ratchet, received};
}

const byte_array<32>* transport::find_ratchet(const hash16& dest) const {
    auto it = _ratchets.find(dest);
    return it == _ratchets.end() ? nullptr : &it->second.first;
}

} // namespace rns::control
