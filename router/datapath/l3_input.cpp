// l3_input: Ethernet → ARP / IPv4 / IPv6 / UDP checks → RNS interface (DESIGN "The fast path").
// IPv6 (RFC 8200): version, payload length, destination (ours, our solicited-node group, all
// nodes), no extension headers, ICMPv6 NS/NA (hop limit 255) and echo punted to the control
// plane, UDP with its mandatory checksum (zero is dropped by name).
//
// Checks, in order, the way a host's input path does (RFC 1122 §3.2.1 for IPv4, RFC 768 for UDP):
// Ethernet length and destination MAC, EtherType, IPv4 version/IHL/length/checksum, fragments,
// destination address (ours or the subnet/limited broadcast), protocol, UDP length, port and
// checksum. ARP and ICMP echo requests go to the control plane, which answers them. A valid
// datagram for the RNS port is stripped to its payload (one RNS packet per datagram, spec §10.3)
// and attributed to the RNS interface of its sender (UDP peer table).
//
// Checksums: the device's verdict is taken where the port offloads them (RX_*_CKSUM_GOOD/BAD);
// otherwise they are verified in software, the UDP checksum over exactly the UDP length (RFC 768).
// Either way the sum of the RNS packet after its rewritable header is kept for l3_output's
// incremental checksum (udp_cksum.hpp); it costs a few header words here and saves l3_output a
// pass over the payload. Not kept (l3_output then sums the payload) for a zero IPv4 UDP checksum
// and on IFAC interfaces (ifac_in unmasks the payload).
//
// Uses: mbuf->port. Sets: priv.in_iface, priv.kind, priv.tail_sum(_valid); for new peers
// priv.src_ip4/src_port/l2_port.
#include "router/datapath/dataplane.hpp"
#include "router/datapath/edges.hpp"
#include "router/datapath/node_registry.hpp"
#include "router/datapath/pkt_priv.hpp"
#include "router/datapath/udp_cksum.hpp"

#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_graph_worker.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include <array>
#include <cstring>

