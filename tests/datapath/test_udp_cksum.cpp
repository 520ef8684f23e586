// The incremental UDP checksum (router/datapath/udp_cksum.hpp) against a full recomputation.
//
// Each case is a datagram as a peer sends it (checksum filled by DPDK's full rte_ipv4_udptcp_cksum
// / rte_ipv6_udptcp_cksum, the independent truth), received the way l3_input does (checksum
// verified in software, or taken as the device's GOOD verdict; tail sum kept), its RNS header
// rewritten the way spec §6.4, §6.5 and §6.11 say, and sent the way l3_output does. The sent
// checksum must equal the full recomputation over the sent frame, byte for byte.

#include "fake_mbuf.hpp"

#include "router/datapath/udp_cksum.hpp"

#include <doctest/doctest.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

using namespace rns;
using namespace rns::datapath;
using rns::datapath::test::fake_mbuf;

namespace {

// The RNS header rewrite between l3_input and l3_output (in the test's own words, from the spec).
enum class rewrite {
    h2_next_hop,  // spec §6.4, path hops > 1: hops + 1, transport id replaced by the next hop's
    h2_last_hop,  // spec §6.4, path hops == 1: stripped to HEADER_1 (flags & 0x0F, hops + 1, raw[18:])
    h2_local,     // spec §6.4, hops == 0: header kept, hops + 1
    h1_hops,      // spec §6.5 / §6.11: link and proof traffic, hops + 1
};

struct cksum_case {
    const char* name;
    bool ipv6;
    bool header_2;
    std::size_t data_len;      // bytes after the RNS header's context byte
    rewrite how;
    bool device_good;          // l3_input takes the device's GOOD verdict instead of verifying
    bool zero_data = false;    // the data bytes are all zero
    bool force_ffff = false;   // the sent datagram sums to -0: its checksum is sent as 0xffff
};

const std::array<std::uint8_t, 6> mac_a{2, 0, 0, 0, 0, 1};
const std::array<std::uint8_t, 6> mac_b{2, 0, 0, 0, 0, 2};

std::uint32_t ip4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
    return rte_cpu_to_be_32(std::uint32_t{a} << 24 | std::uint32_t{b} << 16 | std::uint32_t{c} << 8 | d);
}

std::array<std::uint8_t, 16> ip6(std::uint8_t last) {
    std::array<std::uint8_t, 16> a{0xfd, 0x00, 0x12, 0x34, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x56, last};
    return a;
}

// An Ethernet + IP + UDP frame around rns, checksums filled by DPDK's full computation.
bytes frame(bool v6, byte_view rns, std::uint8_t src_last, std::uint8_t dst_last, std::uint16_t sport,
            std::uint16_t dport) {
    const std::size_t l3 = v6 ? sizeof(rte_ipv6_hdr) : sizeof(rte_ipv4_hdr);
    bytes f(sizeof(rte_ether_hdr) + l3 + sizeof(rte_udp_hdr) + rns.size());
    auto* eth = reinterpret_cast<rte_ether_hdr*>(f.data());
    std::memcpy(eth->dst_addr.addr_bytes, mac_b.data(), 6);
    std::memcpy(eth->src_addr.addr_bytes, mac_a.data(), 6);
    auto* udp = reinterpret_cast<rte_udp_hdr*>(f.data() + sizeof(rte_ether_hdr) + l3);
    const auto udp_len = static_cast<std::uint16_t>(sizeof(rte_udp_hdr) + rns.size());
    udp->src_port = rte_cpu_to_be_16(sport);
    udp->dst_port = rte_cpu_to_be_16(dport);
    udp->dgram_len = rte_cpu_to_be_16(udp_len);
    udp->dgram_cksum = 0;
    std::memcpy(udp + 1, rns.data(), rns.size());
    if (v6) {
        eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
        auto* ip = reinterpret_cast<rte_ipv6_hdr*>(eth + 1);
        ip->vtc_flow = RTE_BE32(6U << 28);
        ip->payload_len = rte_cpu_to_be_16(udp_len);
        ip->proto = IPPROTO_UDP;
        ip->hop_limits = 64;
        std::memcpy(ip->src_addr, ip6(src_last).data(), 16);
        std::memcpy(ip->dst_addr, ip6(dst_last).data(), 16);
        udp->dgram_cksum = rte_ipv6_udptcp_cksum(ip, udp);
    } else {
        eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
        auto* ip = reinterpret_cast<rte_ipv4_hdr*>(eth + 1);
        ip->version_ihl = RTE_IPV4_VHL_DEF;
        ip->total_length = rte_cpu_to_be_16(static_cast<std::uint16_t>(sizeof(rte_ipv4_hdr) + udp_len));
        ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
        ip->time_to_live = 64;
        ip->next_proto_id = IPPROTO_UDP;
        ip->src_addr = ip4(10, 0, 0, src_last);
        ip->dst_addr = ip4(10, 0, 1, dst_last);
        ip->hdr_checksum = rte_ipv4_cksum(ip);
        udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
    }
    return f;
}

