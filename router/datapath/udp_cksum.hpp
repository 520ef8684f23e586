#pragma once
// Internet checksum arithmetic for the UDP datagrams that carry RNS packets (RFC 1071, RFC 1624).
//
// An RNS packet crosses the router as the payload of one datagram in and one datagram out (spec
// §10.3). Between l3_input and l3_output the fast path rewrites only the RNS header: the first 2
// (HEADER_1) or 18 (HEADER_2) bytes (spec §4.2; §6.4 rewrites hops and the transport id or strips
// it, §6.5 and §6.11 rewrite hops). The sum of everything after the header (the "tail":
// destination hash, context, data) is the same on both sides, so:
//   - l3_input, once the datagram's checksum is known to be right (verified in software or by the
//     device), gets the payload's sum from the headers alone: a right checksum means
//     pseudo-header ⊕ UDP header ⊕ payload = −0, so payload = ~(pseudo-header ⊕ UDP header); it
//     subtracts the RNS header's bytes and keeps the tail's sum in the packet's private area;
//   - l3_output adds the new RNS header, the new UDP header and pseudo-header to it (RFC 1624
//     eqn. 3, HC' = ~(~HC + ~m + m')), instead of summing the payload a second time.
// Both header lengths are even, so the tail's 16-bit words line up the same way in and out.
//
// All sums are 16-bit one's complement sums of the bytes as stored (what rte_raw_cksum returns),
// not complemented. One's complement has two zeros (0x0000, 0xffff); every result that reaches a
// checksum field includes the pseudo-header's non-zero protocol word, so it is never the
// ambiguous 0x0000 and the field equals the one a full computation writes (tests/datapath checks
// this against rte_ipv4_udptcp_cksum / rte_ipv6_udptcp_cksum).

#include <rte_byteorder.h>
#include <rte_mbuf_core.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include <netinet/in.h>

#include <cstdint>

