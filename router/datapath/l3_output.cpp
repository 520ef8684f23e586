// l3_output: wraps an RNS packet in UDP/IPv4 or UDP/IPv6/Ethernet for its output interface (one packet per
// datagram, spec §10.3) and hands it to eth_tx of the interface's port.
//
// IPv4: DF set, ID 0 (RFC 6864 allows it for atomic datagrams), TTL 64. The UDP checksum is always
// filled (the reference's kernel sockets always fill it): for a forwarded packet from the tail sum
// l3_input kept (udp_cksum.hpp: the new RNS header, UDP header and pseudo-header added to it, no
// pass over the payload); for the control plane's packets and after IFAC masking, over the payload.
//
// On an interface with IFAC (spec §9.2) the access code is added first: in the mbuf's headroom,
// the payload masked in place; a packet over the RNS MTU cannot take it and is dropped by name.
// Kernel interfaces (TCP/UDP sockets of the io thread) take the IFAC step too, then go to io_tx
// with mbuf->port set to their io interface id.
//
// Uses: priv.out_iface, priv.tail_sum(_valid). Sets: mbuf->port, l2/l3 lengths.
#include "router/datapath/dataplane.hpp"
#include "router/datapath/edges.hpp"
#include "router/datapath/ifac_mbuf.hpp"
#include "router/datapath/node_registry.hpp"
#include "router/datapath/pkt_priv.hpp"
#include "router/datapath/udp_cksum.hpp"

#include <rte_ether.h>
#include <rte_graph_worker.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include <cstring>

