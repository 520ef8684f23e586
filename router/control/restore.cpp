// Seeding the transport from persisted state at start-up, and reading it back for snapshots
// (spec §11: destination_table, known_destinations, cache/announces).

#include "router/control/transport.hpp"

#include "router/rns/announce.hpp"

namespace rns::control {

std::optional<hash32> transport::adopt_announce(const hash16& dest, byte_view announce_raw, double heard,
                                                iface_id iface) {
    auto parsed = parse_packet(announce_raw);
    if (!parsed || parsed.packet.flags.type != packet_type::announce || !equal(parsed.packet.destination_hash, dest)) {
        return std::nullopt;
    }
    announce_checks checks;
    byte_array<64> key{};
    if (auto k = _known.find(dest); k != _known.end()) {
        key = k->second.public_key;
        checks.known_public_key = &key;
    }
    const announce_result a = validate_announce(parsed.packet, checks);
    if (!a) {
        return std::nullopt;
    }
    const hash32 h = packet_hash(parsed.packet);
    _announce_cache[h] = announce_cache_entry{bytes(announce_raw.begin(), announce_raw.end()), iface};
    if (!_known.contains(dest)) {
        known_destination k;
        k.last_announce = heard;
        k.packet_hash = h;
        k.public_key = take<64>(a.announce.public_key);
        if (a.announce.app_data_present) {
            k.app_data = bytes(a.announce.app_data.begin(), a.announce.app_data.end());
        }
        _known[dest] = std::move(k);
    }
    return h;
}

bool transport::restore_path(const hash16& dest, const path_entry& e, byte_view announce_raw, double now) {
    (void)now;
    if (!iface_usable(e.iface)) {
        return false; // the reference skips entries whose interface is gone
    }
    const std::optional<hash32> h = adopt_announce(dest, announce_raw, e.timestamp, e.iface);
    if (!h) {
        return false;
    }
    path_entry pe = e;
    pe.announce_hash = *h;
    if (pe.random_blobs.size() > tc::max_random_blobs) {
        pe.random_blobs.erase(pe.random_blobs.begin(),
                              pe.random_blobs.end() - static_cast<std::ptrdiff_t>(tc::max_random_blobs));
    }
    set_path(dest, std::move(pe));
    return true;
}

void transport::restore_known(const hash16& dest, const known_destination& k) {
    _known[dest] = k;
}

const bytes* transport::cached_announce(const hash32& announce_hash) const {
    auto it = _announce_cache.find(announce_hash);
    return it == _announce_cache.end() ? nullptr : &it->second.raw;
}

} // namespace rns::control
