// eth_tx: one clone per port ("eth_tx-p<port>"); each worker sends on its own TX queue (queue =
// worker index), so no two cores share a queue. What the queue does not take is dropped.
//
// Uses: nothing. Sets: nothing.
#include "router/datapath/nodes.hpp"

#include "router/datapath/dataplane.hpp"
#include "router/datapath/edges.hpp"
#include "router/datapath/node_registry.hpp"

#include <rte_ethdev.h>
#include <rte_graph_worker.h>

#include <cstdio>
#include <stdexcept>

namespace rns::datapath {

namespace {

enum class next : rte_edge_t { drop_tx_full };

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

rte_node_t eth_tx_parent = RTE_NODE_ID_INVALID;

} // namespace

void register_eth_tx() {
    eth_tx_parent = register_node({.name = "eth_tx",
                                   .process = eth_tx_process,
                                   .init = eth_tx_init,
                                   .edges = edge_names({}, {drop_reason::tx_full})});
}

std::string clone_eth_tx(std::uint16_t port) {
    const std::string suffix = "p" + std::to_string(port);
    if (rte_node_clone(eth_tx_parent, suffix.c_str()) == RTE_NODE_ID_INVALID) {
        throw std::runtime_error("cannot clone eth_tx for port " + suffix);
    }
    return "eth_tx-" + suffix;
}

} // namespace rns::datapath
