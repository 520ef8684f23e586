#pragma once
// The router–sidecar link (drivers/rnode_sidecar/LINK_PROTOCOL.md): one message per
// SOCK_SEQPACKET datagram, header "RS" ‖ version ‖ type, big-endian fields. Encoding and decoding
// only; no I/O. The decoder accepts any byte string and never reads past it.

#include "router/rns/bytes.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace sidecar_link {

inline constexpr std::uint8_t version = 1;
inline constexpr std::uint8_t magic0 = 'R';
inline constexpr std::uint8_t magic1 = 'S';
inline constexpr std::size_t header_size = 4;
/// Largest packet either way (RNode HW MTU, spec/rnode.md §1.6).
inline constexpr std::size_t max_packet = 508;
/// Largest datagram a peer has to accept.
inline constexpr std::size_t max_message = 2048;
/// Longest passphrase or refusal reason (16-bit length fields).
inline constexpr std::size_t max_text = 1024;

enum class msg_type : std::uint8_t {
    hello = 1,      ///< sidecar → router: registration
    welcome = 2,    ///< router → sidecar: registration accepted
    refuse = 3,     ///< router → sidecar: registration refused, with the reason
    packet_in = 4,  ///< sidecar → router: a packet heard on the radio
    packet_out = 5, ///< router → sidecar: a packet to transmit
    stats = 6,      ///< sidecar → router: radio state and counters
};

/// Interface modes (spec/reticulum.md interface modes; same numbering as the reference's
/// Interface.MODE_* values).
enum class iface_mode : std::uint8_t {
    full = 0x01,
    point_to_point = 0x02,
    access_point = 0x03,
    roaming = 0x04,
    boundary = 0x05,
    gateway = 0x06,
};

struct hello {
    std::string name;
    iface_mode mode = iface_mode::full;
    std::uint64_t bitrate_mbps = 0; ///< interface bitrate in milli-bit/s (spec/rnode.md §5.2)
    std::uint16_t hw_mtu = max_packet;
    std::uint8_t ifac_size = 0;     ///< IFAC size in bytes, 0 = no IFAC
    std::string netname;
    std::string netkey;
    bool operator==(const hello&) const = default;
};

struct welcome {
    std::uint32_t interface_id = 0;
    bool operator==(const welcome&) const = default;
};

struct refuse {
    std::string reason;
    bool operator==(const refuse&) const = default;
};

struct packet_in {
    std::int16_t rssi_dbm = 0;
    std::int16_t snr_q = 0; ///< SNR × 4 (dB in quarter steps, spec/rnode.md §2.4)
    rns::bytes payload;
    bool operator==(const packet_in&) const = default;
};

struct packet_out {
    rns::bytes payload;
    bool operator==(const packet_out&) const = default;
};

/// Counter keys of a stats message. Unknown keys are skipped by the decoder (forward compatible).
enum class stat_key : std::uint8_t {
    radio_online = 1,        ///< 1 while the radio is configured and online
    bitrate_mbps = 2,        ///< spec/rnode.md §5.2 from the echoed values, milli-bit/s
    rx_packets = 3,
    rx_bytes = 4,
    tx_packets = 5,
    tx_bytes = 6,
    last_rssi_dbm = 7,
    last_snr_q = 8,
    airtime_short_centi = 9, ///< own airtime, 15 s window, % × 100 (STAT_CHTM)
    airtime_long_centi = 10,
    channel_load_short_centi = 11,
    channel_load_long_centi = 12,
    noise_floor_dbm = 13,
    interference_dbm = 14,   ///< 0 when none reported
    csma_band = 15,
    csma_min = 16,
    csma_max = 17,
    battery_state = 18,
    battery_percent = 19,
    radio_errors = 20,       ///< ERROR frames of any code
    memory_low_errors = 21,
    modem_timeout_errors = 22,
    reconnects = 23,         ///< radio start-ups completed after the first
    startup_failures = 24,
    drops_offline = 25,      ///< packets from the router dropped while the radio was offline
    drops_router_away = 26,  ///< radio packets dropped while the router was away
    drops_oversize = 27,     ///< packets from the router over 508 bytes or empty
    drops_queue_full = 28,   ///< flow-control queue full
    garbage_bytes = 29,
    bad_frames = 30,         ///< unknown or malformed frames from the radio
    partial_timeouts = 31,
    phy_symbol_time_us = 32,
    phy_preamble_symbols = 33,
    phy_csma_slot_ms = 34,
    phy_difs_ms = 35,
    temperature_c = 36,
};
inline constexpr std::uint8_t stat_key_max = 36;
[[nodiscard]] const char* stat_name(stat_key k) noexcept;

struct stat_entry {
    stat_key key;
    std::int64_t value;
    bool operator==(const stat_entry&) const = default;
};
struct stats {
    std::vector<stat_entry> entries;
    bool operator==(const stats&) const = default;
};

using message = std::variant<hello, welcome, refuse, packet_in, packet_out, stats>;

enum class decode_error : std::uint8_t {
    too_short,
    bad_magic,
    version_mismatch,
    unknown_type,
    truncated,
    trailing_bytes,
    bad_value, ///< a field out of its range (empty/oversize packet, unknown mode, …)
};
[[nodiscard]] const char* to_string(decode_error e) noexcept;

struct decoded {
    std::optional<message> msg;
    decode_error error = decode_error::too_short; ///< meaningful when msg is empty
    std::uint8_t peer_version = 0;                ///< the header's version byte (when present)
};

[[nodiscard]] rns::bytes encode(const message& m);
/// Decodes one datagram. Never throws, never reads outside data.
[[nodiscard]] decoded decode(rns::byte_view data);

} // namespace sidecar_link
