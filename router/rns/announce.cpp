// Announces (spec §5): build, split, validate; the transport's re-sent form (spec §6.7, §6.9).

#include "router/rns/announce.hpp"

#include "crypto/ed25519.hpp"
#include "crypto/random.hpp"
#include "crypto/sha256.hpp"
#include "router/rns/destination.hpp"

#include <array>
#include <cstring>

namespace rns {

namespace {

constexpr std::size_t addr_len = 16;
constexpr std::size_t off_name_hash = announce_public_key_size;
constexpr std::size_t off_random = off_name_hash + announce_name_hash_size;
constexpr std::size_t off_ratchet = off_random + announce_random_hash_size; // 84

// Packet.pack refuses anything over the MTU (spec §1.2, §5.1).
constexpr std::size_t max_packet = mtu;

} // namespace

random_hash make_random_hash(const byte_array<16>& entropy, std::uint64_t unix_seconds) noexcept {
    random_hash r{};
    const hash32 h = crypto::sha256(entropy);
    std::memcpy(r.data(), h.data(), 5);
    for (std::size_t i = 0; i < 5; ++i) {
        r[9 - i] = static_cast<std::uint8_t>(unix_seconds >> (8 * i));
    }
    return r;
}

random_hash make_random_hash(std::uint64_t unix_seconds) noexcept {
    return make_random_hash(crypto::random_array<16>(), unix_seconds);
}

bytes build_announce(const identity& id, const announce_params& params) {
    if (!id.has_private_key()) {
        return {};
    }
    const hash16 dest = destination_hash(params.name_hash, id.hash());
    const byte_array<64> pub = id.public_key();
    const byte_view ratchet = params.ratchet ? byte_view(*params.ratchet) : byte_view{};
    // spec §5.1 signed data: dest ‖ public key ‖ name hash ‖ random hash ‖ ratchet ‖ app data
    const bytes signed_data =
        concat({dest, pub, params.name_hash, params.random, ratchet, params.app_data});
    const ed25519_signature sig = id.sign(signed_data);
    const bytes data = concat({pub, params.name_hash, params.random, ratchet, sig, params.app_data});

    packet_fields f;
    f.flags.type = packet_type::announce;
    f.flags.dest_type = destination_type::single;
    f.flags.context_flag = params.ratchet.has_value();
    f.destination_hash = dest;
    f.context = params.path_response ? ctx::path_response : ctx::none;
    f.data = data;
    bytes out = build_packet(f);
    if (out.size() > max_packet) {
        return {};
    }
    return out;
}

std::uint64_t announce_view::emission_timestamp() const noexcept {
    std::uint64_t t = 0;
    if (random_hash.size() != announce_random_hash_size) {
        return 0;
    }
    for (std::size_t i = 5; i < announce_random_hash_size; ++i) {
        t = (t << 8) | random_hash[i];
    }
    return t;
}

const char* to_string(announce_error e) noexcept {
    switch (e) {
    case announce_error::ok: return "ok";
    case announce_error::not_announce: return "not an announce";
    case announce_error::truncated: return "announce data truncated";
    case announce_error::oversize: return "announce too large to verify";
    case announce_error::blackholed: return "identity is blackholed";
    case announce_error::bad_signature: return "invalid signature";
    case announce_error::destination_mismatch: return "destination hash does not match the key";
    case announce_error::key_collision: return "destination known with a different public key";
    }
    return "unknown";
}

announce_result split_announce(const packet_view& p) noexcept {
    announce_result r;
    if (p.flags.type != packet_type::announce) {
        r.error = announce_error::not_announce;
        return r;
    }
    const byte_view d = p.data;
    const bool has_ratchet = p.flags.context_flag;
    const std::size_t need = has_ratchet ? announce_min_data_ratchet : announce_min_data;
    if (d.size() < need) {
        r.error = announce_error::truncated;
        return r;
    }
    announce_view& a = r.announce;
    a.destination_hash = p.destination_hash;
    a.public_key = d.subspan(0, announce_public_key_size);
    a.name_hash = d.subspan(off_name_hash, announce_name_hash_size);
    a.random_hash = d.subspan(off_random, announce_random_hash_size);
    const std::size_t off_sig = has_ratchet ? off_ratchet + announce_ratchet_size : off_ratchet;
    if (has_ratchet) {
        a.ratchet = d.subspan(off_ratchet, announce_ratchet_size);
    }
    a.signature = d.subspan(off_sig, announce_signature_size);
    a.app_data = d.subspan(off_sig + announce_signature_size);
    // spec §5.2 step 1: the reference's length test ignores the ratchet.
    a.app_data_present = d.size() > announce_min_data;
    r.identity_hash = crypto::truncated_hash(a.public_key);
    return r;
}

announce_error verify_announce_signature(const packet_view& p, const announce_view& a) noexcept {
    // The signature covers dest ‖ data without the signature (spec §5.1).
    const std::size_t head = a.signature.data() - p.data.data();
    const std::size_t n = addr_len + head + a.app_data.size();
    if (n > announce_max_signed) {
        return announce_error::oversize;
    }
    std::array<std::uint8_t, announce_max_signed> msg; // only the first n bytes are used
    std::memcpy(msg.data(), a.destination_hash.data(), addr_len);
    std::memcpy(msg.data() + addr_len, p.data.data(), head);
    if (!a.app_data.empty()) {
        std::memcpy(msg.data() + addr_len + head, a.app_data.data(), a.app_data.size());
    }
    const auto ed_pub = take<32>(a.public_key.subspan(32));
    if (!crypto::ed25519_verify(ed_pub, byte_view(msg).first(n), a.signature)) {
        return announce_error::bad_signature;
    }
    return announce_error::ok;
}

announce_result validate_announce(const packet_view& p, const announce_checks& checks) noexcept {
    announce_result r = split_announce(p);
    if (!r) {
        return r;
    }
    const announce_view& a = r.announce;
    // Step 2: blackholed identities are refused before any crypto.
    if (checks.is_blackholed != nullptr && checks.is_blackholed(r.identity_hash, checks.user)) {
        r.error = announce_error::blackholed;
        return r;
    }
    // Step 3: the signature.
    if (const announce_error e = verify_announce_signature(p, a); e != announce_error::ok) {
        r.error = e;
        return r;
    }
    if (checks.signature_only) {
        return r;
    }
    // Step 4: the destination hash must follow from the name hash and the key (spec §3).
    const hash16 expected = destination_hash(take<10>(a.name_hash), r.identity_hash);
    if (!equal(expected, a.destination_hash)) {
        r.error = announce_error::destination_mismatch;
        return r;
    }
    // Step 5: the first key seen for a destination wins.
    if (checks.known_public_key != nullptr && !equal(*checks.known_public_key, a.public_key)) {
        r.error = announce_error::key_collision;
        return r;
    }
    return r;
}

bool announce_destination_type_allowed(const packet_view& p) noexcept {
    return p.flags.dest_type != destination_type::plain &&
           p.flags.dest_type != destination_type::group;
}

std::size_t write_announce_rebroadcast(byte_view in, std::uint8_t hops, const hash16& transport_id,
                                       std::uint8_t context, std::span<std::uint8_t> out) noexcept {
    const auto r = parse_packet(in, 0, ifac_bit::ignore);
    if (!r || r.packet.flags.type != packet_type::announce) {
        return 0;
    }
    const packet_view& p = r.packet;
    const std::size_t n = header_maxsize + p.data.size();
    if (n > max_packet || out.size() < n) {
        return 0;
    }
    // Flags: HEADER_2, TRANSPORT, context flag (ratchet), destination and packet type kept; the
    // IFAC bit is never carried over (spec §4.1).
    out[0] = static_cast<std::uint8_t>(0x40 | 0x10 | (p.flags_byte & 0x2F));
    out[1] = hops;
    std::memcpy(out.data() + 2, transport_id.data(), transport_id.size());
    std::memcpy(out.data() + 18, p.destination_hash.data(), p.destination_hash.size());
    out[34] = context;
    if (!p.data.empty()) {
        std::memcpy(out.data() + header_maxsize, p.data.data(), p.data.size());
    }
    return n;
}

} // namespace rns
