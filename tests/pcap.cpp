// Classic pcap reading and UDP extraction (see pcap.hpp).

#include "tests/pcap.hpp"

#include <fstream>
#include <iterator>

namespace rns::pcap {

namespace {

constexpr std::uint32_t magic_usec = 0xa1b2c3d4;
constexpr std::uint32_t magic_nsec = 0xa1b23c4d;
constexpr std::size_t file_header_size = 24;
constexpr std::size_t record_header_size = 16;

constexpr std::uint16_t ethertype_ipv4 = 0x0800;
constexpr std::uint16_t ethertype_ipv6 = 0x86dd;
constexpr std::uint16_t ethertype_vlan = 0x8100;
constexpr std::uint16_t ethertype_qinq = 0x88a8;
constexpr std::uint8_t ip_proto_udp = 17;

std::uint16_t be16(byte_view b, std::size_t at) noexcept {
    return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}

std::uint32_t u32(byte_view b, std::size_t at, bool swap) noexcept {
    const std::uint32_t le = static_cast<std::uint32_t>(b[at]) | (static_cast<std::uint32_t>(b[at + 1]) << 8) |
                             (static_cast<std::uint32_t>(b[at + 2]) << 16) |
                             (static_cast<std::uint32_t>(b[at + 3]) << 24);
    if (!swap) {
        return le;
    }
    return ((le & 0xff) << 24) | ((le & 0xff00) << 8) | ((le >> 8) & 0xff00) | (le >> 24);
}

// UDP header + payload, bounded by the IP payload length.
std::optional<udp_datagram> decode_udp(byte_view ip_payload, udp_datagram d) {
    if (ip_payload.size() < 8) {
        return std::nullopt;
    }
    const std::uint16_t len = be16(ip_payload, 4);
    if (len < 8 || len > ip_payload.size()) {
        return std::nullopt;
    }
    d.src_port = be16(ip_payload, 0);
    d.dst_port = be16(ip_payload, 2);
    d.payload = ip_payload.subspan(8, len - 8u);
    return d;
}

std::optional<udp_datagram> decode_ipv4(byte_view b, udp_datagram d) {
    if (b.size() < 20 || (b[0] >> 4) != 4) {
        return std::nullopt;
    }
    const std::size_t ihl = static_cast<std::size_t>(b[0] & 0x0f) * 4;
    const std::size_t total = be16(b, 2);
    if (ihl < 20 || total < ihl || total > b.size()) {
        return std::nullopt;
    }
    // Fragments (more-fragments flag or an offset) cannot be decoded one frame at a time.
    if ((be16(b, 6) & 0x3fff) != 0 || b[9] != ip_proto_udp) {
        return std::nullopt;
    }
    d.ip_version = 4;
    d.src_addr.assign(b.begin() + 12, b.begin() + 16);
    d.dst_addr.assign(b.begin() + 16, b.begin() + 20);
    return decode_udp(b.subspan(ihl, total - ihl), std::move(d));
}

std::optional<udp_datagram> decode_ipv6(byte_view b, udp_datagram d) {
    if (b.size() < 40 || (b[0] >> 4) != 6) {
        return std::nullopt;
    }
    const std::size_t payload_len = be16(b, 4);
    if (40 + payload_len > b.size()) {
        return std::nullopt;
    }
    d.ip_version = 6;
    d.src_addr.assign(b.begin() + 8, b.begin() + 24);
    d.dst_addr.assign(b.begin() + 24, b.begin() + 40);
    std::uint8_t next = b[6];
    byte_view rest = b.subspan(40, payload_len);
    // Skip hop-by-hop (0), routing (43) and destination options (60); a fragment header (44)
    // or anything else that is not UDP ends the walk.
    while (next == 0 || next == 43 || next == 60) {
        if (rest.size() < 8) {
            return std::nullopt;
        }
        const std::size_t ext = (static_cast<std::size_t>(rest[1]) + 1) * 8;
        if (ext > rest.size()) {
            return std::nullopt;
        }
        next = rest[0];
        rest = rest.subspan(ext);
    }
    if (next != ip_proto_udp) {
        return std::nullopt;
    }
    return decode_udp(rest, std::move(d));
}

std::optional<udp_datagram> decode_ip(std::uint16_t ethertype, byte_view b, udp_datagram d) {
    if (ethertype == ethertype_ipv4) {
        return decode_ipv4(b, std::move(d));
    }
    if (ethertype == ethertype_ipv6) {
        return decode_ipv6(b, std::move(d));
    }
    return std::nullopt;
}

} // namespace

std::optional<udp_datagram> extract_udp(std::uint32_t linktype, const frame& f) {
    udp_datagram d;
    d.ts_sec = f.ts_sec;
    d.ts_usec = f.ts_usec;
    const byte_view b = f.data;
    switch (linktype) {
    case linktype_ethernet: {
        if (b.size() < 14) {
            return std::nullopt;
        }
        std::size_t at = 12;
        std::uint16_t type = be16(b, at);
        while (type == ethertype_vlan || type == ethertype_qinq) {
            at += 4;
            if (b.size() < at + 2) {
                return std::nullopt;
            }
            type = be16(b, at);
        }
        return decode_ip(type, b.subspan(at + 2), std::move(d));
    }
    case linktype_null: {
        // 4-byte address family in the capturing host's byte order: 2 = IPv4, 24/28/30 = IPv6.
        if (b.size() < 4) {
            return std::nullopt;
        }
        const std::uint32_t fam = u32(b, 0, false);
        const std::uint32_t fam_swapped = u32(b, 0, true);
        const auto is = [&](std::uint32_t v) { return fam == v || fam_swapped == v; };
        if (is(2)) {
            return decode_ipv4(b.subspan(4), std::move(d));
        }
        if (is(24) || is(28) || is(30)) {
            return decode_ipv6(b.subspan(4), std::move(d));
        }
        return std::nullopt;
    }
    case linktype_raw: {
        if (b.empty()) {
            return std::nullopt;
        }
        return (b[0] >> 4) == 4 ? decode_ipv4(b, std::move(d)) : decode_ipv6(b, std::move(d));
    }
    case linktype_linux_sll:
        if (b.size() < 16) {
            return std::nullopt;
        }
        return decode_ip(be16(b, 14), b.subspan(16), std::move(d));
    case linktype_linux_sll2:
        if (b.size() < 20) {
            return std::nullopt;
        }
        return decode_ip(be16(b, 0), b.subspan(20), std::move(d));
    default:
        return std::nullopt;
    }
}

std::optional<file> file::parse(bytes content, std::string& error) {
    file f;
    f._content = std::move(content);
    const byte_view b = f._content;
    if (b.size() < file_header_size) {
        error = "shorter than a pcap file header";
        return std::nullopt;
    }
    bool swap = false;
    bool nsec = false;
    const std::uint32_t magic = u32(b, 0, false);
    if (magic == magic_usec || magic == magic_nsec) {
        nsec = magic == magic_nsec;
    } else if (u32(b, 0, true) == magic_usec || u32(b, 0, true) == magic_nsec) {
        swap = true;
        nsec = u32(b, 0, true) == magic_nsec;
    } else {
        error = "not a classic pcap file (bad magic; pcapng is not supported)";
        return std::nullopt;
    }
    f._linktype = u32(b, 20, swap) & 0x0fffffff; // the top bits may carry FCS information
    std::size_t at = file_header_size;
    while (at < b.size()) {
        if (b.size() - at < record_header_size) {
            error = "truncated record header at offset " + std::to_string(at);
            return std::nullopt;
        }
        frame fr;
        fr.ts_sec = u32(b, at, swap);
        fr.ts_usec = u32(b, at + 4, swap);
        if (nsec) {
            fr.ts_usec /= 1000;
        }
        const std::uint32_t incl = u32(b, at + 8, swap);
        fr.orig_len = u32(b, at + 12, swap);
        at += record_header_size;
        if (incl > b.size() - at) {
            error = "truncated frame at offset " + std::to_string(at);
            return std::nullopt;
        }
        fr.data = b.subspan(at, incl);
        f._frames.push_back(fr);
        at += incl;
    }
    return f;
}

std::optional<file> file::load(const std::filesystem::path& path, std::string& error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = "cannot open " + path.string();
        return std::nullopt;
    }
    bytes content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return parse(std::move(content), error);
}

std::vector<udp_datagram> file::udp_datagrams(std::size_t* frames_skipped) const {
    std::vector<udp_datagram> out;
    std::size_t skipped = 0;
    for (const auto& fr : _frames) {
        // A frame cut short by the snap length is not a whole datagram.
        auto d = fr.data.size() == fr.orig_len ? extract_udp(_linktype, fr) : std::nullopt;
        if (d) {
            out.push_back(std::move(*d));
        } else {
            ++skipped;
        }
    }
    if (frames_skipped != nullptr) {
        *frames_skipped = skipped;
    }
    return out;
}

} // namespace rns::pcap
