// proof_forward: proofs routed back along the reverse table (spec §6.11).
//
// classify took the entry out of the shared packet-hash table (it is consumed whether or not the
// proof is forwarded, also when the proof came in on the wrong interface). Forward iff the proof
// arrived on the entry's outbound interface: send raw[0] ‖ h ‖ raw[2:] on the entry's
// received-on interface.
//
// Uses: priv.reverse, priv.hops, priv.in_iface. Sets: priv.out_iface.
#include "router/datapath/dataplane.hpp"
#include "router/datapath/edges.hpp"
#include "router/datapath/fast_decisions.hpp"
#include "router/datapath/node_registry.hpp"
#include "router/datapath/rns_fields.hpp"

#include <rte_graph_worker.h>

namespace rns::datapath {

proof_edge proof_forward_packet(rte_mbuf* m) noexcept {
    pkt_priv& pp = priv(m);
    if (pp.in_iface != pp.reverse.outbound) {
        return proof_edge::drop_proof_wrong_iface;
    }
    write_hops(m);
    pp.out_iface = pp.reverse.received_on;
    return proof_edge::l3_output;
}

namespace {

struct proof_forward_ctx {
    worker_ctx* worker;
};

int proof_forward_init(const rte_graph* graph, rte_node* node) {
    worker_ctx* w = worker_of(graph);
    node_ctx<proof_forward_ctx>(node).worker = w;
    return w != nullptr ? 0 : -EINVAL;
}

uint16_t proof_forward_process(rte_graph* graph, rte_node* node, void** objs, uint16_t nb) noexcept {
    worker_ctx& w = *node_ctx<proof_forward_ctx>(node).worker;
    for (uint16_t i = 0; i < nb; ++i) {
        auto* m = static_cast<rte_mbuf*>(objs[i]);
        const proof_edge e = proof_forward_packet(m);
        if (e == proof_edge::l3_output) {
            w.count_forwarded(priv(m).out_iface);
        }
        rte_node_enqueue_x1(graph, node, edge(e), m);
    }
    return nb;
}

} // namespace

constexpr auto proof_forward_edges = bind_edges<proof_edge::count>({
    {proof_edge::l3_output, "l3_output"},
    {proof_edge::drop_proof_wrong_iface, drop_node_name(drop_reason::proof_wrong_iface)},
});

RNS_NODE_REGISTER({
    .name = "proof_forward",
    .process = proof_forward_process,
    .init = proof_forward_init,
    .edges = proof_forward_edges,
});

} // namespace rns::datapath
