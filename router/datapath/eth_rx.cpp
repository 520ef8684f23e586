// eth_rx: source node, one clone per (port, RX queue) named "eth_rx-p<port>q<queue>". Polls the
// queue and hands the whole burst to l3_input.
//
// Uses: nothing. Sets: nothing (l3_input reads mbuf->port).
#include "router/datapath/dataplane.hpp"
#include "router/datapath/edges.hpp"
#include "router/datapath/node_registry.hpp"

#include <rte_ethdev.h>
#include <rte_graph_worker.h>

#include <cstdio>
#include <stdexcept>

namespace rns::datapath {

namespace {

enum class next : rte_edge_t { l3_input, count };

struct eth_rx_ctx {
    std::uint16_t port;
    std::uint16_t queue;
};

int eth_rx_init(const rte_graph*, rte_node* node) {
    unsigned port = 0;
    unsigned queue = 0;
    if (std::sscanf(node->name, "eth_rx-p%uq%u", &port, &queue) != 2) {
        return -EINVAL;
    }
    node_ctx<eth_rx_ctx>(node) = {static_cast<std::uint16_t>(port),
                                  static_cast<std::uint16_t>(queue)};
    return 0;
}

uint16_t eth_rx_process(rte_graph* graph, rte_node* node, void**, uint16_t) noexcept {
    const auto& c = node_ctx<eth_rx_ctx>(node);
    const uint16_t n = rte_eth_rx_burst(c.port, c.queue, reinterpret_cast<rte_mbuf**>(node->objs),
                                        RTE_GRAPH_BURST_SIZE);
    if (n == 0) {
        return 0;
    }
    node->idx = n;
    rte_node_next_stream_move(graph, node, edge(next::l3_input));
    return n;
}

constexpr auto eth_rx_edges = bind_edges<next::count>({
    {next::l3_input, "l3_input"},
});

} // namespace

RNS_NODE_REGISTER({
    .name = "eth_rx",
    .process = eth_rx_process,
    .init = eth_rx_init,
    .edges = eth_rx_edges,
    .source = true,
    .clones = node_clones::per_rx_queue,
});

} // namespace rns::datapath
