#pragma once
// Packet proofs (spec §8): a PROOF packet addressed to the truncated hash of the packet it proves.
//
//   implicit: data = signature(packet_hash)                    64 bytes (the default)
//   explicit: data = packet_hash(32) ‖ signature(packet_hash)  96 bytes
//
// Link request proofs (LRPROOF) and proofs on links are link business (link.hpp).

#include "crypto/ed25519.hpp"
#include "router/rns/bytes.hpp"
#include "router/rns/identity.hpp"
#include "router/rns/packet.hpp"

#include <optional>

namespace rns {

inline constexpr std::size_t implicit_proof_size = 64;
inline constexpr std::size_t explicit_proof_size = 96;
/// A proof packet: HEADER_1 header + explicit proof.
inline constexpr std::size_t proof_max_packet = header_minsize + explicit_proof_size;

/// Why a proof does not prove a packet.
enum class proof_error : std::uint8_t {
    ok = 0,
    bad_length,    ///< neither 64 nor 96 bytes of data
    hash_mismatch, ///< explicit proof for another packet hash
    bad_signature, ///< signature does not verify with the destination's key
};
const char* to_string(proof_error e) noexcept;

/// A proof's data split: packet_hash is empty for an implicit proof.
struct proof_view {
    byte_view packet_hash;
    byte_view signature;
};
[[nodiscard]] std::optional<proof_view> split_proof(byte_view data) noexcept;

/// Writes the proof packet for a packet with the given hash, signed by id (the proved packet's
/// destination identity): HEADER_1, SINGLE, PROOF, context NONE, hops 0, destination =
/// packet_hash[0:16]. Returns the length, 0 if out is too small or id has no private key.
[[nodiscard]] std::size_t write_proof(const identity& id, const hash32& packet_hash,
                                      bool explicit_proof, std::span<std::uint8_t> out) noexcept;
[[nodiscard]] bytes build_proof(const identity& id, const hash32& packet_hash, bool explicit_proof);

/// PacketReceipt validation (spec §8): explicit proofs must name packet_hash; both forms must
/// carry a valid signature of packet_hash by signer.
[[nodiscard]] proof_error validate_proof(byte_view proof_data, const hash32& packet_hash,
                                         const crypto::ed25519_public& signer) noexcept;

} // namespace rns
