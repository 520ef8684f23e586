#pragma once
// A small reader for classic pcap files (not pcapng) and the UDP payloads inside them, for the
// conformance suite (capture_*.json) and replay tools. Link types: Ethernet (1, with 802.1Q
// tags), BSD loopback (0), raw IP (101), Linux cooked SLL (113) and SLL2 (276); IPv4 and IPv6
// (with hop-by-hop, routing and destination-option headers); UDP.

#include "router/rns/bytes.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace rns::pcap {

inline constexpr std::uint32_t linktype_null = 0;
inline constexpr std::uint32_t linktype_ethernet = 1;
inline constexpr std::uint32_t linktype_raw = 101;
inline constexpr std::uint32_t linktype_linux_sll = 113;
inline constexpr std::uint32_t linktype_linux_sll2 = 276;

/// One captured frame: a view into the file's bytes.
struct frame {
    std::uint32_t ts_sec = 0;
    std::uint32_t ts_usec = 0; ///< microseconds (nanosecond files are converted)
    std::uint32_t orig_len = 0;
    byte_view data;            ///< the captured bytes (may be shorter than orig_len)
};

/// A UDP datagram found in a frame. Addresses are 4 (IPv4) or 16 (IPv6) bytes.
struct udp_datagram {
    std::uint32_t ts_sec = 0;
    std::uint32_t ts_usec = 0;
    int ip_version = 0;
    bytes src_addr;
    bytes dst_addr;
    std::uint16_t src_port = 0;
    std::uint16_t dst_port = 0;
    byte_view payload; ///< view into the capture's bytes
};

/// A whole capture file in memory with its frames.
class file {
  public:
    /// Reads and indexes a file; on failure returns nullopt and sets error.
    [[nodiscard]] static std::optional<file> load(const std::filesystem::path& path, std::string& error);
    /// The same from bytes already in memory (copied).
    [[nodiscard]] static std::optional<file> parse(bytes content, std::string& error);

    [[nodiscard]] std::uint32_t linktype() const noexcept { return _linktype; }
    [[nodiscard]] const std::vector<frame>& frames() const noexcept { return _frames; }

    /// Every frame that holds a complete, unfragmented UDP datagram, in order; frames_skipped
    /// counts the others (non-IP, non-UDP, fragments, truncated captures).
    [[nodiscard]] std::vector<udp_datagram> udp_datagrams(std::size_t* frames_skipped = nullptr) const;

    file(const file&) = delete;
    file& operator=(const file&) = delete;
    file(file&&) = default;
    file& operator=(file&&) = default;

  private:
    file() = default;
    bytes _content;
    std::uint32_t _linktype = 0;
    std::vector<frame> _frames;
};

/// Decodes one frame of the given link type down to UDP; nullopt if it is not a complete UDP
/// datagram. Never reads past the frame.
[[nodiscard]] std::optional<udp_datagram> extract_udp(std::uint32_t linktype, const frame& f);

} // namespace rns::pcap
