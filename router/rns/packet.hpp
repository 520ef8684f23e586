#pragma once
// The Reticulum packet codec (spec §4): flag byte, HEADER_1/HEADER_2 layout, contexts, packet
// hashes, and the header rewrites a transport node performs (spec §6.4, §6.8). Non-allocating:
// parse returns views into the caller's buffer; rewrites write into a caller-provided buffer.

#include "router/rns/bytes.hpp"

#include <cstdint>

namespace rns {

// spec §4.1 flag byte fields
enum class header_type : std::uint8_t { header_1 = 0, header_2 = 1 };
enum class transport_type : std::uint8_t { broadcast = 0, transport = 1 };
enum class destination_type : std::uint8_t { single = 0, group = 1, plain = 2, link = 3 };
enum class packet_type : std::uint8_t { data = 0, announce = 1, link_request = 2, proof = 3 };

// spec §4.3 context byte values
namespace ctx {
inline constexpr std::uint8_t none = 0x00;
inline constexpr std::uint8_t resource = 0x01;
inline constexpr std::uint8_t resource_adv = 0x02;
inline constexpr std::uint8_t resource_req = 0x03;
inline constexpr std::uint8_t resource_hmu = 0x04;
inline constexpr std::uint8_t resource_prf = 0x05;
inline constexpr std::uint8_t resource_icl = 0x06;
inline constexpr std::uint8_t resource_rcl = 0x07;
inline constexpr std::uint8_t cache_request = 0x08;
inline constexpr std::uint8_t request = 0x09;
inline constexpr std::uint8_t response = 0x0a;
inline constexpr std::uint8_t path_response = 0x0b;
inline constexpr std::uint8_t command = 0x0c;
inline constexpr std::uint8_t command_status = 0x0d;
inline constexpr std::uint8_t channel = 0x0e;
inline constexpr std::uint8_t keepalive = 0xfa;
inline constexpr std::uint8_t link_identify = 0xfb;
inline constexpr std::uint8_t link_close = 0xfc;
inline constexpr std::uint8_t link_proof = 0xfd;
inline constexpr std::uint8_t lrrtt = 0xfe;
inline constexpr std::uint8_t lrproof = 0xff;
} // namespace ctx

/// Name of a context byte as the reference spells it ("NONE", "LRPROOF", ...); "UNKNOWN" otherwise.
const char* context_name(std::uint8_t context) noexcept;

// spec §1.2
inline constexpr std::size_t mtu = 500;
inline constexpr std::size_t header_minsize = 19;
inline constexpr std::size_t header_maxsize = 35;
inline constexpr std::size_t plain_mdu = 464;
inline constexpr std::size_t encrypted_mdu = 383;
inline constexpr std::uint8_t pathfinder_max_hops = 128; ///< spec §1.3 PATHFINDER_M

/// The decoded flag byte (spec §4.1).
struct packet_flags {
    bool ifac = false;
    header_type header = header_type::header_1;
    bool context_flag = false;
    transport_type transport = transport_type::broadcast;
    destination_type dest_type = destination_type::single;
    packet_type type = packet_type::data;

    [[nodiscard]] static constexpr packet_flags decode(std::uint8_t b) noexcept {
        return {(b & 0x80) != 0,
                static_cast<header_type>((b >> 6) & 1),
                ((b >> 5) & 1) != 0,
                static_cast<transport_type>((b >> 4) & 1),
                static_cast<destination_type>((b >> 2) & 3),
                static_cast<packet_type>(b & 3)};
    }
    [[nodiscard]] constexpr std::uint8_t encode() const noexcept {
        return static_cast<std::uint8_t>((ifac ? 0x80 : 0) | (static_cast<int>(header) << 6) |
                                         (context_flag ? 0x20 : 0) |
                                         (static_cast<int>(transport) << 4) |
                                         (static_cast<int>(dest_type) << 2) | static_cast<int>(type));
    }
};

/// Why a buffer is not a packet.
enum class parse_error : std::uint8_t {
    ok = 0,
    too_short,        ///< fewer bytes than the header needs (19 for HEADER_1, 35 for HEADER_2)
    oversize,         ///< more bytes than the caller's size limit
    ifac_flag_set,    ///< bit 7 still set: IFAC not stripped (spec §9.3)
    hop_limit,        ///< hop byte >= 128 (PATHFINDER_M): the reference's unpack drops it (spec §4.2)
};
const char* to_string(parse_error e) noexcept;

/// A parsed packet: views into the raw buffer it was parsed from (which must outlive it).
struct packet_view {
    byte_view raw;
    std::uint8_t flags_byte = 0;
    packet_flags flags;
    std::uint8_t hops = 0;
    byte_view transport_id;     ///< 16 bytes for HEADER_2, empty for HEADER_1
    byte_view destination_hash; ///< 16 bytes
    std::uint8_t context = 0;
    byte_view data;             ///< may be empty

