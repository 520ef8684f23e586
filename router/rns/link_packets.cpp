#include "router/rns/link_packets.hpp"

#include "crypto/sha256.hpp"
#include "router/rns/msgpack.hpp"

namespace rns::link {

bytes build_data_packet(const hash16& link_id, std::uint8_t context, byte_view data) {
    packet_fields f;
    f.flags.type = packet_type::data;
    f.flags.dest_type = destination_type::link;
    f.destination_hash = link_id;
    f.context = context;
    f.data = data;
    return build_packet(f);
}

bytes rtt_plaintext(double rtt_seconds) {
    bytes out;
    msgpack::writer(out).float64(rtt_seconds);
    return out;
}

std::optional<double> parse_rtt(byte_view plaintext) noexcept {
    msgpack::reader r(plaintext);
    double v = 0;
    if (!r.read_number(v) || !r.at_end()) {
        return std::nullopt;
    }
    return v;
}

bytes identify_plaintext(const identity& who, const hash16& link_id) {
    auto pub = who.public_key();
    auto sig = who.sign(concat({link_id, pub}));
    return concat({pub, sig});
}

std::optional<identity> parse_identify(byte_view plaintext, const hash16& link_id) {
    if (plaintext.size() != identity_key_size + 64) {
        return std::nullopt;
    }
    byte_view pub = plaintext.first(identity_key_size);
    auto id = identity::from_public_key(pub);
    if (!id || !id->verify(plaintext.subspan(identity_key_size), concat({link_id, pub}))) {
        return std::nullopt;
    }
    return id;
}

bytes request_plaintext(double requested_at, std::string_view path, byte_view packed_data) {
    bytes out;
    msgpack::writer w(out);
    w.array_header(3).float64(requested_at).bin(crypto::truncated_hash(as_bytes(path))).raw(packed_data);
    return out;
}

std::optional<request_view> parse_request_plaintext(byte_view plaintext) noexcept {
    msgpack::reader r(plaintext);
    std::uint32_t n = 0;
    request_view v;
    if (!r.read_array_header(n) || n != 3 || !r.read_number(v.requested_at) || !r.read_bin(v.path_hash)) {
        return std::nullopt;
    }
    std::size_t start = r.position();
    if (!r.skip() || !r.at_end()) {
        return std::nullopt;
    }
    v.packed_data = plaintext.subspan(start);
    return v;
}

hash16 request_id(const packet_view& p) noexcept {
    return take<16>(packet_hash(p));
}

bytes response_plaintext(const hash16& rid, byte_view packed_response) {
    bytes out;
    msgpack::writer w(out);
    w.array_header(2).bin(rid).raw(packed_response);
    return out;
}

std::optional<response_view> parse_response_plaintext(byte_view plaintext) noexcept {
    msgpack::reader r(plaintext);
    std::uint32_t n = 0;
    response_view v;
    if (!r.read_array_header(n) || n != 2 || !r.read_bin(v.request_id)) {
        return std::nullopt;
    }
    std::size_t start = r.position();
    if (!r.skip() || !r.at_end()) {
        return std::nullopt;
    }
    v.packed_response = plaintext.subspan(start);
    return v;
}

bytes packet_proof_data(const hash32& packet_hash_, const ed25519_signature& signature) {
    return concat({packet_hash_, signature});
}

bytes build_packet_proof(const hash16& link_id, byte_view proof_data) {
    packet_fields f;
    f.flags.type = packet_type::proof;
    f.flags.dest_type = destination_type::link;
    f.destination_hash = link_id;
    f.context = ctx::none;
    f.data = proof_data;
    return build_packet(f);
}

bool validate_packet_proof(byte_view proof_data, const hash32& packet_hash_,
                           const crypto::ed25519_public& signer) noexcept {
    if (proof_data.size() != 32 + 64 || !equal(proof_data.first(32), packet_hash_)) {
        return false;
    }
    return crypto::ed25519_verify(signer, packet_hash_, proof_data.subspan(32));
}

} // namespace rns::link
