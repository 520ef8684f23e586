// punt: hands packets to the control plane through this worker's punt ring (DESIGN "Threads and
// cores"). A full ring drops (the data plane never waits for the control plane).
//
// Uses: priv.kind, priv.in_iface (and the new-peer fields). Sets: nothing.
#include "router/datapath/dataplane.hpp"
#include "router/datapath/edges.hpp"
#include "router/datapath/node_registry.hpp"

#include <rte_graph_worker.h>

namespace rns::datapath {

namespace {

enum class next : rte_edge_t { drop_punt_full, count };

struct punt_ctx {
    rte_ring* ring;
};

int punt_init(const rte_graph* graph, rte_node* node) {
    worker_ctx* w = worker_of(graph);
    node_ctx<punt_ctx>(node).ring = w != nullptr ? w->punt : nullptr;
    return w != nullptr ? 0 : -EINVAL;
}

uint16_t punt_process(rte_graph* graph, rte_node* node, void** objs, uint16_t nb) noexcept {
    const unsigned sent = rte_ring_sp_enqueue_burst(node_ctx<punt_ctx>(node).ring, objs, nb, nullptr);
    if (sent < nb) {
        rte_node_enqueue(graph, node, edge(next::drop_punt_full), objs + sent,
                         static_cast<uint16_t>(nb - sent));
    }
    return nb;
}

constexpr auto punt_edges = bind_edges<next::count>({
    {next::drop_punt_full, drop_node_name(drop_reason::punt_full)},
});

} // namespace

RNS_NODE_REGISTER({
    .name = "punt",
    .process = punt_process,
    .init = punt_init,
    .edges = punt_edges,
});

} // namespace rns::datapath