    [[nodiscard]] bool is_header_2() const noexcept { return flags.header == header_type::header_2; }
    /// The bytes the packet hash covers after the masked flag nibble (spec §4.5).
    [[nodiscard]] byte_view hashable_tail() const noexcept {
        return raw.subspan(is_header_2() ? 18 : 2);
    }
};

struct parse_result {
    packet_view packet;
    parse_error error = parse_error::ok;
    explicit operator bool() const noexcept { return error == parse_error::ok; }
};

/// What the parser does with flag bit 7 (the IFAC flag, spec §9.3).
enum class ifac_bit : std::uint8_t {
    reject, ///< router default: IFAC is stripped (bit cleared) before parsing, so a set bit is an error
    ignore, ///< the reference's Packet.unpack: bit 7 is not looked at (vectors' flags_matrix)
};

/// Parses raw (IFAC already stripped). Never reads past raw. max_size = 0 disables the size
/// check (the reference does not enforce the MTU in unpack: link MTUs may be larger, spec §4.2).
/// A hop byte >= 128 is rejected like the reference's unpack does (spec §4.2, packets.json
/// unpack_invalid).
[[nodiscard]] parse_result parse_packet(byte_view raw, std::size_t max_size = 0,
                                        ifac_bit ifac = ifac_bit::reject) noexcept;

/// spec §4.5: H((flags & 0x0F) ‖ raw[2:] or raw[18:]).
[[nodiscard]] hash32 packet_hash(const packet_view& p) noexcept;
/// The hashable part as bytes (for tests and tools).
[[nodiscard]] bytes hashable_part(const packet_view& p);

/// Fields of a packet to build.
struct packet_fields {
    packet_flags flags;
    std::uint8_t hops = 0;
    hash16 transport_id{}; ///< used iff flags.header == header_2
    hash16 destination_hash{};
    std::uint8_t context = ctx::none;
    byte_view data;
};

/// Serialises into out; returns the length, or 0 if out is too small.
[[nodiscard]] std::size_t write_packet(const packet_fields& f, std::span<std::uint8_t> out) noexcept;
[[nodiscard]] bytes build_packet(const packet_fields& f);

// Transport rewrites. Each writes the new packet into out (which must not alias in) and returns its
// length, or 0 if out is too small or in is not a parseable packet of the needed header type.

/// spec §6.8: HEADER_1 → HEADER_2 for a multi-hop path: flags = (1<<6)|(TRANSPORT<<4)|(flags&0x0F),
/// then hops, next_hop, raw[2:]. This clears the context flag; announces a transport re-sends keep
/// it and use write_announce_rebroadcast (announce.hpp) instead.
[[nodiscard]] std::size_t insert_transport(byte_view in, const hash16& next_hop,
                                           std::span<std::uint8_t> out) noexcept;
/// spec §6.4 remaining > 1: keep flags, write hops, replace the transport id with next_hop.
[[nodiscard]] std::size_t replace_transport(byte_view in, std::uint8_t hops, const hash16& next_hop,
                                            std::span<std::uint8_t> out) noexcept;
/// spec §6.4 remaining == 1: strip to HEADER_1 BROADCAST, flags = flags & 0x0F, write hops.
[[nodiscard]] std::size_t strip_transport(byte_view in, std::uint8_t hops,
                                          std::span<std::uint8_t> out) noexcept;

} // namespace rns
