#pragma once
// Payloads and packets of an established link (spec §7.4): RTT, keepalive, LINKCLOSE,
// LINKIDENTIFY, REQUEST/RESPONSE (msgpack) and link packet proofs. Encryption is the link's
// Token (spec §7.3); these helpers build and read the plaintexts and the unencrypted packets.

#include "crypto/ed25519.hpp"
#include "router/rns/bytes.hpp"
#include "router/rns/identity.hpp"
#include "router/rns/packet.hpp"

#include <optional>
#include <string_view>

namespace rns::link {

/// Keepalive payloads (unencrypted, context KEEPALIVE): the initiator sends 0xFF, the responder
/// answers 0xFE.
inline constexpr std::uint8_t keepalive_request = 0xff;
inline constexpr std::uint8_t keepalive_response = 0xfe;

/// A DATA packet to a link (HEADER_1, destination type LINK) carrying data as given.
[[nodiscard]] bytes build_data_packet(const hash16& link_id, std::uint8_t context, byte_view data);

/// RTT plaintext: msgpack float64 of the RTT in seconds (umsgpack.packb(float)).
[[nodiscard]] bytes rtt_plaintext(double rtt_seconds);
/// Any msgpack number (the reference unpacks whatever arrives); nullopt otherwise.
[[nodiscard]] std::optional<double> parse_rtt(byte_view plaintext) noexcept;

/// LINKIDENTIFY plaintext: public_key(64) ‖ sign(link_id ‖ public_key)(64).
[[nodiscard]] bytes identify_plaintext(const identity& who, const hash16& link_id);
/// The identity proven by a LINKIDENTIFY plaintext; nullopt on wrong length or bad signature.
[[nodiscard]] std::optional<identity> parse_identify(byte_view plaintext, const hash16& link_id);

/// REQUEST plaintext: msgpack [requested_at (float64), T(utf8(path)) (bin16), data]. packed_data
/// is data already msgpack-encoded (nil is c0).
[[nodiscard]] bytes request_plaintext(double requested_at, std::string_view path, byte_view packed_data);

struct request_view {
    double requested_at = 0;
    byte_view path_hash;  ///< normally 16 bytes
    byte_view packed_data; ///< the msgpack encoding of data (a view into the plaintext)
};
/// Reads a REQUEST plaintext; nullopt unless it is an array of 3 with a number, a bin and a value.
[[nodiscard]] std::optional<request_view> parse_request_plaintext(byte_view plaintext) noexcept;

/// Request id: the truncated hash of the request packet (spec §7.4).
[[nodiscard]] hash16 request_id(const packet_view& request_packet) noexcept;

/// RESPONSE plaintext: msgpack [request_id (bin16), response] with response already encoded.
[[nodiscard]] bytes response_plaintext(const hash16& request_id, byte_view packed_response);

struct response_view {
    byte_view request_id;
    byte_view packed_response;
};
[[nodiscard]] std::optional<response_view> parse_response_plaintext(byte_view plaintext) noexcept;

/// Link packet proof data: packet_hash(32) ‖ sign(packet_hash)(64) (always explicit on links).
[[nodiscard]] bytes packet_proof_data(const hash32& packet_hash, const ed25519_signature& signature);
/// PROOF packet to the link id (destination type LINK, context NONE, unencrypted).
[[nodiscard]] bytes build_packet_proof(const hash16& link_id, byte_view proof_data);
/// Checks a link packet proof against the proved packet's hash and the signer's key.
[[nodiscard]] bool validate_packet_proof(byte_view proof_data, const hash32& packet_hash,
                                         const crypto::ed25519_public& signer) noexcept;

} // namespace rns::link