std::size_t udp_offset(bool v6) {
    return sizeof(rte_ether_hdr) + (v6 ? sizeof(rte_ipv6_hdr) : sizeof(rte_ipv4_hdr));
}

// The pseudo-header sum of the datagram in frame f, as l3_input / l3_output take it.
std::uint16_t pseudo_of(bool v6, const std::uint8_t* f, std::uint16_t udp_len) {
    if (v6) {
        const auto* ip = reinterpret_cast<const rte_ipv6_hdr*>(f + sizeof(rte_ether_hdr));
        return ipv6_pseudo_sum(ip->src_addr, udp_len);
    }
    const auto* ip = reinterpret_cast<const rte_ipv4_hdr*>(f + sizeof(rte_ether_hdr));
    return ipv4_pseudo_sum(ip->src_addr, ip->dst_addr, udp_len);
}

std::uint16_t full_cksum(bool v6, bytes& f) {
    auto* udp = reinterpret_cast<rte_udp_hdr*>(f.data() + udp_offset(v6));
    const std::uint16_t saved = udp->dgram_cksum;
    udp->dgram_cksum = 0;
    auto* l3 = f.data() + sizeof(rte_ether_hdr);
    const std::uint16_t ck = v6 ? rte_ipv6_udptcp_cksum(reinterpret_cast<rte_ipv6_hdr*>(l3), udp)
                                : rte_ipv4_udptcp_cksum(reinterpret_cast<rte_ipv4_hdr*>(l3), udp);
    udp->dgram_cksum = saved;
    return ck;
}

bytes apply_rewrite(rewrite how, byte_view in) {
    bytes out(in.begin(), in.end());
    const auto hops = static_cast<std::uint8_t>(in[1] + 1);
    switch (how) {
    case rewrite::h2_next_hop:
        out.at(1) = hops;
        for (std::size_t i = 0; i < 16; ++i) {
            out[2 + i] = static_cast<std::uint8_t>(0xa0 + i);
        }
        break;
    case rewrite::h2_last_hop:
        out.assign(in.begin() + 16, in.end());
        out.at(0) = static_cast<std::uint8_t>(in[0] & 0x0f);
        out.at(1) = hops;
        break;
    case rewrite::h2_local:
    case rewrite::h1_hops:
        out.at(1) = hops;
        break;
    }
    return out;
}

