#pragma once
// Announces (spec §5): build, split, validate, and the HEADER_2 form a transport node re-sends
// (rebroadcast and path response, spec §6.7, §6.9).
//
//   data = public_key(64) ‖ name_hash(10) ‖ random_hash(10) ‖ [ratchet(32) iff context flag]
//          ‖ signature(64) ‖ app_data
//   signed = destination_hash ‖ public_key ‖ name_hash ‖ random_hash ‖ ratchet ‖ app_data

#include "crypto/x25519.hpp"
#include "router/rns/bytes.hpp"
#include "router/rns/identity.hpp"
#include "router/rns/packet.hpp"

#include <optional>

namespace rns {

inline constexpr std::size_t announce_public_key_size = 64;
inline constexpr std::size_t announce_name_hash_size = 10;
inline constexpr std::size_t announce_random_hash_size = 10;
inline constexpr std::size_t announce_ratchet_size = 32;
inline constexpr std::size_t announce_signature_size = 64;
/// Shortest announce data without / with a ratchet (spec §5.1).
inline constexpr std::size_t announce_min_data = 148;
inline constexpr std::size_t announce_min_data_ratchet = 180;
/// Longest signed message validate_announce handles: an announce fits one MTU (spec §5.1).
inline constexpr std::size_t announce_max_signed = 1024;

using random_hash = byte_array<10>;

/// spec §5.1: H(entropy)[0:5] ‖ uint40_be(unix seconds). entropy is the 16 bytes the reference
/// takes from os.urandom (get_random_hash), so vectors can be rebuilt byte-exactly.
[[nodiscard]] random_hash make_random_hash(const byte_array<16>& entropy,
                                           std::uint64_t unix_seconds) noexcept;
/// Same with fresh entropy.
[[nodiscard]] random_hash make_random_hash(std::uint64_t unix_seconds) noexcept;

/// What to announce. The destination hash is derived from name_hash and the identity (spec §3).
struct announce_params {
    hash10 name_hash{};
    random_hash random{};
    std::optional<crypto::x25519_public> ratchet; ///< included with the context flag set
    byte_view app_data;                           ///< empty = none (the wire cannot tell them apart)
    bool path_response = false;                   ///< context PATH_RESPONSE instead of NONE (spec §5.3)
};

/// A HEADER_1, hops 0 announce packet signed by id (which needs its private key). Empty bytes if
/// id has no private key or the packet would exceed the MTU (the reference's pack() raises).
[[nodiscard]] bytes build_announce(const identity& id, const announce_params& params);

/// An announce split into its fields: views into the packet.
struct announce_view {
    byte_view destination_hash;
    byte_view public_key;
    byte_view name_hash;
    byte_view random_hash;
    byte_view ratchet; ///< empty unless the context flag is set
    byte_view signature;
    byte_view app_data;
    /// The reference stores app_data as None when the packet data is not longer than 148 bytes
    /// (the no-ratchet minimum, even for ratchet announces), else as the possibly empty bytes.
    bool app_data_present = false;

    /// random_hash[5:10] as a big-endian integer: when the announce was emitted (spec §5.1).
    [[nodiscard]] std::uint64_t emission_timestamp() const noexcept;
};

/// Why an announce is not valid (spec §5.2).
enum class announce_error : std::uint8_t {
    ok = 0,
    not_announce,         ///< packet type is not ANNOUNCE
    truncated,            ///< data shorter than the layout needs (148, or 180 with the context flag)
    oversize,             ///< signed data longer than announce_max_signed
    blackholed,           ///< identity hash on the blackhole list (spec §6.15)
    bad_signature,        ///< Ed25519 signature does not verify
    destination_mismatch, ///< destination hash != T(name_hash ‖ T(public_key))
    key_collision,        ///< destination already known with a different public key
};
const char* to_string(announce_error e) noexcept;

/// State validate_announce consults (spec §5.2 steps 2 and 5). The blackhole test is a plain
/// function pointer so the hot path needs no allocation.
struct announce_checks {
    /// Stop after the signature (Transport's first call, spec §5.2 step 3).
    bool signature_only = false;
    /// The public key already remembered for this destination hash, if any.
    const byte_array<64>* known_public_key = nullptr;
    bool (*is_blackholed)(const hash16& identity_hash, const void* user) noexcept = nullptr;
    const void* user = nullptr;
};

struct announce_result {
    announce_view announce;
    hash16 identity_hash{}; ///< T(public_key), set once the data has been split
    announce_error error = announce_error::ok;
    explicit operator bool() const noexcept { return error == announce_error::ok; }
};

/// Splits an announce packet by its context flag; only checks type and length.
[[nodiscard]] announce_result split_announce(const packet_view& p) noexcept;

/// spec §5.2 step 3 alone, on an announce split from p: the Ed25519 signature over
/// dest ‖ data-without-signature. ok, oversize or bad_signature.
[[nodiscard]] announce_error verify_announce_signature(const packet_view& p,
                                                       const announce_view& a) noexcept;

/// spec §5.2: split, blackhole, signature, destination hash, collision — in that order.
[[nodiscard]] announce_result validate_announce(const packet_view& p,
                                                const announce_checks& checks = {}) noexcept;

/// Transport.packet_filter for announces: only SINGLE destinations announce; an announce whose
/// destination type bits say PLAIN or GROUP is dropped (announces.json expected.packet_filter).
[[nodiscard]] bool announce_destination_type_allowed(const packet_view& p) noexcept;

/// The announce a transport node sends on from a received one (rebroadcast, spec §6.7; path
/// response with context PATH_RESPONSE, spec §6.9): HEADER_2, TRANSPORT, transport_id, the given
/// hop byte and context, context flag and data kept. in may be HEADER_1 or HEADER_2. Returns the
/// length written, or 0 if in is not an announce, out is too small, or the result exceeds the MTU.
[[nodiscard]] std::size_t write_announce_rebroadcast(byte_view in, std::uint8_t hops,
                                                     const hash16& transport_id,
                                                     std::uint8_t context,
                                                     std::span<std::uint8_t> out) noexcept;

} // namespace rns