namespace rns::datapath {

namespace {

enum class next : rte_edge_t {
    rns_parse,
    punt,
    drop_foreign_mbuf,
    drop_eth_short,
    drop_eth_not_ours,
    drop_ethertype,
    drop_arp_malformed,
    drop_ipv4_header,
    drop_ipv4_checksum,
    drop_ipv4_fragment,
    drop_ip_not_ours,
    drop_ip_proto,
    drop_ipv6_unsupported,
    drop_ipv6_header,
    drop_ipv6_ext_header,
    drop_ipv6_not_ours,
    drop_icmp6_other,
    drop_udp6_zero_checksum,
    drop_udp_header,
    drop_udp_checksum,
    drop_udp_port,
    drop_peer_unknown,
    count,
};

struct l3_input_ctx {
    const dataplane* dp;
};

int l3_input_init(const rte_graph*, rte_node* node) {
    node_ctx<l3_input_ctx>(node).dp = g_dataplane;
    return g_dataplane != nullptr ? 0 : -EINVAL;
}

[[nodiscard]] bool mac_accepted(const port_l3& port, const rte_ether_addr& dst) noexcept {
    return rte_is_same_ether_addr(&dst, &port.mac) || rte_is_multicast_ether_addr(&dst);
}

// The UDP header checks both IP versions share (RFC 768): a header that fits in the IP payload
// (l4_len bytes), a length within it, a listener on the destination port. Sets udp_len and
// listener and returns next::rns_parse when all hold, else the drop.
[[nodiscard]] next udp_header(const port_l3& port, const rte_udp_hdr* udp, std::uint32_t l4_len,
                              std::uint32_t& udp_len, const udp_listener*& listener) noexcept {
    if (l4_len < sizeof(rte_udp_hdr)) {
        return next::drop_udp_header;
    }
    udp_len = rte_be_to_cpu_16(udp->dgram_len);
    if (udp_len < sizeof(rte_udp_hdr) || udp_len > l4_len) {
        return next::drop_udp_header;
    }
    listener = port.listener(udp->dst_port);
    return listener == nullptr ? next::drop_udp_port : next::rns_parse;
}

// A checked datagram from either IP version: strips m to the UDP payload (one RNS packet, spec
// §10.3, without Ethernet padding) and attributes it to the sender's interface (iface, from the
// peer table), the listener's default interface, or, on a learning listener, punts it as a new
// peer; set_source fills that peer's address fields (version-specific) from the IP header.
// payload_sum: the one's complement sum of the UDP payload, or no_sum.
template <class SetSource>
[[nodiscard]] next deliver_udp(const dataplane& dp, rte_mbuf* m, std::uint32_t headers,
                               const rte_udp_hdr* udp, std::uint32_t udp_len, std::int32_t payload_sum,
                               std::uint16_t iface, const udp_listener& listener,
                               SetSource&& set_source) noexcept {
    auto& pp = priv(m);
    next to = next::rns_parse;
    if (iface != no_iface) {
        pp.in_iface = iface;
        pp.kind = pkt_kind::rns;
    } else if (listener.default_iface != no_iface) {
        pp.in_iface = listener.default_iface;
        pp.kind = pkt_kind::rns;
    } else if (listener.learn) {
        pp.kind = pkt_kind::new_peer;
        set_source(pp);
        pp.src_port = udp->src_port;
        pp.dst_udp = listener.udp;
        pp.l2_port = m->port;
        pp.src_mac = rte_pktmbuf_mtod(m, const rte_ether_hdr*)->src_addr;
        to = next::punt;
    } else {
        return next::drop_peer_unknown;
    }
    rte_pktmbuf_adj(m, static_cast<std::uint16_t>(headers + sizeof(rte_udp_hdr)));
    rte_pktmbuf_trim(m, static_cast<std::uint16_t>(rte_pktmbuf_data_len(m) - (udp_len - sizeof(rte_udp_hdr))));
    pp.tail_sum_valid = payload_sum != no_sum && pp.in_iface < dp.ifac_keys.size() &&
                        dp.ifac_keys[pp.in_iface] == nullptr &&
                        rns_tail_sum(rte_pktmbuf_mtod(m, const std::uint8_t*), rte_pktmbuf_data_len(m),
                                     static_cast<std::uint16_t>(payload_sum), pp.tail_sum);
    return to;
}

next ipv4_udp(const dataplane& dp, const port_l3& port, rte_mbuf* m) noexcept {
    const std::uint32_t len = rte_pktmbuf_data_len(m); // RX mbufs of RNS-sized frames are one segment
    if (len < sizeof(rte_ether_hdr) + sizeof(rte_ipv4_hdr)) {
        return next::drop_ipv4_header;
    }
    auto* ip = rte_pktmbuf_mtod_offset(m, rte_ipv4_hdr*, sizeof(rte_ether_hdr));
    const std::uint32_t ihl = rte_ipv4_hdr_len(ip);
    const std::uint32_t total = rte_be_to_cpu_16(ip->total_length);
    if ((ip->version_ihl >> 4) != 4 || ihl < sizeof(rte_ipv4_hdr) || total < ihl ||
        total > len - sizeof(rte_ether_hdr)) {
        return next::drop_ipv4_header;
    }
    const std::uint64_t ipck = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
    if (ipck == RTE_MBUF_F_RX_IP_CKSUM_BAD) {
        return next::drop_ipv4_checksum;
    }
    if (ipck != RTE_MBUF_F_RX_IP_CKSUM_GOOD && rte_raw_cksum(ip, ihl) != 0xffff) {
        return next::drop_ipv4_checksum;
    }
    // MF set or a non-zero offset: a fragment. RNS datagrams never need fragmenting.
    if ((rte_be_to_cpu_16(ip->fragment_offset) & (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0) {
        return next::drop_ipv4_fragment;
    }
    if (ip->dst_addr != port.ip4 && ip->dst_addr != port.bcast4 &&
        ip->dst_addr != RTE_BE32(0xffffffff)) {
        return next::drop_ip_not_ours;
    }
    if (ip->next_proto_id == IPPROTO_ICMP) {
        if (total >= ihl + sizeof(rte_icmp_hdr) && ip->dst_addr == port.ip4) {
            const auto* icmp = reinterpret_cast<const rte_icmp_hdr*>(
                reinterpret_cast<const std::uint8_t*>(ip) + ihl);
            if (icmp->icmp_type == RTE_IP_ICMP_ECHO_REQUEST && icmp->icmp_code == 0) {
                priv(m).kind = pkt_kind::icmp_echo;
                return next::punt;
            }
        }
        return next::drop_ip_proto;
    }
    if (ip->next_proto_id != IPPROTO_UDP) {
        return next::drop_ip_proto;
    }
    auto* udp = reinterpret_cast<rte_udp_hdr*>(reinterpret_cast<std::uint8_t*>(ip) + ihl);
    std::uint32_t udp_len = 0;
    const udp_listener* listener = nullptr;
    if (const next n = udp_header(port, udp, total - ihl, udp_len, listener); n != next::rns_parse) {
        return n;
    }
    // A zero UDP checksum means "not computed" over IPv4 (RFC 768).
    const std::uint64_t l4ck = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
    if (l4ck == RTE_MBUF_F_RX_L4_CKSUM_BAD) {
        return next::drop_udp_checksum;
    }
    std::int32_t payload_sum = no_sum;
    if (udp->dgram_cksum != 0) {
        // A device verdict over an IP payload longer than the UDP length covered other bytes.
        const std::uint64_t verdict = udp_len == total - ihl ? l4ck : RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN;
        const std::uint16_t pseudo =
            ipv4_pseudo_sum(ip->src_addr, ip->dst_addr, static_cast<std::uint16_t>(udp_len));
        payload_sum = rx_payload_sum(verdict, pseudo, udp, udp_len);
        if (payload_sum == bad_sum) {
            return next::drop_udp_checksum;
        }
    }
    const std::uint16_t iface = dp.peers->lookup(m->port, ip->src_addr, udp->src_port);
    return deliver_udp(dp, m, sizeof(rte_ether_hdr) + ihl, udp, udp_len, payload_sum, iface, *listener,
                       [ip](pkt_priv& pp) {
                           pp.src_is_ip6 = false;
                           pp.src_ip4 = ip->src_addr;
                       });
}

// IPv6 extension headers and protocols that mean "another header follows" (RFC 8200 §4, IANA
// "IPv6 Extension Header Types"). A sender's RNS datagram never carries one (spec §10.3 datagrams
// are at most 500 bytes, no fragmentation), so they are dropped by name rather than walked.
[[nodiscard]] constexpr bool ipv6_ext(std::uint8_t nh) noexcept {
    return nh == 0 || nh == 43 || nh == 44 || nh == 50 || nh == 51 || nh == 60 || nh == 135 ||
           nh == 139 || nh == 140;
}

// ff02::1:ffXX:XXXX for our address (RFC 4291 §2.7.1): where neighbour solicitations go.
[[nodiscard]] bool solicited_node_of(const std::uint8_t* dst, const port_l3& port) noexcept {
    static constexpr std::uint8_t prefix[13] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff};
    return std::memcmp(dst, prefix, sizeof prefix) == 0 &&
           std::memcmp(dst + 13, port.ip6.data() + 13, 3) == 0;
}

[[nodiscard]] bool all_nodes(const std::uint8_t* dst) noexcept {
    static constexpr std::uint8_t ff02_1[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    return std::memcmp(dst, ff02_1, 16) == 0;
}

next ipv6_udp(const dataplane& dp, const port_l3& port, rte_mbuf* m) noexcept {
    const std::uint32_t len = rte_pktmbuf_data_len(m);
    if (len < sizeof(rte_ether_hdr) + sizeof(rte_ipv6_hdr)) {
        return next::drop_ipv6_header;
    }
    auto* ip = rte_pktmbuf_mtod_offset(m, rte_ipv6_hdr*, sizeof(rte_ether_hdr));
    const std::uint32_t payload = rte_be_to_cpu_16(ip->payload_len);
    if ((rte_be_to_cpu_32(ip->vtc_flow) >> 28) != 6 ||
        payload > len - sizeof(rte_ether_hdr) - sizeof(rte_ipv6_hdr)) {
        return next::drop_ipv6_header;
    }
    const bool to_us = std::memcmp(ip->dst_addr, port.ip6.data(), 16) == 0;
    if (!to_us && !solicited_node_of(ip->dst_addr, port) && !all_nodes(ip->dst_addr)) {
        return next::drop_ipv6_not_ours;
    }
    if (ipv6_ext(ip->proto)) {
        return next::drop_ipv6_ext_header;
    }
    if (ip->proto == IPPROTO_ICMPV6) {
        // Neighbour discovery: hop limit 255 proves the sender is on-link (RFC 4861 §7.1.1).
        const auto* icmp = reinterpret_cast<const std::uint8_t*>(ip + 1);
        if (payload < 8) {
            return next::drop_icmp6_other;
        }
        if ((icmp[0] == 135 || icmp[0] == 136) && icmp[1] == 0 && ip->hop_limits == 255 &&
            payload >= 24) {
            priv(m).kind = pkt_kind::ndp;
            return next::punt;
        }
        if (icmp[0] == 128 && icmp[1] == 0 && to_us) {
            priv(m).kind = pkt_kind::icmp6_echo;
            return next::punt;
        }
        return next::drop_icmp6_other;
    }
    if (ip->proto != IPPROTO_UDP) {
        return next::drop_ip_proto;
    }
    if (!to_us && !all_nodes(ip->dst_addr)) {
        return next::drop_ipv6_not_ours; // RNS over UDP: our address, or all nodes (broadcast peers)
    }
    auto* udp = reinterpret_cast<rte_udp_hdr*>(ip + 1);
    std::uint32_t udp_len = 0;
    const udp_listener* listener = nullptr;
    if (const next n = udp_header(port, udp, payload, udp_len, listener); n != next::rns_parse) {
        return n;
    }
    if (udp->dgram_cksum == 0) {
        return next::drop_udp6_zero_checksum;
    }
    const std::uint64_t l4ck = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
    if (l4ck == RTE_MBUF_F_RX_L4_CKSUM_BAD) {
        return next::drop_udp_checksum;
    }
    // Pseudo-header (RFC 8200 §8.1) over the UDP length, then the datagram itself.
    const std::uint64_t verdict = udp_len == payload ? l4ck : RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN;
    const std::int32_t payload_sum = rx_payload_sum(
        verdict, ipv6_pseudo_sum(ip->src_addr, static_cast<std::uint16_t>(udp_len)), udp, udp_len);
    if (payload_sum == bad_sum) {
        return next::drop_udp_checksum;
    }
    const std::uint16_t iface = dp.peers->lookup6(m->port, ip->src_addr, udp->src_port);
    return deliver_udp(dp, m, sizeof(rte_ether_hdr) + sizeof(rte_ipv6_hdr), udp, udp_len, payload_sum,
                       iface, *listener,
                       [ip](pkt_priv& pp) {
                           pp.src_is_ip6 = true;
                           std::memcpy(pp.src_ip6.data(), ip->src_addr, 16);
                           pp.src_ip4 = 0;
                       });
}

next classify_frame(const dataplane& dp, rte_mbuf* m) noexcept {
    if (!has_priv(m)) {
        return next::drop_foreign_mbuf;
    }
    if (rte_pktmbuf_data_len(m) < sizeof(rte_ether_hdr)) {
        return next::drop_eth_short;
    }
    const port_l3& port = dp.ports[m->port];
    const auto* eth = rte_pktmbuf_mtod(m, const rte_ether_hdr*);
    if (!port.enabled || !mac_accepted(port, eth->dst_addr)) {
        return next::drop_eth_not_ours;
    }
    switch (eth->ether_type) {
    case RTE_BE16(RTE_ETHER_TYPE_IPV4):
        return ipv4_udp(dp, port, m);
    case RTE_BE16(RTE_ETHER_TYPE_ARP):
        if (rte_pktmbuf_data_len(m) < sizeof(rte_ether_hdr) + sizeof(rte_arp_hdr)) {
            return next::drop_arp_malformed;
        }
        priv(m).kind = pkt_kind::arp;
        return next::punt;
    case RTE_BE16(RTE_ETHER_TYPE_IPV6):
        return port.has_ip6 ? ipv6_udp(dp, port, m) : next::drop_ipv6_unsupported;
    default:
        return next::drop_ethertype;
    }
}

uint16_t l3_input_process(rte_graph* graph, rte_node* node, void** objs, uint16_t nb) noexcept {
    const dataplane& dp = *node_ctx<l3_input_ctx>(node).dp;
    for (uint16_t i = 0; i < nb; ++i) {
        auto* m = static_cast<rte_mbuf*>(objs[i]);
        rte_node_enqueue_x1(graph, node, edge(classify_frame(dp, m)), m);
    }
    return nb;
}

constexpr auto l3_input_edges = bind_edges<next::count>({
    {next::rns_parse, "rns_parse"},
    {next::punt, "punt"},
    {next::drop_foreign_mbuf, drop_node_name(drop_reason::foreign_mbuf)},
    {next::drop_eth_short, drop_node_name(drop_reason::eth_short)},
    {next::drop_eth_not_ours, drop_node_name(drop_reason::eth_not_ours)},
    {next::drop_ethertype, drop_node_name(drop_reason::ethertype)},
    {next::drop_arp_malformed, drop_node_name(drop_reason::arp_malformed)},
    {next::drop_ipv4_header, drop_node_name(drop_reason::ipv4_header)},
    {next::drop_ipv4_checksum, drop_node_name(drop_reason::ipv4_checksum)},
    {next::drop_ipv4_fragment, drop_node_name(drop_reason::ipv4_fragment)},
    {next::drop_ip_not_ours, drop_node_name(drop_reason::ip_not_ours)},
    {next::drop_ip_proto, drop_node_name(drop_reason::ip_proto)},
    {next::drop_ipv6_unsupported, drop_node_name(drop_reason::ipv6_unsupported)},
    {next::drop_ipv6_header, drop_node_name(drop_reason::ipv6_header)},
    {next::drop_ipv6_ext_header, drop_node_name(drop_reason::ipv6_ext_header)},
    {next::drop_ipv6_not_ours, drop_node_name(drop_reason::ipv6_not_ours)},
    {next::drop_icmp6_other, drop_node_name(drop_reason::icmp6_other)},
    {next::drop_udp6_zero_checksum, drop_node_name(drop_reason::udp6_zero_checksum)},
    {next::drop_udp_header, drop_node_name(drop_reason::udp_header)},
    {next::drop_udp_checksum, drop_node_name(drop_reason::udp_checksum)},
    {next::drop_udp_port, drop_node_name(drop_reason::udp_port)},
    {next::drop_peer_unknown, drop_node_name(drop_reason::peer_unknown)},
});

} // namespace

RNS_NODE_REGISTER({
    .name = "l3_input",
    .process = l3_input_process,
    .init = l3_input_init,
    .edges = l3_input_edges,
});

} // namespace rns::datapath
