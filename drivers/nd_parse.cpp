#include "drivers/nd_parse.hpp"

#include <cstring>

namespace rns::drivers {

namespace {

constexpr std::size_t ip6_len = 40;
constexpr std::size_t nd_len = 24; // type, code, checksum, flags/reserved, target
constexpr std::uint8_t next_icmp6 = 58;
constexpr std::uint8_t opt_source_lla = 1; // RFC 4861 §4.6.1
constexpr std::uint8_t opt_target_lla = 2;

std::uint32_t sum16(const std::uint8_t* p, std::uint32_t n, std::uint32_t sum) noexcept {
    for (std::uint32_t i = 0; i + 1 < n; i += 2) {
        sum += static_cast<std::uint32_t>(p[i] << 8 | p[i + 1]);
    }
    if ((n & 1) != 0) {
        sum += static_cast<std::uint32_t>(p[n - 1] << 8);
    }
    return sum;
}

} // namespace

bool ipv6_upper_checksum_ok(const std::uint8_t* ip6, const std::uint8_t* l4, std::uint32_t len) noexcept {
    std::uint64_t sum = sum16(ip6 + 8, 32, 0); // source and destination
    sum += (len >> 16) + (len & 0xffff);
    sum += ip6[6]; // next header
    sum = sum16(l4, len, static_cast<std::uint32_t>(sum));
    while ((sum >> 16) != 0) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return sum == 0xffff;
}

std::optional<nd_message> parse_nd(std::span<const std::uint8_t> packet) noexcept {
    if (packet.size() < ip6_len) {
        return std::nullopt;
    }
    const std::uint8_t* ip = packet.data();
    const std::uint8_t* icmp = ip + ip6_len;
    const std::uint32_t payload = static_cast<std::uint32_t>(ip[4] << 8 | ip[5]);
    if ((ip[0] >> 4) != 6 || ip[6] != next_icmp6 || payload < nd_len || payload > packet.size() - ip6_len ||
        ip[7] != 255 || icmp[1] != 0 || (icmp[0] != icmp6_ns && icmp[0] != icmp6_na) ||
        !ipv6_upper_checksum_ok(ip, icmp, payload)) {
        return std::nullopt;
    }
    nd_message m;
    m.type = icmp[0];
    std::memcpy(m.src.data(), ip + 8, 16);
    std::memcpy(m.target.data(), icmp + 8, 16);
    m.na_flags = m.type == icmp6_na ? icmp[4] : 0;
    const std::uint8_t want = m.type == icmp6_ns ? opt_source_lla : opt_target_lla;
    // Options are 8-byte units; a zero length or one past the end makes the message invalid.
    for (std::uint32_t off = nd_len; off + 2 <= payload;) {
        const std::uint32_t olen = std::uint32_t{icmp[off + 1]} * 8;
        if (olen == 0 || off + olen > payload) {
            return std::nullopt;
        }
        if (icmp[off] == want) {
            std::array<std::uint8_t, 6> lla{};
            std::memcpy(lla.data(), icmp + off + 2, lla.size());
            m.lla = lla;
        }
        off += olen;
    }
    return m;
}

} // namespace rns::drivers
