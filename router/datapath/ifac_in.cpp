// ifac_in: Interface Access Codes on the way in (spec §9.3), for packets from interfaces that
// have IFAC (rns_parse sends only those here; other interfaces never pay for it). The access code
// is verified and stripped in the mbuf; a good packet then gets the same header checks as in
// rns_parse and continues exactly as if it had been received without IFAC (spec §6.2 step 2).
// A packet without the IFAC flag, too short for its code, or with a wrong code is dropped by name.
//
// Uses: priv.in_iface. Sets: what rns_parse sets (priv.flags, priv.hops, priv.context).
#include "router/datapath/dataplane.hpp"
#include "router/datapath/edges.hpp"
#include "router/datapath/ifac_mbuf.hpp"
#include "router/datapath/node_registry.hpp"
#include "router/datapath/pkt_priv.hpp"
#include "router/datapath/rns_parse.hpp"

#include <rte_graph_worker.h>

namespace rns::datapath {

namespace {

enum class next : rte_edge_t {
    packet_hash,
    drop_ifac_missing,
    drop_ifac_short,
    drop_ifac_mismatch,
    drop_rns_short,
    drop_rns_oversize,
    drop_rns_ifac_flag,
    drop_rns_hop_limit,
    drop_rns_other_transport,
    count,
};

struct ifac_in_ctx {
    const dataplane* dp;
};

int ifac_in_init(const rte_graph*, rte_node* node) {
    node_ctx<ifac_in_ctx>(node).dp = g_dataplane;
    return g_dataplane != nullptr ? 0 : -EINVAL;
}

next ifac_in_one(const dataplane& dp, rte_mbuf* m) noexcept {
    const ifac::key* k = dp.ifac_keys[priv(m).in_iface]; // rns_parse checked: in range, not null
    switch (ifac_strip(*k, m, dp.rns_mtu)) {
    case ifac_strip_result::ok:
        break;
    case ifac_strip_result::too_short:
        return next::drop_rns_short;
    case ifac_strip_result::missing:
        return next::drop_ifac_missing;
    case ifac_strip_result::short_:
        return next::drop_ifac_short;
    case ifac_strip_result::oversize:
        return next::drop_rns_oversize;
    case ifac_strip_result::mismatch:
        return next::drop_ifac_mismatch;
    }
    switch (check_rns_header(dp, m)) {
    case rns_check::ok:
        return next::packet_hash;
    case rns_check::too_short:
        return next::drop_rns_short;
    case rns_check::oversize:
        return next::drop_rns_oversize;
    case rns_check::ifac_flag: // cannot happen: stripping clears bit 7
        return next::drop_rns_ifac_flag;
    case rns_check::hop_limit:
        return next::drop_rns_hop_limit;
    case rns_check::other_transport:
        return next::drop_rns_other_transport;
    }
    return next::drop_rns_short;
}

uint16_t ifac_in_process(rte_graph* graph, rte_node* node, void** objs, uint16_t nb) noexcept {
    const dataplane& dp = *node_ctx<ifac_in_ctx>(node).dp;
    for (uint16_t i = 0; i < nb; ++i) {
        auto* m = static_cast<rte_mbuf*>(objs[i]);
        rte_node_enqueue_x1(graph, node, edge(ifac_in_one(dp, m)), m);
    }
    return nb;
}

constexpr auto ifac_in_edges = bind_edges<next::count>({
    {next::packet_hash, "packet_hash"},
    {next::drop_ifac_missing, drop_node_name(drop_reason::ifac_missing)},
    {next::drop_ifac_short, drop_node_name(drop_reason::ifac_short)},
    {next::drop_ifac_mismatch, drop_node_name(drop_reason::ifac_mismatch)},
    {next::drop_rns_short, drop_node_name(drop_reason::rns_short)},
    {next::drop_rns_oversize, drop_node_name(drop_reason::rns_oversize)},
    {next::drop_rns_ifac_flag, drop_node_name(drop_reason::rns_ifac_flag)},
    {next::drop_rns_hop_limit, drop_node_name(drop_reason::rns_hop_limit)},
    {next::drop_rns_other_transport, drop_node_name(drop_reason::rns_other_transport)},
});

} // namespace

RNS_NODE_REGISTER({
    .name = "ifac_in",
    .process = ifac_in_process,
    .init = ifac_in_init,
    .edges = ifac_in_edges,
});

} // namespace rns::datapath