// The received datagram through l3_input's checksum steps: the tail sum l3_output gets.
std::uint16_t receive(const cksum_case& c, bytes& f) {
    fake_mbuf m(f, RTE_PKTMBUF_HEADROOM);
    auto* base = rte_pktmbuf_mtod(m.get(), std::uint8_t*);
    auto* udp = reinterpret_cast<rte_udp_hdr*>(base + udp_offset(c.ipv6));
    const std::uint16_t udp_len = rte_be_to_cpu_16(udp->dgram_len);
    const std::uint64_t verdict =
        c.device_good ? RTE_MBUF_F_RX_L4_CKSUM_GOOD : RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN;
    const std::int32_t sum = rx_payload_sum(verdict, pseudo_of(c.ipv6, base, udp_len), udp, udp_len);
    REQUIRE(sum >= 0);
    std::uint16_t tail = 0;
    REQUIRE(rns_tail_sum(reinterpret_cast<const std::uint8_t*>(udp + 1),
                         static_cast<std::uint16_t>(udp_len - sizeof(rte_udp_hdr)),
                         static_cast<std::uint16_t>(sum), tail));
    return tail;
}

// The checksum l3_output writes for rns sent from (src_last, sport) to (dst_last, dport).
std::uint16_t send(bool v6, byte_view rns, bool incremental, std::uint16_t tail, bytes& out_frame) {
    out_frame = frame(v6, rns, 7, 9, 4242, 5353);
    auto* udp = reinterpret_cast<rte_udp_hdr*>(out_frame.data() + udp_offset(v6));
    const auto udp_len = static_cast<std::uint16_t>(sizeof(rte_udp_hdr) + rns.size());
    return udp_cksum_field(pseudo_of(v6, out_frame.data(), udp_len), *udp,
                           tx_payload_sum(rns.data(), static_cast<std::uint16_t>(rns.size()), incremental, tail));
}

bytes rns_packet(const cksum_case& c, std::mt19937& rng) {
    const std::size_t head = c.header_2 ? 35 : 19; // flags, hops, [transport id], destination, context
    bytes p(head + c.data_len);
    for (auto& b : p) {
        b = c.zero_data ? 0 : static_cast<std::uint8_t>(rng());
    }
    // DATA to a SINGLE destination, HEADER_2 TRANSPORT or HEADER_1 BROADCAST (spec §4.1).
    p[0] = c.header_2 ? 0x50 : 0x00;
    p[1] = 3;
    if (c.zero_data) {
        std::fill(p.begin() + 2, p.begin() + static_cast<std::ptrdiff_t>(head), 0x11);
    }
    return p;
}

} // namespace

