// proof_forward: proofs routed back along the reverse table (spec §6.11).
//
// The entry is consumed whether or not the proof is forwarded (the control plane removes it on
// the feedback record and publishes the removal). Forward iff the proof arrived on the entry's
// outbound interface: send raw[0] ‖ h ‖ raw[2:] on the entry's received-on interface.
//
// Uses: priv.entry (reverse_entry), priv.hops, priv.in_iface. Sets: priv.out_iface.
#include "router/datapath/dataplane.hpp"
#include "router/datapath/edges.hpp"
#include "router/datapath/fast_tables.hpp"
#include "router/datapath/feedback.hpp"
#include "router/datapath/node_registry.hpp"
#include "router/datapath/rns_fields.hpp"

#include <rte_graph_worker.h>

namespace rns::datapath {

namespace {

enum class next : rte_edge_t { l3_output, drop_proof_wrong_iface, drop_feedback_full, count };

struct proof_forward_ctx {
    rte_ring* feedback;
};

int proof_forward_init(const rte_graph* graph, rte_node* node) {
    worker_ctx* w = worker_of(graph);
    node_ctx<proof_forward_ctx>(node).feedback = w != nullptr ? w->feedback : nullptr;
    return w != nullptr ? 0 : -EINVAL;
}

next proof_one(rte_ring* feedback, rte_mbuf* m) noexcept {
    pkt_priv& pp = priv(m);
    const auto& e = *static_cast<const reverse_entry*>(pp.entry);
    const bool right_iface = pp.in_iface == e.out_if;
    if (!send_feedback(feedback, feedback_kind::reverse_used, m, e.rcvd_if)) {
        return next::drop_feedback_full;
    }
    if (!right_iface) {
        return next::drop_proof_wrong_iface;
    }
    write_hops(m);
    pp.out_iface = e.rcvd_if;
    return next::l3_output;
}

uint16_t proof_forward_process(rte_graph* graph, rte_node* node, void** objs, uint16_t nb) noexcept {
    rte_ring* feedback = node_ctx<proof_forward_ctx>(node).feedback;
    for (uint16_t i = 0; i < nb; ++i) {
        auto* m = static_cast<rte_mbuf*>(objs[i]);
        rte_node_enqueue_x1(graph, node, edge(proof_one(feedback, m)), m);
    }
    return nb;
}

constexpr auto proof_forward_edges = bind_edges<next::count>({
    {next::l3_output, "l3_output"},
    {next::drop_proof_wrong_iface, drop_node_name(drop_reason::proof_wrong_iface)},
    {next::drop_feedback_full, drop_node_name(drop_reason::feedback_full)},
});

} // namespace

RNS_NODE_REGISTER({
    .name = "proof_forward",
    .process = proof_forward_process,
    .init = proof_forward_init,
    .edges = proof_forward_edges,
});

} // namespace rns::datapath
