// l3_input: Ethernet → ARP / IPv4 / UDP checks → RNS interface (DESIGN "The fast path").
//
// Checks, in order, the way a host's input path does (RFC 1122 §3.2.1 for IPv4, RFC 768 for UDP):
// Ethernet length and destination MAC, EtherType, IPv4 version/IHL/length/checksum, fragments,
// destination address (ours or the subnet/limited broadcast), protocol, UDP length, port and
// checksum. ARP and ICMP echo requests go to the control plane, which answers them. A valid
// datagram for the RNS port is stripped to its payload (one RNS packet per datagram, spec §10.3)
// and attributed to the RNS interface of its sender (UDP peer table).
//
// Uses: mbuf->port. Sets: priv.in_iface, priv.kind; for new peers priv.src_ip4/src_port/l2_port.
#include "router/datapath/nodes.hpp"

#include "router/datapath/dataplane.hpp"
#include "router/datapath/edges.hpp"
#include "router/datapath/node_registry.hpp"
#include "router/datapath/pkt_priv.hpp"

#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_graph_worker.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_udp.h>

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
    drop_udp_header,
    drop_udp_checksum,
    drop_udp_port,
    drop_peer_unknown,
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
    const std::uint32_t l4_len = total - ihl;
    auto* udp = reinterpret_cast<rte_udp_hdr*>(reinterpret_cast<std::uint8_t*>(ip) + ihl);
    if (l4_len < sizeof(rte_udp_hdr)) {
        return next::drop_udp_header;
    }
    const std::uint32_t udp_len = rte_be_to_cpu_16(udp->dgram_len);
    if (udp_len < sizeof(rte_udp_hdr) || udp_len > l4_len) {
        return next::drop_udp_header;
    }
    const udp_listener* listener = port.listener(udp->dst_port);
    if (listener == nullptr) {
        return next::drop_udp_port;
    }
    // A zero UDP checksum means "not computed" over IPv4 (RFC 768).
    const std::uint64_t l4ck = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
    if (l4ck == RTE_MBUF_F_RX_L4_CKSUM_BAD) {
        return next::drop_udp_checksum;
    }
    if (udp->dgram_cksum != 0 && l4ck != RTE_MBUF_F_RX_L4_CKSUM_GOOD &&
        rte_ipv4_udptcp_cksum_verify(ip, udp) != 0) {
        return next::drop_udp_checksum;
    }
    const std::uint16_t iface = dp.peers->lookup(m->port, ip->src_addr, udp->src_port);
    auto& pp = priv(m);
    const std::uint32_t src_ip = ip->src_addr;
    const rte_ether_addr src_mac = rte_pktmbuf_mtod(m, const rte_ether_hdr*)->src_addr;
    const std::uint16_t src_port = udp->src_port;
    // Strip to the UDP payload: one RNS packet (spec §10.3), without Ethernet padding.
    rte_pktmbuf_adj(m, static_cast<std::uint16_t>(sizeof(rte_ether_hdr) + ihl + sizeof(rte_udp_hdr)));
    rte_pktmbuf_trim(m, static_cast<std::uint16_t>(rte_pktmbuf_data_len(m) - (udp_len - sizeof(rte_udp_hdr))));
    if (iface != drivers::no_iface) {
        pp.in_iface = iface;
        pp.kind = pkt_kind::rns;
        return next::rns_parse;
    }
    if (listener->default_iface != drivers::no_iface) {
        pp.in_iface = listener->default_iface;
        pp.kind = pkt_kind::rns;
        return next::rns_parse;
    }
    if (listener->learn) {
        pp.kind = pkt_kind::new_peer;
        pp.src_ip4 = src_ip;
        pp.src_port = src_port;
        pp.dst_udp = listener->udp;
        pp.l2_port = m->port;
        pp.src_mac = src_mac;
        return next::punt;
    }
    return next::drop_peer_unknown;
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
        return next::drop_ipv6_unsupported;
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

} // namespace

void register_l3_input() {
    register_node({.name = "l3_input",
                   .process = l3_input_process,
                   .init = l3_input_init,
                   .edges = edge_names({"rns_parse", "punt"},
                                       {drop_reason::foreign_mbuf, drop_reason::eth_short,
                                        drop_reason::eth_not_ours, drop_reason::ethertype,
                                        drop_reason::arp_malformed, drop_reason::ipv4_header,
                                        drop_reason::ipv4_checksum, drop_reason::ipv4_fragment,
                                        drop_reason::ip_not_ours, drop_reason::ip_proto,
                                        drop_reason::ipv6_unsupported, drop_reason::udp_header,
                                        drop_reason::udp_checksum, drop_reason::udp_port,
                                        drop_reason::peer_unknown})});
}

} // namespace rns::datapath