TEST_CASE("udp_cksum: forwarded datagrams get the checksum a full computation gives") {
    const std::vector<cksum_case> cases = {
        {"ipv4 H2 next hop, 64 B", false, true, 64, rewrite::h2_next_hop, false},
        {"ipv4 H2 next hop, 65 B (odd)", false, true, 65, rewrite::h2_next_hop, false},
        {"ipv4 H2 last hop (strip), 64 B", false, true, 64, rewrite::h2_last_hop, false},
        {"ipv4 H2 last hop (strip), 401 B", false, true, 401, rewrite::h2_last_hop, false},
        {"ipv4 H2 local client, 0 B", false, true, 0, rewrite::h2_local, false},
        {"ipv4 H1 hops (link/proof), 400 B", false, false, 400, rewrite::h1_hops, false},
        {"ipv4 H1 hops, 1 B", false, false, 1, rewrite::h1_hops, false},
        {"ipv4 H2 next hop, device GOOD", false, true, 200, rewrite::h2_next_hop, true},
        {"ipv4 H1 hops, device GOOD, odd", false, false, 77, rewrite::h1_hops, true},
        {"ipv4 zero data (sum may be the other zero)", false, true, 64, rewrite::h2_last_hop, false, true},
        {"ipv4 zero data, device GOOD", false, false, 64, rewrite::h1_hops, true, true},
        {"ipv4 computed zero sent as 0xffff", false, true, 65, rewrite::h2_next_hop, false, false, true},
        {"ipv4 computed zero, device GOOD", false, false, 65, rewrite::h1_hops, true, false, true},
        {"ipv6 H2 next hop, 64 B", true, true, 64, rewrite::h2_next_hop, false},
        {"ipv6 H2 last hop (strip), 465 B", true, true, 465, rewrite::h2_last_hop, false},
        {"ipv6 H1 hops, 400 B, device GOOD", true, false, 400, rewrite::h1_hops, true},
        {"ipv6 computed zero sent as 0xffff", true, false, 101, rewrite::h1_hops, false, false, true},
    };
    std::mt19937 rng(12345);
    for (const auto& c : cases) {
        CAPTURE(std::string(c.name));
        bytes in = rns_packet(c, rng);
        if (c.force_ffff) {
            // Choose the last two data bytes so that the sent datagram sums to -0 (its checksum
            // computes to zero and is sent as 0xffff): with them zero, the sum is s; ~s completes it.
            REQUIRE(in.size() % 2 == 0);
            in[in.size() - 2] = 0;
            in[in.size() - 1] = 0;
            bytes probe;
            const bytes out = apply_rewrite(c.how, in);
            (void)send(c.ipv6, out, false, 0, probe);
            const std::uint16_t s = static_cast<std::uint16_t>(~full_cksum(c.ipv6, probe));
            const std::uint16_t fill = static_cast<std::uint16_t>(~s);
            std::memcpy(in.data() + in.size() - 2, &fill, 2);
        }
        bytes in_frame = frame(c.ipv6, in, 1, 2, 5353, 4242);
        const std::uint16_t tail = receive(c, in_frame);

        const bytes out = apply_rewrite(c.how, in);
        bytes out_frame;
        const std::uint16_t incremental = send(c.ipv6, out, true, tail, out_frame);
        const std::uint16_t full = full_cksum(c.ipv6, out_frame);
        CHECK(incremental == full);
        if (c.force_ffff) {
            CHECK(full == 0xffff);
        }
        // The non-incremental path (control-plane packets, IFAC) is the same sum taken over the bytes.
        bytes unused;
        CHECK(send(c.ipv6, out, false, 0, unused) == full);
    }
}

TEST_CASE("udp_cksum: a wrong checksum is refused, a zero-length payload is summed") {
    std::mt19937 rng(7);
    const cksum_case c{"ipv4 H1", false, false, 40, rewrite::h1_hops, false};
    bytes in = rns_packet(c, rng);
    for (const bool v6 : {false, true}) {
        CAPTURE(v6);
        bytes f = frame(v6, in, 1, 2, 5353, 4242);
        auto* udp = reinterpret_cast<rte_udp_hdr*>(f.data() + udp_offset(v6));
        const std::uint16_t udp_len = rte_be_to_cpu_16(udp->dgram_len);
        const std::uint16_t pseudo = pseudo_of(v6, f.data(), udp_len);
        CHECK(rx_payload_sum(RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN, pseudo, udp, udp_len) >= 0);
        // One data bit flipped, one header byte changed, a pseudo-header of another address.
        f[f.size() - 1] ^= 0x01;
        CHECK(rx_payload_sum(RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN, pseudo, udp, udp_len) == bad_sum);
        f[f.size() - 1] ^= 0x01;
        udp->src_port ^= 0x0100;
        CHECK(rx_payload_sum(RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN, pseudo, udp, udp_len) == bad_sum);
        udp->src_port ^= 0x0100;
        CHECK(rx_payload_sum(RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN, cksum_add(pseudo, 1), udp, udp_len) == bad_sum);
    }
    // A packet shorter than its rewritable header keeps no tail sum (rns_parse drops it).
    const std::uint8_t short_h2[5] = {0x50, 0, 1, 2, 3};
    std::uint16_t tail = 0;
    CHECK_FALSE(rns_tail_sum(short_h2, sizeof short_h2, 0x1234, tail));
    CHECK_FALSE(rns_tail_sum(short_h2, 0, 0x1234, tail));
}
