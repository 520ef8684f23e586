// io_tx: hands packets for kernel interfaces to the io thread's TX ring (any worker: the ring is
// multi-producer). The io thread frames (TCP: HDLC, spec §10.1) or sends the datagram (UDP) and
// frees the mbufs. A full ring drops by name: the data plane never waits for the io thread.
// In the graphs only when the router has kernel interfaces (l3_output's edge to it is added then).
//
// Uses: mbuf->port (io interface id, set by l3_output). Sets: nothing.
#include "router/datapath/dataplane.hpp"
#include "router/datapath/edges.hpp"
#include "router/datapath/node_registry.hpp"

#include <rte_graph_worker.h>

namespace rns::datapath {

namespace {

enum class next : rte_edge_t { drop_io_tx_full, count };

struct io_tx_ctx {
    rte_ring* ring;
};

int io_tx_init(const rte_graph*, rte_node* node) {
    const io_port* io = g_dataplane != nullptr ? g_dataplane->io : nullptr;
    node_ctx<io_tx_ctx>(node).ring = io != nullptr ? io->tx : nullptr;
    return io != nullptr ? 0 : -EINVAL;
}

uint16_t io_tx_process(rte_graph* graph, rte_node* node, void** objs, uint16_t nb) noexcept {
    rte_ring* ring = node_ctx<io_tx_ctx>(node).ring;
    const unsigned sent = rte_ring_mp_enqueue_burst(ring, objs, nb, nullptr);
    if (sent < nb) {
        rte_node_enqueue(graph, node, edge(next::drop_io_tx_full), objs + sent,
                         static_cast<uint16_t>(nb - sent));
    }
    return nb;
}

constexpr auto io_tx_edges = bind_edges<next::count>({
    {next::drop_io_tx_full, drop_node_name(drop_reason::io_tx_full)},
});

} // namespace

RNS_NODE_REGISTER({
    .name = "io_tx",
    .process = io_tx_process,
    .init = io_tx_init,
    .edges = io_tx_edges,
});

} // namespace rns::datapath
