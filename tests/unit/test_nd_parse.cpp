// IPv6 neighbour discovery parser (drivers/nd_parse.hpp, RFC 4861 §4.3/§4.4/§7.1) against a
// neighbour solicitation the Linux kernel sent (captured on a veth: ping -6 to an unresolved
// neighbour), and against a second checksum routine written here for the modified frames.

#include "drivers/nd_parse.hpp"
#include "router/rns/bytes.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace rns;
using rns::drivers::parse_nd;

namespace {

// Ethernet 33:33:ff:00:00:02 <- 06:5a:ce:90:8f:c8, IPv6 fd00:99::1 -> ff02::1:ff00:2, hop limit
// 255, NS for fd00:99::2 with the source link-layer address option.
const char* const kernel_ns =
    "3333ff000002065ace908fc886dd"
    "6000000000203afffd000099000000000000000000000001ff0200000000000000000001ff000002"
    "870019b300000000fd000099000000000000000000000002"
    "0101065ace908fc8";

bytes ipv6_part(const char* frame_hex) {
    const bytes f = *from_hex(frame_hex);
    return bytes(f.begin() + 14, f.end());
}

// The RFC 1071 sum, byte pairs added big-endian, over the pseudo-header and the message.
void fix_checksum(bytes& p) {
    const std::uint32_t len = static_cast<std::uint32_t>(p[4] << 8 | p[5]);
    p[42] = 0;
    p[43] = 0;
    std::uint32_t sum = len + p[6];
    for (std::size_t i = 8; i < 40; i += 2) {
        sum += static_cast<std::uint32_t>(p[i] << 8 | p[i + 1]);
    }
    // Sums the bytes present: a variant may claim a payload longer than the packet.
    const std::size_t have = std::min<std::size_t>(len, p.size() - 40);
    for (std::size_t i = 0; i < have; i += 2) {
        sum += static_cast<std::uint32_t>(p[40 + i] << 8 | (i + 1 < have ? p[41 + i] : 0));
    }
    while ((sum >> 16) != 0) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    p[42] = static_cast<std::uint8_t>(~sum >> 8);
    p[43] = static_cast<std::uint8_t>(~sum);
}

} // namespace

TEST_CASE("nd parse: the kernel's neighbour solicitation") {
    const bytes p = ipv6_part(kernel_ns);
    bytes again = p;
    fix_checksum(again);
    CHECK(again == p); // the test's checksum routine agrees with the kernel's
    const auto m = parse_nd(p);
    REQUIRE(m);
    CHECK(m->type == drivers::icmp6_ns);
    CHECK(to_hex(m->src) == "fd000099000000000000000000000001");
    CHECK(to_hex(m->target) == "fd000099000000000000000000000002");
    REQUIRE(m->lla);
    CHECK(to_hex(*m->lla) == "065ace908fc8"); // the frame's Ethernet source
    // Ethernet padding after the payload is ignored.
    bytes padded = p;
    padded.resize(p.size() + 6, 0);
    CHECK(parse_nd(padded));
}

TEST_CASE("nd parse: any changed byte of addresses or message fails the checksum") {
    const bytes p = ipv6_part(kernel_ns);
    for (std::size_t i = 8; i < p.size(); ++i) {
        bytes q = p;
        q[i] ^= 0x01;
        CHECK_MESSAGE(!parse_nd(q), "byte ", i);
    }
}

TEST_CASE("nd parse: validity rules of RFC 4861 §7.1 with correct checksums") {
    const bytes p = ipv6_part(kernel_ns);
    auto variant = [&](auto&& change) {
        bytes q = p;
        change(q);
        fix_checksum(q);
        return parse_nd(q);
    };
    CHECK_FALSE(variant([](bytes& q) { q[7] = 254; }));          // hop limit
    CHECK_FALSE(variant([](bytes& q) { q[41] = 1; }));           // code
    CHECK_FALSE(variant([](bytes& q) { q[40] = 128; }));         // echo, not ND
    CHECK_FALSE(variant([](bytes& q) { q[6] = 17; }));           // not ICMPv6
    CHECK_FALSE(variant([](bytes& q) { q[0] = 0x40; }));         // not IPv6
    CHECK_FALSE(variant([](bytes& q) { q[65] = 0; }));           // option of length 0
    CHECK_FALSE(variant([](bytes& q) { q[65] = 2; }));           // option past the end
    CHECK_FALSE(variant([](bytes& q) { q[5] = 0x28; }));         // payload longer than the packet
    CHECK_FALSE(variant([](bytes& q) { q[5] = 16; q.resize(56); })); // shorter than an NS
    CHECK_FALSE(parse_nd(bytes(p.begin(), p.begin() + 39)));
    // Without options: valid, no link-layer address.
    const auto bare = variant([](bytes& q) { q[5] = 24; q.resize(64); });
    REQUIRE(bare);
    CHECK_FALSE(bare->lla);
    // As an advertisement (solicited, override) with a target link-layer option.
    const auto na = variant([](bytes& q) { q[40] = 136; q[44] = 0x60; q[64] = 2; });
    REQUIRE(na);
    CHECK(na->type == drivers::icmp6_na);
    CHECK(na->na_flags == 0x60);
    REQUIRE(na->lla);
    CHECK(to_hex(*na->lla) == "065ace908fc8");
    // An NA's source link-layer option is not its target address.
    const auto na_src = variant([](bytes& q) { q[40] = 136; });
    REQUIRE(na_src);
    CHECK_FALSE(na_src->lla);
}
