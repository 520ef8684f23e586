// Packet proofs (spec §8).

#include "router/rns/proof.hpp"

#include <cstring>

namespace rns {

namespace {
constexpr std::size_t hash_len = 32;
}

const char* to_string(proof_error e) noexcept {
    switch (e) {
    case proof_error::ok: return "ok";
    case proof_error::bad_length: return "proof is neither 64 nor 96 bytes";
    case proof_error::hash_mismatch: return "explicit proof names another packet";
    case proof_error::bad_signature: return "invalid proof signature";
    }
    return "unknown";
}

std::optional<proof_view> split_proof(byte_view data) noexcept {
    if (data.size() == explicit_proof_size) {
        return proof_view{data.first(hash_len), data.subspan(hash_len)};
    }
    if (data.size() == implicit_proof_size) {
        return proof_view{{}, data};
    }
    return std::nullopt;
}

std::size_t write_proof(const identity& id, const hash32& packet_hash, bool explicit_proof,
                        std::span<std::uint8_t> out) noexcept {
    if (!id.has_private_key()) {
        return 0;
    }
    const ed25519_signature sig = id.sign(packet_hash);
    std::array<std::uint8_t, explicit_proof_size> data{};
    std::size_t n = 0;
    if (explicit_proof) {
        std::memcpy(data.data(), packet_hash.data(), hash_len);
        n = hash_len;
    }
    std::memcpy(data.data() + n, sig.data(), sig.size());
    n += sig.size();

    packet_fields f;
    f.flags.type = packet_type::proof;
    f.flags.dest_type = destination_type::single;
    f.destination_hash = take<16>(packet_hash);
    f.data = byte_view(data).first(n);
    return write_packet(f, out);
}

bytes build_proof(const identity& id, const hash32& packet_hash, bool explicit_proof) {
    bytes out(proof_max_packet);
    out.resize(write_proof(id, packet_hash, explicit_proof, out));
    return out;
}

proof_error validate_proof(byte_view proof_data, const hash32& packet_hash,
                           const crypto::ed25519_public& signer) noexcept {
    const auto p = split_proof(proof_data);
    if (!p) {
        return proof_error::bad_length;
    }
    if (!p->packet_hash.empty() && !equal(p->packet_hash, packet_hash)) {
        return proof_error::hash_mismatch;
    }
    if (!crypto::ed25519_verify(signer, packet_hash, p->signature)) {
        return proof_error::bad_signature;
    }
    return proof_error::ok;
}

} // namespace rns
