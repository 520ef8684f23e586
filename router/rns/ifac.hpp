#pragma once
// Interface Access Codes (spec §9): a per-interface shared secret authenticates every packet with
// the tail of an Ed25519 signature and masks the header and payload.
//
// Packet path (apply / verify) works in caller buffers: no allocation, no exception. The mask is
// HKDF output generated block by block, so no packet-sized scratch buffer is needed either.

#include "router/rns/bytes.hpp"
#include "router/rns/identity.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

namespace rns::ifac {

/// IFAC_SALT (spec §1.2, §9.1).
inline constexpr byte_array<32> salt{0xad, 0xf5, 0x4d, 0x88, 0x2c, 0x9a, 0x9b, 0x80, 0x77, 0x1e, 0xb4,
                                     0x99, 0x5d, 0x70, 0x2d, 0x4a, 0x3e, 0x73, 0x33, 0x91, 0xb2, 0xa0,
                                     0xf5, 0x3f, 0x41, 0x6d, 0x9f, 0x90, 0x7e, 0x55, 0xcf, 0xf8};

inline constexpr std::size_t min_size = 1;  ///< IFAC_MIN_SIZE (8 bits)
inline constexpr std::size_t max_size = 64; ///< a whole Ed25519 signature
/// Default sizes (spec §9.4).
inline constexpr std::size_t default_size_stream = 16; ///< TCP, Backbone, UDP, Auto, I2P
inline constexpr std::size_t default_size_serial = 8;  ///< Serial, KISS, RNode, Pipe

/// The interface's IFAC size from the configured `ifac_size` in bits (spec §9.1): bits / 8 when at
/// least 8 bits are configured, else the interface default. (Sizes above 64 bytes cannot work, as
/// the code is cut from a 64-byte signature; key::derive refuses them.)
[[nodiscard]] constexpr std::size_t size_from_config_bits(long long bits, std::size_t interface_default) noexcept {
    return bits >= static_cast<long long>(min_size * 8) ? static_cast<std::size_t>(bits / 8) : interface_default;
}

/// Why an inbound packet was dropped by the IFAC check (spec §9.3).
enum class verdict : std::uint8_t {
    ok = 0,
    too_short,     ///< 2 bytes or less: dropped on every interface
    flag_clear,    ///< IFAC interface, bit 7 clear
    flag_set,      ///< interface without IFAC, bit 7 set
    no_room,       ///< IFAC interface, length <= 2 + ifac_size
    mismatch,      ///< the recomputed access code differs
    out_too_small, ///< caller's output buffer cannot hold the result
};
const char* to_string(verdict v) noexcept;

/// origin = [H(network_name)] ‖ [H(passphrase)] (spec §9.1); empty when neither is given.
[[nodiscard]] bytes origin(std::optional<std::string_view> network_name,
                           std::optional<std::string_view> passphrase);

/// The IFAC state of one interface: key, signing identity and size.
class key {
  public:
    /// spec §9.1. nullopt if neither network_name nor passphrase is given, or size is outside
    /// [min_size, max_size]. (The reference's config parser treats empty strings as absent; the
    /// caller decides that.)
    [[nodiscard]] static std::optional<key> derive(std::optional<std::string_view> network_name,
                                                   std::optional<std::string_view> passphrase,
                                                   std::size_t size);
    /// From an already derived 64-byte ifac_key.
    [[nodiscard]] static std::optional<key> from_ifac_key(const byte_array<64>& ifac_key, std::size_t size);

    [[nodiscard]] std::size_t size() const noexcept { return _size; }
    [[nodiscard]] const byte_array<64>& ifac_key() const noexcept { return _key; }
    [[nodiscard]] const identity& ifac_identity() const noexcept { return _identity; }
    /// sign(H(ifac_key)): what the reference publishes in interface stats (not used on the wire).
    [[nodiscard]] ed25519_signature published_signature() const noexcept;

    /// The access code of raw: the last size() bytes of its signature, written to code[0:size()].
    void compute_code(byte_view raw, std::span<std::uint8_t> code) const noexcept;

    /// Transmit side (spec §9.2): writes raw with IFAC into out; returns raw.size() + size(), or 0
    /// when raw is 2 bytes or less or out is too small. out may alias raw (in-place, with room).
    [[nodiscard]] std::size_t apply(byte_view raw, std::span<std::uint8_t> out) const noexcept;

    /// Receive side (spec §9.3): verifies wire and writes the packet without IFAC into out (which
    /// needs wire.size() bytes of room and may alias wire); out_len is set on ok.
    [[nodiscard]] verdict verify(byte_view wire, std::span<std::uint8_t> out,
                                 std::size_t& out_len) const noexcept;

  private:
    key(const byte_array<64>& k, std::size_t size, identity id);
    byte_array<64> _key;
    std::size_t _size;
    identity _identity;
};

/// Receive side of an interface without IFAC (spec §9.3): ok unless too short or bit 7 set.
[[nodiscard]] verdict check_plain(byte_view wire) noexcept;

/// HKDF-SHA256(ikm, salt, empty info) output produced 32 bytes at a time (spec §2.3), so the IFAC
/// mask of any packet length needs no buffer. next() returns successive output bytes.
class mask_stream {
  public:
    mask_stream(byte_view ikm, byte_view salt) noexcept;
    ~mask_stream();
    mask_stream(const mask_stream&) = delete;
    mask_stream& operator=(const mask_stream&) = delete;
    [[nodiscard]] std::uint8_t next() noexcept {
        if (_pos == _block.size()) {
            refill();
        }
        return _block[_pos++];
    }

  private:
    void refill() noexcept;
    hash32 _prk;
    hash32 _block{};
    std::size_t _pos;
    std::uint8_t _counter = 0;
    bool _started = false;
};

} // namespace rns::ifac
