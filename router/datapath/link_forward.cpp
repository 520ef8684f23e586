// link_forward: packets whose destination is a link id in the link table (spec §6.5).
//
// With in = receiving interface and h = incremented hops:
//   nh_if == rcvd_if (both ends behind one interface): forward on it iff h == remaining or
//                                                      h == taken;
//   in == nh_if and h == remaining: towards the initiator, on rcvd_if;
//   in == rcvd_if and h == taken:   towards the destination, on nh_if;
//   otherwise nothing (e.g. overheard on a shared medium): dropped as link_hops.
// A forwarded packet is remembered in the dedup set now (deferred by dedup, spec §6.2 step 6); a
// copy that another core forwarded first is a duplicate. Flags are unchanged, h is written.
//
// Uses: priv.entry (link_entry), priv.hops, priv.in_iface, priv.hash. Sets: priv.out_iface.
#include "router/datapath/dataplane.hpp"
#include "router/datapath/edges.hpp"
#include "router/datapath/fast_tables.hpp"
#include "router/datapath/feedback.hpp"
#include "router/datapath/node_registry.hpp"
#include "router/datapath/rns_fields.hpp"

#include <rte_graph_worker.h>

namespace rns::datapath {

namespace {

enum class next : rte_edge_t { l3_output, drop_link_hops, drop_duplicate, drop_feedback_full, count };

struct link_forward_ctx {
    rte_ring* feedback;
    fast_tables* tables;
};

int link_forward_init(const rte_graph* graph, rte_node* node) {
    worker_ctx* w = worker_of(graph);
    if (w == nullptr) {
        return -EINVAL;
    }
    node_ctx<link_forward_ctx>(node) = {w->feedback, g_dataplane->tables};
    return 0;
}

next link_one(const link_forward_ctx& c, rte_mbuf* m) noexcept {
    pkt_priv& pp = priv(m);
    const auto& e = *static_cast<const link_entry*>(pp.entry);
    const std::uint16_t in = pp.in_iface;
    const std::uint8_t h = pp.hops;
    std::uint16_t out = 0;
    if (e.nh_if == e.rcvd_if) {
        if (h != e.remaining && h != e.taken) {
            return next::drop_link_hops;
        }
        out = e.nh_if;
    } else if (in == e.nh_if && h == e.remaining) {
        out = e.rcvd_if;
    } else if (in == e.rcvd_if && h == e.taken) {
        out = e.nh_if;
    } else {
        return next::drop_link_hops;
    }
    if (!c.tables->dedup.insert(dedup_set::fingerprint(pp.hash.data()))) {
        return next::drop_duplicate;
    }
    if (!send_feedback(c.feedback, feedback_kind::link_forwarded, m, out)) {
        return next::drop_feedback_full;
    }
    write_hops(m);
    pp.out_iface = out;
    return next::l3_output;
}

uint16_t link_forward_process(rte_graph* graph, rte_node* node, void** objs, uint16_t nb) noexcept {
    const auto& c = node_ctx<link_forward_ctx>(node);
    for (uint16_t i = 0; i < nb; ++i) {
        auto* m = static_cast<rte_mbuf*>(objs[i]);
        rte_node_enqueue_x1(graph, node, edge(link_one(c, m)), m);
    }
    return nb;
}

constexpr auto link_forward_edges = bind_edges<next::count>({
    {next::l3_output, "l3_output"},
    {next::drop_link_hops, drop_node_name(drop_reason::link_hops)},
    {next::drop_duplicate, drop_node_name(drop_reason::duplicate)},
    {next::drop_feedback_full, drop_node_name(drop_reason::feedback_full)},
});

} // namespace

RNS_NODE_REGISTER({
    .name = "link_forward",
    .process = link_forward_process,
    .init = link_forward_init,
    .edges = link_forward_edges,
});

} // namespace rns::datapath