namespace rns::datapath {

namespace {

enum class next : rte_edge_t {
    drop_out_iface,
    drop_neighbor_unresolved,
    drop_no_headroom,
    drop_ifac_out_mtu,
    drop_rns_short,
    count,
};

struct l3_output_ctx {
    const dataplane* dp;
};

int l3_output_init(const rte_graph*, rte_node* node) {
    node_ctx<l3_output_ctx>(node).dp = g_dataplane;
    return g_dataplane != nullptr ? 0 : -EINVAL;
}

constexpr std::uint16_t headers_len =
    sizeof(rte_ether_hdr) + sizeof(rte_ipv4_hdr) + sizeof(rte_udp_hdr);
constexpr std::uint16_t headers6_len =
    sizeof(rte_ether_hdr) + sizeof(rte_ipv6_hdr) + sizeof(rte_udp_hdr);

// The one's complement sum of the RNS packet m holds, before the headers are prepended.
[[nodiscard]] std::uint16_t payload_sum(rte_mbuf* m, bool incremental) noexcept {
    return tx_payload_sum(rte_pktmbuf_mtod(m, const std::uint8_t*), rte_pktmbuf_data_len(m), incremental,
                          priv(m).tail_sum);
}

// IPv6: hop limit 64, no flow label; the UDP checksum is mandatory (RFC 8200 §8.1) and a
// computed zero is sent as 0xffff (udp_cksum_field does that).
rte_edge_t output6(const dataplane& dp, const iface_tx& tx, rte_mbuf* m, bool incremental) noexcept {
    const port_l3& port = dp.ports[tx.eth_port];
    const std::uint16_t payload = rte_pktmbuf_data_len(m);
    const std::uint16_t sum = payload_sum(m, incremental);
    auto* eth = reinterpret_cast<rte_ether_hdr*>(rte_pktmbuf_prepend(m, headers6_len));
    if (eth == nullptr) {
        return edge(next::drop_no_headroom);
    }
    eth->dst_addr = tx.dst_mac;
    eth->src_addr = port.mac;
    eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
    auto* ip = reinterpret_cast<rte_ipv6_hdr*>(eth + 1);
    ip->vtc_flow = RTE_BE32(6U << 28);
    ip->payload_len = rte_cpu_to_be_16(static_cast<std::uint16_t>(sizeof(rte_udp_hdr) + payload));
    ip->proto = IPPROTO_UDP;
    ip->hop_limits = 64;
    std::memcpy(ip->src_addr, port.ip6.data(), 16);
    std::memcpy(ip->dst_addr, tx.dst_ip6.data(), 16);
    auto* udp = reinterpret_cast<rte_udp_hdr*>(ip + 1);
    udp->src_port = tx.src_udp;
    udp->dst_port = tx.dst_udp;
    udp->dgram_len = ip->payload_len;
    udp->dgram_cksum = udp_cksum_field(
        ipv6_pseudo_sum(ip->src_addr, static_cast<std::uint16_t>(sizeof(rte_udp_hdr) + payload)), *udp, sum);
    m->l2_len = sizeof(rte_ether_hdr);
    m->l3_len = sizeof(rte_ipv6_hdr);
    m->port = tx.eth_port;
    const rte_edge_t e = dp.l3_output_tx_edge[tx.eth_port];
    return e != 0 ? e : edge(next::drop_out_iface);
}

rte_edge_t output_one(const dataplane& dp, rte_mbuf* m) noexcept {
    const iface_tx* tx = dp.peers->tx(priv(m).out_iface);
    if (tx == nullptr) {
        return edge(next::drop_out_iface);
    }
    if (!tx->resolved) {
        return edge(next::drop_neighbor_unresolved);
    }
    // spec §9.2; tx != nullptr means out_iface < max_ifaces. One load on interfaces without IFAC.
    // Masking rewrites the whole payload: its sum is then taken over the bytes.
    bool incremental = priv(m).tail_sum_valid;
    if (const ifac::key* k = dp.ifac_keys[priv(m).out_iface]; k != nullptr) {
        incremental = false;
        switch (ifac_add(*k, m, dp.rns_mtu)) {
        case ifac_add_result::ok:
            break;
        case ifac_add_result::too_short:
            return edge(next::drop_rns_short);
        case ifac_add_result::oversize:
            return edge(next::drop_ifac_out_mtu);
        case ifac_add_result::no_room:
            return edge(next::drop_no_headroom);
        }
    }
    if (tx->io) {
        // A kernel interface: the io thread frames (TCP, spec §10.1) or sends the datagram.
        m->port = tx->io_id;
        return dp.l3_output_io_edge != 0 ? dp.l3_output_io_edge : edge(next::drop_out_iface);
    }
    if (tx->ipv6) {
        return output6(dp, *tx, m, incremental);
    }
    const port_l3& port = dp.ports[tx->eth_port];
    const std::uint16_t payload = rte_pktmbuf_data_len(m);
    const std::uint16_t sum = payload_sum(m, incremental);
    auto* eth = reinterpret_cast<rte_ether_hdr*>(rte_pktmbuf_prepend(m, headers_len));
    if (eth == nullptr) {
        return edge(next::drop_no_headroom);
    }
    eth->dst_addr = tx->dst_mac;
    eth->src_addr = port.mac;
    eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
    auto* ip = reinterpret_cast<rte_ipv4_hdr*>(eth + 1);
    ip->version_ihl = RTE_IPV4_VHL_DEF;
    ip->type_of_service = 0;
    ip->total_length = rte_cpu_to_be_16(
        static_cast<std::uint16_t>(sizeof(rte_ipv4_hdr) + sizeof(rte_udp_hdr) + payload));
    ip->packet_id = 0;
    ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
    ip->time_to_live = 64;
    ip->next_proto_id = IPPROTO_UDP;
    ip->hdr_checksum = 0;
    ip->src_addr = port.ip4;
    ip->dst_addr = tx->dst_ip4;
    ip->hdr_checksum = rte_ipv4_cksum(ip);
    auto* udp = reinterpret_cast<rte_udp_hdr*>(ip + 1);
    udp->src_port = tx->src_udp;
    udp->dst_port = tx->dst_udp;
    const auto udp_len = static_cast<std::uint16_t>(sizeof(rte_udp_hdr) + payload);
    udp->dgram_len = rte_cpu_to_be_16(udp_len);
    udp->dgram_cksum = udp_cksum_field(ipv4_pseudo_sum(ip->src_addr, ip->dst_addr, udp_len), *udp, sum);
    m->l2_len = sizeof(rte_ether_hdr);
    m->l3_len = sizeof(rte_ipv4_hdr);
    m->port = tx->eth_port;
    const rte_edge_t e = dp.l3_output_tx_edge[tx->eth_port];
    return e != 0 ? e : edge(next::drop_out_iface);
}

uint16_t l3_output_process(rte_graph* graph, rte_node* node, void** objs, uint16_t nb) noexcept {
    const dataplane& dp = *node_ctx<l3_output_ctx>(node).dp;
    for (uint16_t i = 0; i < nb; ++i) {
        auto* m = static_cast<rte_mbuf*>(objs[i]);
        rte_node_enqueue_x1(graph, node, output_one(dp, m), m);
    }
    return nb;
}

constexpr auto l3_output_edges = bind_edges<next::count>({
    {next::drop_out_iface, drop_node_name(drop_reason::out_iface)},
    {next::drop_neighbor_unresolved, drop_node_name(drop_reason::neighbor_unresolved)},
    {next::drop_no_headroom, drop_node_name(drop_reason::no_headroom)},
    {next::drop_ifac_out_mtu, drop_node_name(drop_reason::ifac_out_mtu)},
    {next::drop_rns_short, drop_node_name(drop_reason::rns_short)},
});

} // namespace

RNS_NODE_REGISTER({
    .name = "l3_output",
    .process = l3_output_process,
    .init = l3_output_init,
    .edges = l3_output_edges,
});

} // namespace rns::datapath
