// forward: HEADER_2 packets addressed to us, destination in the path table (spec §6.4).
//
// With remaining = path hops and h = the incremented hop count:
//   remaining > 1:  keep the flags, write h, replace the transport id with the path's next hop;
//   remaining == 1: strip to HEADER_1 BROADCAST: flags & 0x0F, h, raw[18:] (done in place: the
//                   new two header bytes are written just before the destination hash and the
//                   16 transport-id bytes are trimmed off the front);
//   remaining == 0: (destination on a local client) keep the header, write h.
// The control plane is told (feedback ring) so it refreshes the path timestamp, adds the reverse
// entry and remembers the hash, exactly as if it had forwarded the packet.
//
// Uses: priv.entry (path_entry), priv.hops, priv.in_iface. Sets: priv.out_iface.
#include "router/datapath/dataplane.hpp"
#include "router/datapath/edges.hpp"
#include "router/datapath/fast_tables.hpp"
#include "router/datapath/feedback.hpp"
#include "router/datapath/node_registry.hpp"
#include "router/datapath/rns_fields.hpp"

#include <rte_graph_worker.h>

#include <cstring>

namespace rns::datapath {

namespace {

enum class next : rte_edge_t { l3_output, drop_feedback_full, count };

struct forward_ctx {
    rte_ring* feedback;
};

int forward_init(const rte_graph* graph, rte_node* node) {
    worker_ctx* w = worker_of(graph);
    node_ctx<forward_ctx>(node).feedback = w != nullptr ? w->feedback : nullptr;
    return w != nullptr ? 0 : -EINVAL;
}

next forward_one(rte_ring* feedback, rte_mbuf* m) noexcept {
    pkt_priv& pp = priv(m);
    const auto& e = *static_cast<const path_entry*>(pp.entry);
    if (!send_feedback(feedback, feedback_kind::forwarded, m, e.out)) {
        return next::drop_feedback_full;
    }
    auto* raw = rte_pktmbuf_mtod(m, std::uint8_t*);
    if (e.hops > 1) {
        raw[1] = pp.hops;
        std::memcpy(raw + 2, e.next_hop.data(), 16);
    } else if (e.hops == 1) {
        raw[16] = static_cast<std::uint8_t>(pp.flags & 0x0f);
        raw[17] = pp.hops;
        rte_pktmbuf_adj(m, 16);
    } else {
        raw[1] = pp.hops;
    }
    pp.out_iface = e.out;
    return next::l3_output;
}

uint16_t forward_process(rte_graph* graph, rte_node* node, void** objs, uint16_t nb) noexcept {
    rte_ring* feedback = node_ctx<forward_ctx>(node).feedback;
    for (uint16_t i = 0; i < nb; ++i) {
        auto* m = static_cast<rte_mbuf*>(objs[i]);
        rte_node_enqueue_x1(graph, node, edge(forward_one(feedback, m)), m);
    }
    return nb;
}

constexpr auto forward_edges = bind_edges<next::count>({
    {next::l3_output, "l3_output"},
    {next::drop_feedback_full, drop_node_name(drop_reason::feedback_full)},
});

} // namespace

RNS_NODE_REGISTER({
    .name = "forward",
    .process = forward_process,
    .init = forward_init,
    .edges = forward_edges,
});

} // namespace rns::datapath
