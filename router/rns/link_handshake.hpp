#pragma once
// Link establishment wire formats (spec §7.1-7.3): signalling bytes, link request, link id, link
// proof and key derivation. Pure functions; the link state object (link.hpp) drives them.

#include "crypto/ed25519.hpp"
#include "crypto/x25519.hpp"
#include "router/rns/bytes.hpp"
#include "router/rns/identity.hpp"
#include "router/rns/packet.hpp"

#include <cstdint>
#include <optional>

namespace rns::link {

/// Link encryption modes (spec §7.1). Only AES-256-CBC is enabled in the reference (1.4.2).
enum class mode : std::uint8_t {
    aes128_cbc = 0,
    aes256_cbc = 1,
    aes256_gcm = 2,
    otp_reserved = 3,
    pq_reserved_1 = 4,
    pq_reserved_2 = 5,
    pq_reserved_3 = 6,
    pq_reserved_4 = 7,
};
inline constexpr mode default_mode = mode::aes256_cbc;
[[nodiscard]] constexpr bool mode_enabled(mode m) noexcept { return m == mode::aes256_cbc; }
/// The reference's MODE_DESCRIPTIONS spelling ("AES_256_CBC", "MODE_AES256_GCM", ...).
const char* mode_name(mode m) noexcept;

inline constexpr std::size_t ecpub_size = 64;       ///< X25519 pub ‖ Ed25519 pub
inline constexpr std::size_t signalling_size = 3;   ///< LINK_MTU_SIZE
inline constexpr std::size_t signature_size = 64;
inline constexpr std::uint32_t mtu_mask = 0x1fffff;  ///< 21 bits
inline constexpr std::size_t proof_size_plain = signature_size + 32;                  ///< 96
inline constexpr std::size_t proof_size = proof_size_plain + signalling_size;         ///< 99
inline constexpr std::size_t request_size_plain = ecpub_size;                         ///< 64
inline constexpr std::size_t request_size = ecpub_size + signalling_size;             ///< 67

using signalling = byte_array<signalling_size>;

/// spec §7.1: 3 low bytes of (mtu & 0x1FFFFF) | (mode << 5) << 16. nullopt for a mode that is not
/// enabled (the reference raises).
[[nodiscard]] std::optional<signalling> signalling_bytes(std::uint32_t mtu, mode m) noexcept;

struct signalling_fields {
    std::uint32_t mtu = 0;
    mode link_mode = default_mode;
};
/// Reads MTU (21 bits) and mode (top 3 bits) back from 3 signalling bytes.
[[nodiscard]] constexpr signalling_fields decode_signalling(const signalling& s) noexcept {
    return {((std::uint32_t{s[0]} << 16) | (std::uint32_t{s[1]} << 8) | s[2]) & mtu_mask,
            static_cast<mode>(s[0] >> 5)};
}

/// Link MDU for a link MTU (spec §1.2): floor((mtu − 1 − 19 − 48) / 16) · 16 − 1.
[[nodiscard]] constexpr std::size_t mdu_for_mtu(std::size_t link_mtu) noexcept {
    return link_mtu < 68 ? 0 : ((link_mtu - 1 - 19 - 48) / 16) * 16 - 1;
}

// ---------------------------------------------------------------------------------------------
// Link request (spec §7.1)

/// The request data: initiator X25519 pub ‖ Ed25519 pub [‖ signalling].
[[nodiscard]] bytes request_data(const crypto::x25519_public& x25519_pub,
                                 const crypto::ed25519_public& ed25519_pub,
                                 const std::optional<signalling>& sig);

/// A LINKREQUEST packet (HEADER_1, SINGLE) to destination_hash carrying request_data.
[[nodiscard]] bytes build_request_packet(const hash16& destination_hash, byte_view request_data);

enum class request_error : std::uint8_t {
    ok = 0,
    not_link_request, ///< packet type is not LINKREQUEST
    bad_size,         ///< data is neither 64 nor 67 bytes
    mode_not_enabled, ///< signalled mode is not enabled (the reference fails when proving)
};
const char* to_string(request_error e) noexcept;

struct request_fields {
    crypto::x25519_public peer_x25519{};
    crypto::ed25519_public peer_ed25519{};
    std::optional<std::uint32_t> signalled_mtu; ///< present iff 67 bytes (may be 0: the link then uses 500)
    mode link_mode = default_mode;
    hash16 link_id{};
};

struct request_result {
    request_fields fields;
    request_error error = request_error::ok;
    explicit operator bool() const noexcept { return error == request_error::ok; }
};

/// Validates a received link request (Link.validate_request) and computes its link id.
[[nodiscard]] request_result parse_request(const packet_view& p) noexcept;

/// spec §7.1: T(hashable part minus the trailing len(data) − 64 bytes). Independent of hops,
/// header type, transport id and signalling.
[[nodiscard]] hash16 link_id_of(const packet_view& link_request) noexcept;

// ---------------------------------------------------------------------------------------------
// Link proof (spec §7.2)

/// link_id ‖ responder X25519 pub ‖ destination Ed25519 pub ‖ signalling (signalling may be empty
/// for the 96-byte form).
[[nodiscard]] bytes proof_signed_data(const hash16& link_id, const crypto::x25519_public& responder_x25519,
                                      const crypto::ed25519_public& destination_ed25519, byte_view sig);

/// signature(64) ‖ responder X25519 pub(32) ‖ signalling(3), signed by the destination identity.
[[nodiscard]] bytes build_proof_data(const identity& destination_identity, const hash16& link_id,
                                     const crypto::x25519_public& responder_x25519, const signalling& sig);

/// PROOF, context LRPROOF, destination type LINK, HEADER_1, dest = link_id.
[[nodiscard]] bytes build_proof_packet(const hash16& link_id, byte_view proof_data);

enum class proof_error : std::uint8_t {
    ok = 0,
    not_link_proof, ///< not a PROOF with context LRPROOF
    bad_size,       ///< neither 96 nor 99 bytes (the reference ignores such proofs)
    mode_mismatch,  ///< signalled mode differs from the link's (the reference closes the link)
    mode_not_enabled, ///< in transit: signalled mode not enabled (the reference fails to rebuild it)
    bad_signature,
    wrong_state,    ///< the link is not waiting for a proof (initiator, PENDING)
};
const char* to_string(proof_error e) noexcept;

struct proof_fields {
    crypto::x25519_public responder_x25519{};
    std::optional<std::uint32_t> confirmed_mtu; ///< present in the 99-byte form
    mode link_mode = default_mode;
};

struct proof_result {
    proof_fields fields;
    proof_error error = proof_error::ok;
    explicit operator bool() const noexcept { return error == proof_error::ok; }
};

/// Link.validate_proof: checks the proof data against the link id, the destination's Ed25519 key
/// and the mode the initiator asked for.
[[nodiscard]] proof_result validate_proof(byte_view proof_data, const hash16& link_id,
                                          const crypto::ed25519_public& destination_ed25519,
                                          mode expected_mode) noexcept;

/// The check a transport node makes before forwarding an LRPROOF along the link table (spec §6.10,
/// Transport.inbound): 96 or 99 bytes, signalling rebuilt from the proof's own MTU and mode, and
/// the signature valid for the destination's Ed25519 key. No mode expectation.
[[nodiscard]] proof_error verify_proof_in_transit(byte_view proof_data, const hash16& link_id,
                                                  const crypto::ed25519_public& destination_ed25519) noexcept;

// ---------------------------------------------------------------------------------------------
// Keys (spec §7.3)

/// HKDF(64 for AES-256, 32 for AES-128, ikm = shared, salt = link_id). Empty for other modes.
[[nodiscard]] bytes derive_key(const byte_array<32>& shared, const hash16& link_id, mode m);

} // namespace rns::link
