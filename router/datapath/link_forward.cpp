// link_forward: packets whose destination is a link id in the link table (spec §6.5).
//
// With in = receiving interface and h = incremented hops:
//   nh_if == rcvd_if (both ends behind one interface): forward on it iff h == remaining or
//                                                      h == taken;
//   in == nh_if and h == remaining: towards the initiator, on rcvd_if;
//   in == rcvd_if and h == taken:   towards the destination, on nh_if;
//   otherwise nothing (e.g. overheard on a shared medium): dropped as link_hops.
// A forwarded packet is remembered in the shared packet-hash table now (deferred by dedup, spec
// §6.2 step 6); a copy that another core forwarded first is a duplicate. Flags are unchanged, h
// is written, and the link's use this second is recorded (the control plane collects it for the
// entry timestamp, spec §6.5).
//
// Uses: priv.route (link), priv.hops, priv.in_iface, priv.hash. Sets: priv.out_iface.
#include "router/datapath/dataplane.hpp"
#include "router/datapath/edges.hpp"
#include "router/datapath/fast_tables.hpp"
#include "router/datapath/fast_decisions.hpp"
#include "router/datapath/node_registry.hpp"
#include "router/datapath/rns_fields.hpp"

#include <rte_graph_worker.h>

namespace rns::datapath {

namespace {

using next = link_edge;

struct link_forward_ctx {
    fast_tables* tables;
    worker_ctx* worker;
};

int link_forward_init(const rte_graph* graph, rte_node* node) {
    worker_ctx* w = worker_of(graph);
    if (w == nullptr || g_dataplane == nullptr) {
        return -EINVAL;
    }
    node_ctx<link_forward_ctx>(node) = {g_dataplane->tables, w};
    return 0;
}

} // namespace

link_edge link_forward_packet(packet_hash_table& t, rte_mbuf* m, std::uint32_t now, unsigned who) noexcept {
    pkt_priv& pp = priv(m);
    const control::fast_link_entry& e = pp.route.link;
    const std::uint16_t in = pp.in_iface;
    const std::uint8_t h = pp.hops;
    std::uint16_t out = 0;
    if (e.nh_iface == e.received_on) {
        if (h != e.remaining_hops && h != e.taken_hops) {
            return next::drop_link_hops;
        }
        out = e.nh_iface;
    } else if (in == e.nh_iface && h == e.remaining_hops) {
        out = e.received_on;
    } else if (in == e.received_on && h == e.taken_hops) {
        out = e.nh_iface;
    } else {
        return next::drop_link_hops;
    }
    if (!t.insert(pp.hash.data(), now, who)) {
        return next::drop_duplicate;
    }
    if (pp.route.at != nullptr) {
        pp.route.at->link_used.touch(now);
    }
    write_hops(m);
    pp.out_iface = out;
    return next::l3_output;
}

namespace {

uint16_t link_forward_process(rte_graph* graph, rte_node* node, void** objs, uint16_t nb) noexcept {
    const auto& c = node_ctx<link_forward_ctx>(node);
    const std::uint32_t now = c.tables->now_s.load(std::memory_order_relaxed);
    const unsigned who = c.worker->index;
    for (uint16_t i = 0; i < nb; ++i) {
        auto* m = static_cast<rte_mbuf*>(objs[i]);
        const auto e = link_forward_packet(c.tables->hashes, m, now, who);
        if (e == link_edge::l3_output) {
            c.worker->count_forwarded(priv(m).out_iface);
        }
        rte_node_enqueue_x1(graph, node, edge(e), m);
    }
    return nb;
}

} // namespace

constexpr auto link_forward_edges = bind_edges<link_edge::count>({
    {link_edge::l3_output, "l3_output"},
    {link_edge::drop_link_hops, drop_node_name(drop_reason::link_hops)},
    {link_edge::drop_duplicate, drop_node_name(drop_reason::duplicate)},
});

RNS_NODE_REGISTER({
    .name = "link_forward",
    .process = link_forward_process,
    .init = link_forward_init,
    .edges = link_forward_edges,
});

} // namespace rns::datapath
