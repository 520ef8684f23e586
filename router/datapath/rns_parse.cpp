// rns_parse: the RNS header (spec §4.2) and the first packet-filter rule (spec §6.3 rule 1).
//
// spec §6.2 step 2-4: a packet from an interface with IFAC goes to ifac_in first (which strips the
// access code and then runs the same checks); on the other interfaces a set IFAC bit is dropped.
// The header must be complete, a hop byte >= 128 is dropped like the reference's unpack, then the
// hop count is incremented for the hop onto this node.
// spec §6.3 rule 1: a HEADER_2 packet that is not an announce and is addressed to another
// transport node is dropped.
//
// Uses: priv.in_iface. Sets: priv.flags, priv.hops (incremented), priv.context.
#include "router/datapath/rns_parse.hpp"

#include "router/datapath/dataplane.hpp"
#include "router/datapath/edges.hpp"
#include "router/datapath/node_registry.hpp"
#include "router/datapath/pkt_priv.hpp"
#include "router/rns/packet.hpp"

#include <rte_graph_worker.h>

#include <cstring>

namespace rns::datapath {

rns_check check_rns_header(const dataplane& dp, rte_mbuf* m) noexcept {
    const byte_view raw(rte_pktmbuf_mtod(m, const std::uint8_t*), rte_pktmbuf_data_len(m));
    const parse_result r = parse_packet(raw, dp.rns_mtu, ifac_bit::reject);
    switch (r.error) {
    case parse_error::ok:
        break;
    case parse_error::too_short:
        return rns_check::too_short;
    case parse_error::oversize:
        return rns_check::oversize;
    case parse_error::ifac_flag_set:
        return rns_check::ifac_flag;
    case parse_error::hop_limit:
        return rns_check::hop_limit;
    }
    const packet_view& p = r.packet;
    if (p.is_header_2() && p.flags.type != packet_type::announce &&
        std::memcmp(p.transport_id.data(), dp.transport_id.data(), 16) != 0) {
        return rns_check::other_transport;
    }
    auto& pp = priv(m);
    pp.flags = p.flags_byte;
    pp.hops = static_cast<std::uint8_t>(p.hops + 1); // spec §6.2 step 4 (< 129, fits)
    pp.context = p.context;
    return rns_check::ok;
}

namespace {

enum class next : rte_edge_t {
    packet_hash,
    ifac_in,
    drop_rns_short,
    drop_rns_oversize,
    drop_rns_ifac_flag,
    drop_rns_hop_limit,
    drop_rns_other_transport,
    count,
};

struct rns_parse_ctx {
    const dataplane* dp;
};

int rns_parse_init(const rte_graph*, rte_node* node) {
    node_ctx<rns_parse_ctx>(node).dp = g_dataplane;
    return g_dataplane != nullptr ? 0 : -EINVAL;
}

next parse_one(const dataplane& dp, rte_mbuf* m) noexcept {
    // spec §9.3: IFAC interfaces verify and strip first. One load per packet elsewhere.
    const std::uint16_t in = priv(m).in_iface;
    if (in < dp.ifac_keys.size() && dp.ifac_keys[in] != nullptr) {
        return next::ifac_in;
    }
    switch (check_rns_header(dp, m)) {
    case rns_check::ok:
        return next::packet_hash;
    case rns_check::too_short:
        return next::drop_rns_short;
    case rns_check::oversize:
        return next::drop_rns_oversize;
    case rns_check::ifac_flag:
        return next::drop_rns_ifac_flag;
    case rns_check::hop_limit:
        return next::drop_rns_hop_limit;
    case rns_check::other_transport:
        return next::drop_rns_other_transport;
    }
    return next::drop_rns_short;
}

uint16_t rns_parse_process(rte_graph* graph, rte_node* node, void** objs, uint16_t nb) noexcept {
    const dataplane& dp = *node_ctx<rns_parse_ctx>(node).dp;
    for (uint16_t i = 0; i < nb; ++i) {
        auto* m = static_cast<rte_mbuf*>(objs[i]);
        rte_node_enqueue_x1(graph, node, edge(parse_one(dp, m)), m);
    }
    return nb;
}

constexpr auto rns_parse_edges = bind_edges<next::count>({
    {next::packet_hash, "packet_hash"},
    {next::ifac_in, "ifac_in"},
    {next::drop_rns_short, drop_node_name(drop_reason::rns_short)},
    {next::drop_rns_oversize, drop_node_name(drop_reason::rns_oversize)},
    {next::drop_rns_ifac_flag, drop_node_name(drop_reason::rns_ifac_flag)},
    {next::drop_rns_hop_limit, drop_node_name(drop_reason::rns_hop_limit)},
    {next::drop_rns_other_transport, drop_node_name(drop_reason::rns_other_transport)},
});

} // namespace

RNS_NODE_REGISTER({
    .name = "rns_parse",
    .process = rns_parse_process,
    .init = rns_parse_init,
    .edges = rns_parse_edges,
});

} // namespace rns::datapath
