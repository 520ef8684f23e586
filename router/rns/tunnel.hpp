#pragma once
// Tunnel synthesis (spec §6.14): a DATA packet, PLAIN, HEADER_1, BROADCAST, context NONE, to
// rnstransport.tunnel.synthesize, sent by a client interface on (re)connection. Data:
//
//   public_key(64) ‖ interface_hash(32) ‖ random_hash(16) ‖ signature(64)     = 176 bytes
//
//   public_key     = the sender's transport identity public key (spec §2.1 order)
//   interface_hash = H(utf8(str(interface))) of the sender's own interface
//   signature      = Ed25519 over the first 112 bytes (spec §2.2)
//   tunnel_id      = H(public_key ‖ interface_hash)

#include "router/rns/bytes.hpp"
#include "router/rns/identity.hpp"
#include "router/rns/packet.hpp"

#include <span>

namespace rns {

inline constexpr std::size_t tunnel_public_key_size = 64;
inline constexpr std::size_t tunnel_interface_hash_size = 32;
inline constexpr std::size_t tunnel_random_hash_size = 16;
inline constexpr std::size_t tunnel_signature_size = 64;
/// The signed part: public key ‖ interface hash ‖ random hash.
inline constexpr std::size_t tunnel_signed_size =
    tunnel_public_key_size + tunnel_interface_hash_size + tunnel_random_hash_size;
inline constexpr std::size_t tunnel_synthesize_data_size = tunnel_signed_size + tunnel_signature_size;
inline constexpr std::size_t tunnel_synthesize_packet_size = header_minsize + tunnel_synthesize_data_size;

enum class tunnel_error : std::uint8_t {
    ok = 0,
    wrong_length,  ///< data is not exactly 176 bytes
    bad_signature, ///< the signature does not verify with the carried public key
};
[[nodiscard]] const char* to_string(tunnel_error e) noexcept;

struct tunnel_synthesis {
    byte_array<64> public_key{};
    hash32 interface_hash{};
    hash16 random_hash{};
    hash32 tunnel_id{}; ///< H(public_key ‖ interface_hash)
};

struct tunnel_result {
    tunnel_synthesis tunnel;
    tunnel_error error = tunnel_error::ok;
    explicit operator bool() const noexcept { return error == tunnel_error::ok; }
};

/// tunnel_id = H(public_key ‖ interface_hash) (spec §6.14).
[[nodiscard]] hash32 tunnel_id_of(const byte_array<64>& public_key, const hash32& interface_hash) noexcept;

/// Verifies a synthesis packet's data as the receiver does (spec §6.14): exact length, then the
/// signature over the first 112 bytes with the carried public key.
[[nodiscard]] tunnel_result verify_tunnel_synthesis(byte_view data) noexcept;

/// True for a DATA packet to PLAIN rnstransport.tunnel.synthesize (spec §6.16).
[[nodiscard]] bool is_tunnel_synthesize(const packet_view& p) noexcept;

/// The 176 data bytes, signed with the transport identity `signer` (which needs its private key).
[[nodiscard]] byte_array<tunnel_synthesize_data_size>
tunnel_synthesis_data(const identity& signer, const hash32& interface_hash, const hash16& random_hash) noexcept;

/// The whole packet (HEADER_1, BROADCAST, PLAIN, DATA, hops 0, context NONE).
[[nodiscard]] bytes build_tunnel_synthesize(const identity& signer, const hash32& interface_hash,
                                            const hash16& random_hash);

} // namespace rns
