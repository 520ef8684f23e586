#include "router/rns/link_handshake.hpp"

#include "crypto/hmac.hpp"
#include "crypto/sha256.hpp"

namespace rns::link {

const char* mode_name(mode m) noexcept {
    switch (m) {
    case mode::aes128_cbc: return "AES_128_CBC";
    case mode::aes256_cbc: return "AES_256_CBC";
    case mode::aes256_gcm: return "MODE_AES256_GCM";
    case mode::otp_reserved: return "MODE_OTP_RESERVED";
    case mode::pq_reserved_1: return "MODE_PQ_RESERVED_1";
    case mode::pq_reserved_2: return "MODE_PQ_RESERVED_2";
    case mode::pq_reserved_3: return "MODE_PQ_RESERVED_3";
    case mode::pq_reserved_4: return "MODE_PQ_RESERVED_4";
    }
    return "UNKNOWN";
}

const char* to_string(request_error e) noexcept {
    switch (e) {
    case request_error::ok: return "ok";
    case request_error::not_link_request: return "not_link_request";
    case request_error::bad_size: return "bad_size";
    case request_error::mode_not_enabled: return "mode_not_enabled";
    }
    return "unknown";
}

const char* to_string(proof_error e) noexcept {
    switch (e) {
    case proof_error::ok: return "ok";
    case proof_error::not_link_proof: return "not_link_proof";
    case proof_error::bad_size: return "bad_size";
    case proof_error::mode_mismatch: return "mode_mismatch";
    case proof_error::mode_not_enabled: return "mode_not_enabled";
    case proof_error::bad_signature: return "bad_signature";
    case proof_error::wrong_state: return "wrong_state";
    }
    return "unknown";
}

std::optional<signalling> signalling_bytes(std::uint32_t mtu, mode m) noexcept {
    if (!mode_enabled(m)) {
        return std::nullopt;
    }
    std::uint32_t v = (mtu & mtu_mask) | (((static_cast<std::uint32_t>(m) << 5) & 0xe0) << 16);
    return signalling{static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 8),
                      static_cast<std::uint8_t>(v)};
}

bytes request_data(const crypto::x25519_public& x25519_pub, const crypto::ed25519_public& ed25519_pub,
                   const std::optional<signalling>& sig) {
    if (sig) {
        return concat({x25519_pub, ed25519_pub, *sig});
    }
    return concat({x25519_pub, ed25519_pub});
}

bytes build_request_packet(const hash16& destination_hash, byte_view data) {
    packet_fields f;
    f.flags.type = packet_type::link_request;
    f.flags.dest_type = destination_type::single;
    f.destination_hash = destination_hash;
    f.context = ctx::none;
    f.data = data;
    return build_packet(f);
}

hash16 link_id_of(const packet_view& p) noexcept {
    // Packet.get_hashable_part, then drop the signalling (whatever follows the 64 key bytes).
    byte_view tail = p.hashable_tail();
    if (p.data.size() > ecpub_size) {
        tail = tail.first(tail.size() - (p.data.size() - ecpub_size));
    }
    const std::uint8_t first = static_cast<std::uint8_t>(p.flags_byte & 0x0f);
    return crypto::truncated_hash({byte_view(&first, 1), tail});
}

request_result parse_request(const packet_view& p) noexcept {
    request_result r;
    if (p.flags.type != packet_type::link_request) {
        r.error = request_error::not_link_request;
        return r;
    }
    if (p.data.size() != request_size_plain && p.data.size() != request_size) {
        r.error = request_error::bad_size;
        return r;
    }
    r.fields.peer_x25519 = take<32>(p.data);
    r.fields.peer_ed25519 = take<32>(p.data.subspan(32));
    if (p.data.size() == request_size) {
        auto f = decode_signalling(take<3>(p.data.subspan(ecpub_size)));
        r.fields.signalled_mtu = f.mtu;
        r.fields.link_mode = f.link_mode;
    }
    r.fields.link_id = link_id_of(p);
    if (!mode_enabled(r.fields.link_mode)) {
        r.error = request_error::mode_not_enabled;
    }
    return r;
}

