// inject: source node that drains this worker's inject ring, filled by the control plane with
// packets it sends (DESIGN "Threads and cores": the control plane transmits through the workers'
// TX queues, never its own). RNS packets go through l3_output like forwarded ones; complete
// frames (ARP and ICMP replies) go straight to eth_tx of their port.
//
// Uses: priv.kind, priv.out_iface (RNS), mbuf->port (frames). Sets: nothing.
#include "router/datapath/dataplane.hpp"
#include "router/datapath/edges.hpp"
#include "router/datapath/node_registry.hpp"
#include "router/datapath/pkt_priv.hpp"

#include <rte_graph_worker.h>

namespace rns::datapath {

namespace {

enum class next : rte_edge_t { l3_output, drop_out_iface, first_port_edge };

struct inject_ctx {
    rte_ring* ring;
    const dataplane* dp;
};

int inject_init(const rte_graph* graph, rte_node* node) {
    worker_ctx* w = worker_of(graph);
    if (w == nullptr) {
        return -EINVAL;
    }
    node_ctx<inject_ctx>(node) = {w->inject, g_dataplane};
    return 0;
}

uint16_t inject_process(rte_graph* graph, rte_node* node, void**, uint16_t) noexcept {
    const auto& c = node_ctx<inject_ctx>(node);
    void* burst[64];
    const unsigned n = rte_ring_sc_dequeue_burst(c.ring, burst, 64, nullptr);
    for (unsigned i = 0; i < n; ++i) {
        auto* m = static_cast<rte_mbuf*>(burst[i]);
        if (priv(m).kind == pkt_kind::raw_frame) {
            const rte_edge_t e = m->port < RTE_MAX_ETHPORTS ? c.dp->inject_tx_edge[m->port] : 0;
            rte_node_enqueue_x1(graph, node, e != 0 ? e : edge(next::drop_out_iface), m);
        } else {
            priv(m).tail_sum_valid = false; // a fresh mbuf's private area holds stale values
            rte_node_enqueue_x1(graph, node, edge(next::l3_output), m);
        }
    }
    return static_cast<uint16_t>(n);
}

constexpr auto inject_edges = bind_edges<next::first_port_edge>({
    {next::l3_output, "l3_output"},
    {next::drop_out_iface, drop_node_name(drop_reason::out_iface)},
});

} // namespace

RNS_NODE_REGISTER({
    .name = "inject",
    .process = inject_process,
    .init = inject_init,
    .edges = inject_edges,
    .source = true,
});

} // namespace rns::datapath
