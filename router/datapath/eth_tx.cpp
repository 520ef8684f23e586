// eth_tx: one clone per port ("eth_tx-p<port>"); each worker sends on its own TX queue (queue =
// worker index), so no two cores share a queue. What the queue does not take is dropped.
//
// Uses: nothing. Sets: nothing.
#include "router/datapath/dataplane.hpp"
#include "router/datapath/edges.hpp"
#include "router/datapath/node_registry.hpp"

#include <rte_ethdev.h>
#include <rte_graph_worker.h>

#include <cstdio>
#include <stdexcept>

namespace rns::datapath {

namespace {

enum class next : rte_edge_t { drop_tx_full, count };

struct eth_tx_ctx {
    std::uint16_t port;
    std::uint16_t queue;
};

int eth_tx_init(const rte_graph* graph, rte_node* node) {
    unsigned port = 0;
    worker_ctx* w = worker_of(graph);
    if (w == nullptr || std::sscanf(node->name, "eth_tx-p%u", &port) != 1) {
        return -EINVAL;
    }
    node_ctx<eth_tx_ctx>(node) = {static_cast<std::uint16_t>(port), w->index};
    return 0;
}

uint16_t eth_tx_process(rte_graph* graph, rte_node* node, void** objs, uint16_t nb) noexcept {
    const auto& c = node_ctx<eth_tx_ctx>(node);
    const uint16_t sent = rte_eth_tx_burst(c.port, c.queue, reinterpret_cast<rte_mbuf**>(objs), nb);
    if (sent < nb) {
        rte_node_enqueue(graph, node, edge(next::drop_tx_full), objs + sent,
                         static_cast<uint16_t>(nb - sent));
    }
    return nb;
}

constexpr auto eth_tx_edges = bind_edges<next::count>({
    {next::drop_tx_full, drop_node_name(drop_reason::tx_full)},
});

} // namespace

RNS_NODE_REGISTER({
    .name = "eth_tx",
    .process = eth_tx_process,
    .init = eth_tx_init,
    .edges = eth_tx_edges,
    .clones = node_clones::per_port,
});

} // namespace rns::datapath
