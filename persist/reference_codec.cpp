#include "persist/reference_codec.hpp"

#include "router/rns/msgpack.hpp"

#include <cstring>

namespace persist::reference {

namespace mp = rns::msgpack;

namespace {

template <std::size_t N> bool get_fixed(const mp::value& v, rns::byte_array<N>& out) {
    const rns::bytes* b = v.as_bin();
    if (b == nullptr || b->size() != N) {
        return false;
    }
    std::memcpy(out.data(), b->data(), N);
    return true;
}

// A path entry: [dest bin16, timestamp, next hop bin16, hops int, expires, [blob bin10...],
// interface_hash bin32, announce packet hash bin32] (spec §11 destination_table).
bool get_path(const mp::value& v, path_record& p) {
    const mp::array* a = v.as_array();
    if (a == nullptr || a->size() != 8) {
        return false;
    }
    std::int64_t hops = 0;
    if (!get_fixed((*a)[0], p.destination) || !(*a)[1].get_number(p.timestamp) ||
        !get_fixed((*a)[2], p.next_hop) || !(*a)[3].get_int(hops) || hops < 0 || hops > 255 ||
        !(*a)[4].get_number(p.expires) || !get_fixed((*a)[6], p.interface_hash) ||
        !get_fixed((*a)[7], p.announce_hash)) {
        return false;
    }
    p.hops = static_cast<std::uint8_t>(hops);
    const mp::array* blobs = (*a)[5].as_array();
    if (blobs == nullptr) {
        return false;
    }
    p.random_blobs.resize(blobs->size());
    for (std::size_t i = 0; i < blobs->size(); ++i) {
        if (!get_fixed((*blobs)[i], p.random_blobs[i])) {
            return false;
        }
    }
    return true;
}

void put_path(mp::writer& w, const path_record& p) {
    w.array_header(8);
    w.bin(p.destination).float64(p.timestamp).bin(p.next_hop).uint(p.hops).float64(p.expires);
    w.array_header(static_cast<std::uint32_t>(p.random_blobs.size()));
    for (const auto& b : p.random_blobs) {
        w.bin(b);
    }
    w.bin(p.interface_hash).bin(p.announce_hash);
}

/// umsgpack writes Python floats as float64 and ints as ints; the reference stores last_used as
/// 0 / -1 (ints) or a float time. Keep integers integers so encoding reproduces the bytes.
void put_number(mp::writer& w, double d) {
    if (d == static_cast<double>(static_cast<std::int64_t>(d)) && (d == 0 || d == -1)) {
        w.sint(static_cast<std::int64_t>(d));
    } else {
        w.float64(d);
    }
}

} // namespace

std::optional<ratchet_record> parse_ratchet(const rns::hash16& destination, rns::byte_view file) {
    mp::decode_result d = mp::decode(file);
    if (!d) {
        return std::nullopt;
    }
    const mp::value* ratchet = d.val.find("ratchet");
    const mp::value* received = d.val.find("received");
    ratchet_record r;
    r.destination = destination;
    if (ratchet == nullptr || received == nullptr || !get_fixed(*ratchet, r.ratchet) ||
        !received->get_number(r.received)) {
        return std::nullopt;
    }
    return r;
}

rns::bytes encode_ratchet(const ratchet_record& r) {
    rns::bytes out;
    mp::writer w(out);
    w.map_header(2).str("ratchet").bin(r.ratchet).str("received").float64(r.received);
    return out;
}

std::optional<std::vector<path_record>> parse_destination_table(rns::byte_view file) {
    mp::decode_result d = mp::decode(file);
    const mp::array* a = d ? d.val.as_array() : nullptr;
    if (a == nullptr) {
        return std::nullopt;
    }
    std::vector<path_record> out(a->size());
    for (std::size_t i = 0; i < a->size(); ++i) {
        if (!get_path((*a)[i], out[i])) {
            return std::nullopt;
        }
    }
    return out;
}

rns::bytes encode_destination_table(const std::vector<path_record>& paths) {
    rns::bytes out;
    mp::writer w(out);
    w.array_header(static_cast<std::uint32_t>(paths.size()));
    for (const auto& p : paths) {
        put_path(w, p);
    }
    return out;
}

std::optional<std::vector<known_destination>> parse_known_destinations(rns::byte_view file) {
    mp::decode_result d = mp::decode(file);
    const mp::map* m = d ? d.val.as_map() : nullptr;
    if (m == nullptr) {
        return std::nullopt;
    }
    std::vector<known_destination> out(m->size());
    for (std::size_t i = 0; i < m->size(); ++i) {
        const auto& [key, val] = (*m)[i];
        known_destination& k = out[i];
        const mp::array* a = val.as_array();
        // [last heard, packet hash, public key, app_data or nil, last_used]; versions before
        // last_used wrote 4 fields (then it is 0, "never used").
        if (!get_fixed(key, k.destination) || a == nullptr || a->size() < 4 || a->size() > 5 ||
            !(*a)[0].get_number(k.last_heard) || !get_fixed((*a)[1], k.announce_hash) ||
            !get_fixed((*a)[2], k.public_key)) {
            return std::nullopt;
        }
        if (const rns::bytes* app = (*a)[3].as_bin()) {
            k.app_data = *app;
        } else if (!(*a)[3].is_nil()) {
            return std::nullopt;
        }
        if (a->size() == 5 && !(*a)[4].get_number(k.last_used)) {
            return std::nullopt;
        }
    }
    return out;
}

rns::bytes encode_known_destinations(const std::vector<known_destination>& known) {
    rns::bytes out;
    mp::writer w(out);
    w.map_header(static_cast<std::uint32_t>(known.size()));
    for (const auto& k : known) {
        w.bin(k.destination).array_header(5).float64(k.last_heard).bin(k.announce_hash).bin(k.public_key);
        if (k.app_data) {
            w.bin(*k.app_data);
        } else {
            w.nil();
        }
        put_number(w, k.last_used);
    }
    return out;
}

std::optional<identity_key> parse_transport_identity(rns::byte_view file) {
    if (file.size() != 64) {
        return std::nullopt;
    }
    identity_key k{};
    std::memcpy(k.data(), file.data(), 64);
    return k;
}

std::optional<cached_announce> parse_cached_announce(rns::byte_view file) {
    mp::decode_result d = mp::decode(file);
    const mp::array* a = d ? d.val.as_array() : nullptr;
    if (a == nullptr || a->size() != 2) {
        return std::nullopt;
    }
    const rns::bytes* raw = (*a)[0].as_bin();
    if (raw == nullptr) {
        return std::nullopt;
    }
    cached_announce c;
    c.raw = *raw;
    if (const std::string* s = (*a)[1].as_str()) {
        c.interface = *s;
    } else if (!(*a)[1].is_nil()) {
        return std::nullopt;
    }
    return c;
}

rns::bytes encode_cached_announce(const cached_announce& a) {
    rns::bytes out;
    mp::writer w(out);
    w.array_header(2).bin(a.raw);
    if (a.interface) {
        w.str(*a.interface);
    } else {
        w.nil();
    }
    return out;
}

std::optional<std::vector<rns::hash32>> parse_packet_hashlist(rns::byte_view file) {
    if (file.size() % 32 != 0) {
        return std::nullopt;
    }
    std::vector<rns::hash32> out(file.size() / 32);
    for (std::size_t i = 0; i < out.size(); ++i) {
        std::memcpy(out[i].data(), file.data() + 32 * i, 32);
    }
    return out;
}

rns::bytes encode_packet_hashlist(const std::vector<rns::hash32>& hashes) {
    rns::bytes out;
    out.reserve(hashes.size() * 32);
    for (const auto& h : hashes) {
        out.insert(out.end(), h.begin(), h.end());
    }
    return out;
}

std::optional<std::vector<tunnel_record>> parse_tunnels(rns::byte_view file) {
    mp::decode_result d = mp::decode(file);
    const mp::array* a = d ? d.val.as_array() : nullptr;
    if (a == nullptr) {
        return std::nullopt;
    }
    std::vector<tunnel_record> out(a->size());
    for (std::size_t i = 0; i < a->size(); ++i) {
        const mp::array* t = (*a)[i].as_array();
        tunnel_record& r = out[i];
        if (t == nullptr || t->size() != 4 || !get_fixed((*t)[0], r.tunnel_id) || !(*t)[3].get_number(r.expires)) {
            return std::nullopt;
        }
        if (!(*t)[1].is_nil()) {
            rns::hash32 h{};
            if (!get_fixed((*t)[1], h)) {
                return std::nullopt;
            }
            r.interface_hash = h;
        }
        const mp::array* paths = (*t)[2].as_array();
        if (paths == nullptr) {
            return std::nullopt;
        }
        r.paths.resize(paths->size());
        for (std::size_t k = 0; k < paths->size(); ++k) {
            if (!get_path((*paths)[k], r.paths[k])) {
                return std::nullopt;
            }
        }
    }
    return out;
}

rns::bytes encode_tunnels(const std::vector<tunnel_record>& tunnels) {
    rns::bytes out;
    mp::writer w(out);
    w.array_header(static_cast<std::uint32_t>(tunnels.size()));
    for (const auto& t : tunnels) {
        w.array_header(4).bin(t.tunnel_id);
        if (t.interface_hash) {
            w.bin(*t.interface_hash);
        } else {
            w.nil();
        }
        w.array_header(static_cast<std::uint32_t>(t.paths.size()));
        for (const auto& p : t.paths) {
            put_path(w, p);
        }
        w.float64(t.expires);
    }
    return out;
}

std::optional<local_ratchets> parse_local_ratchets(rns::byte_view file) {
    mp::decode_result d = mp::decode(file);
    if (!d) {
        return std::nullopt;
    }
    const mp::value* sig = d.val.find("signature");
    const mp::value* packed = d.val.find("ratchets");
    local_ratchets out;
    const rns::bytes* packed_bin = packed != nullptr ? packed->as_bin() : nullptr;
    if (sig == nullptr || packed_bin == nullptr || !get_fixed(*sig, out.signature)) {
        return std::nullopt;
    }
    out.packed = *packed_bin;
    mp::decode_result inner = mp::decode(out.packed);
    const mp::array* a = inner ? inner.val.as_array() : nullptr;
    if (a == nullptr) {
        return std::nullopt;
    }
    out.ratchets.resize(a->size());
    for (std::size_t i = 0; i < a->size(); ++i) {
        if (!get_fixed((*a)[i], out.ratchets[i])) {
            return std::nullopt;
        }
    }
    return out;
}

} // namespace persist::reference