bytes proof_signed_data(const hash16& link_id, const crypto::x25519_public& responder_x25519,
                        const crypto::ed25519_public& destination_ed25519, byte_view sig) {
    return concat({link_id, responder_x25519, destination_ed25519, sig});
}

bytes build_proof_data(const identity& destination_identity, const hash16& link_id,
                       const crypto::x25519_public& responder_x25519, const signalling& sig) {
    bytes signed_data = proof_signed_data(link_id, responder_x25519, destination_identity.ed25519_public(), sig);
    auto signature = destination_identity.sign(signed_data);
    return concat({signature, responder_x25519, sig});
}

bytes build_proof_packet(const hash16& link_id, byte_view proof_data) {
    packet_fields f;
    f.flags.type = packet_type::proof;
    f.flags.dest_type = destination_type::link;
    f.destination_hash = link_id;
    f.context = ctx::lrproof;
    f.data = proof_data;
    return build_packet(f);
}

namespace {

// Signature check shared by the endpoint and the transport: data is 96 or 99 bytes. The signed
// signalling is rebuilt from the parsed MTU and mode, as the reference does (with all 24 bits
// covered by the two fields it equals the received bytes, but a disabled mode cannot be rebuilt).
proof_error check_proof_signature(byte_view data, const hash16& link_id,
                                  const crypto::ed25519_public& destination_ed25519) noexcept {
    byte_array<16 + 32 + 32 + signalling_size> signed_data{};
    std::size_t n = 0;
    for (auto part : {byte_view(link_id), data.subspan(signature_size, 32), byte_view(destination_ed25519)}) {
        std::copy(part.begin(), part.end(), signed_data.begin() + static_cast<std::ptrdiff_t>(n));
        n += part.size();
    }
    if (data.size() == proof_size) {
        auto f = decode_signalling(take<3>(data.subspan(proof_size_plain)));
        auto s = signalling_bytes(f.mtu, f.link_mode);
        if (!s) {
            return proof_error::mode_not_enabled;
        }
        std::copy(s->begin(), s->end(), signed_data.begin() + static_cast<std::ptrdiff_t>(n));
        n += s->size();
    }
    if (!crypto::ed25519_verify(destination_ed25519, byte_view(signed_data).first(n), data.first(signature_size))) {
        return proof_error::bad_signature;
    }
    return proof_error::ok;
}

} // namespace

proof_result validate_proof(byte_view data, const hash16& link_id,
                            const crypto::ed25519_public& destination_ed25519, mode expected_mode) noexcept {
    proof_result r;
    // Link.validate_proof: the mode is read (when present) before the length is judged.
    r.fields.link_mode = data.size() > proof_size_plain ? static_cast<mode>(data[proof_size_plain] >> 5)
                                                        : default_mode;
    if (r.fields.link_mode != expected_mode) {
        r.error = proof_error::mode_mismatch;
        return r;
    }
    if (data.size() != proof_size_plain && data.size() != proof_size) {
        r.error = proof_error::bad_size;
        return r;
    }
    r.fields.responder_x25519 = take<32>(data.subspan(signature_size));
    if (data.size() == proof_size) {
        r.fields.confirmed_mtu = decode_signalling(take<3>(data.subspan(proof_size_plain))).mtu;
    }
    r.error = check_proof_signature(data, link_id, destination_ed25519);
    return r;
}

proof_error verify_proof_in_transit(byte_view data, const hash16& link_id,
                                    const crypto::ed25519_public& destination_ed25519) noexcept {
    if (data.size() != proof_size_plain && data.size() != proof_size) {
        return proof_error::bad_size;
    }
    return check_proof_signature(data, link_id, destination_ed25519);
}

bytes derive_key(const byte_array<32>& shared, const hash16& link_id, mode m) {
    switch (m) {
    case mode::aes128_cbc: return crypto::hkdf(32, shared, link_id);
    case mode::aes256_cbc: return crypto::hkdf(64, shared, link_id);
    default: return {};
    }
}

} // namespace rns::link