namespace rns::datapath {

[[nodiscard]] constexpr std::uint16_t cksum_add(std::uint16_t a, std::uint16_t b) noexcept {
    const std::uint32_t s = std::uint32_t{a} + b;
    return static_cast<std::uint16_t>((s & 0xffff) + (s >> 16));
}

[[nodiscard]] constexpr std::uint16_t cksum_sub(std::uint16_t a, std::uint16_t b) noexcept {
    return cksum_add(a, static_cast<std::uint16_t>(~b));
}

/// Sum of the IPv4 pseudo-header of a UDP datagram of udp_len bytes (RFC 768); addresses in
/// network order.
[[nodiscard]] inline std::uint16_t ipv4_pseudo_sum(std::uint32_t src, std::uint32_t dst,
                                                   std::uint16_t udp_len) noexcept {
    const std::uint32_t s = (src & 0xffff) + (src >> 16) + (dst & 0xffff) + (dst >> 16) +
                            rte_cpu_to_be_16(IPPROTO_UDP) + rte_cpu_to_be_16(udp_len);
    return __rte_raw_cksum_reduce(s);
}

/// Sum of the IPv6 pseudo-header of a UDP datagram of udp_len bytes (RFC 8200 §8.1); src and dst
/// are the 16-byte addresses, adjacent in the IPv6 header.
[[nodiscard]] inline std::uint16_t ipv6_pseudo_sum(const std::uint8_t* src_dst,
                                                   std::uint16_t udp_len) noexcept {
    std::uint32_t s = __rte_raw_cksum(src_dst, 32, 0);
    s += rte_cpu_to_be_16(IPPROTO_UDP);
    s += rte_cpu_to_be_16(udp_len);
    return __rte_raw_cksum_reduce(s);
}

/// Sum of a UDP header, checksum field included.
[[nodiscard]] inline std::uint16_t udp_header_sum(const rte_udp_hdr& udp) noexcept {
    const std::uint32_t s = std::uint32_t{udp.src_port} + udp.dst_port + udp.dgram_len + udp.dgram_cksum;
    return __rte_raw_cksum_reduce(s);
}

/// The payload's sum of a datagram whose checksum is non-zero and known to be right.
[[nodiscard]] inline std::uint16_t verified_payload_sum(std::uint16_t pseudo, const rte_udp_hdr& udp) noexcept {
    return static_cast<std::uint16_t>(~cksum_add(pseudo, udp_header_sum(udp)));
}

/// No payload sum known (rx_payload_sum's callers: a zero IPv4 UDP checksum).
inline constexpr std::int32_t no_sum = -1;
/// rx_payload_sum: the checksum is wrong.
inline constexpr std::int32_t bad_sum = -2;

/// Receive side: the payload sum of a UDP datagram of udp_len bytes (udp points at its header,
/// the checksum field is not zero) whose pseudo-header sums to pseudo, or bad_sum when the
/// checksum is wrong. l4ck is the device's verdict (RTE_MBUF_F_RX_L4_CKSUM_*): GOOD spares the
/// pass over the payload, whose sum then follows from the headers; anything else but BAD (which
/// the caller drops first) is verified here over exactly udp_len bytes (RFC 768).
[[nodiscard]] inline std::int32_t rx_payload_sum(std::uint64_t l4ck, std::uint16_t pseudo,
                                                 const rte_udp_hdr* udp, std::uint32_t udp_len) noexcept {
    if (l4ck == RTE_MBUF_F_RX_L4_CKSUM_GOOD) {
        return verified_payload_sum(pseudo, *udp);
    }
    const std::uint16_t payload = rte_raw_cksum(udp + 1, udp_len - sizeof(rte_udp_hdr));
    if (cksum_add(cksum_add(pseudo, udp_header_sum(*udp)), payload) != 0xffff) {
        return bad_sum;
    }
    return payload;
}

/// Length of the RNS header (spec §4.2) the fast path may rewrite: 18 for HEADER_2 (flag bit 6),
/// else 2.
[[nodiscard]] constexpr std::uint16_t rns_rewritable_len(std::uint8_t flags) noexcept {
    return (flags & 0x40) != 0 ? 18 : 2;
}

/// The tail's sum (see above) of an RNS packet of len bytes whose payload sum is payload_sum, or
/// false when the packet is shorter than its rewritable header (rns_parse drops it anyway).
[[nodiscard]] inline bool rns_tail_sum(const std::uint8_t* raw, std::uint16_t len,
                                       std::uint16_t payload_sum, std::uint16_t& tail) noexcept {
    if (len == 0 || len < rns_rewritable_len(raw[0])) {
        return false;
    }
    tail = cksum_sub(payload_sum, rte_raw_cksum(raw, rns_rewritable_len(raw[0])));
    return true;
}

/// Send side: the sum of an RNS packet of len bytes, from its tail sum when `incremental` (the
/// packet's rewritable header added to it), else over the bytes.
[[nodiscard]] inline std::uint16_t tx_payload_sum(const std::uint8_t* raw, std::uint16_t len,
                                                  bool incremental, std::uint16_t tail) noexcept {
    if (incremental && len > 0 && len >= rns_rewritable_len(raw[0])) {
        return cksum_add(tail, rte_raw_cksum(raw, rns_rewritable_len(raw[0])));
    }
    return rte_raw_cksum(raw, len);
}

/// The UDP checksum field for a datagram of header udp (dgram_cksum ignored), pseudo-header sum
/// pseudo and payload sum payload: a computed zero is sent as 0xffff (RFC 768; mandatory over
/// IPv6, RFC 8200 §8.1), as rte_ipv4_udptcp_cksum / rte_ipv6_udptcp_cksum do.
[[nodiscard]] inline std::uint16_t udp_cksum_field(std::uint16_t pseudo, const rte_udp_hdr& udp,
                                                   std::uint16_t payload) noexcept {
    const std::uint32_t s = std::uint32_t{pseudo} + udp.src_port + udp.dst_port + udp.dgram_len + payload;
    const auto ck = static_cast<std::uint16_t>(~__rte_raw_cksum_reduce(s));
    return ck == 0 ? 0xffff : ck;
}

} // namespace rns::datapath
