// io_rx: source node polling the io thread's RX ring like a port. It sits in the graph of worker 0
// only (the ring has a single consumer) and only when the router has kernel interfaces. Each mbuf
// holds one RNS packet received on a kernel interface (HDLC deframed for TCP, spec §10.1; the
// datagram for UDP; IFAC still on) with its io interface id in mbuf->port. The id becomes the RNS
// interface and the packet continues at rns_parse exactly like one from l3_input.
//
// Uses: mbuf->port. Sets: priv.in_iface, priv.kind, priv.tail_sum_valid (false: no UDP sum).
#include "router/datapath/dataplane.hpp"
#include "router/datapath/edges.hpp"
#include "router/datapath/node_registry.hpp"
#include "router/datapath/pkt_priv.hpp"

#include <rte_graph_worker.h>

namespace rns::datapath {

namespace {

enum class next : rte_edge_t { rns_parse, drop_io_iface_unknown, drop_foreign_mbuf, count };

struct io_rx_ctx {
    const io_port* io;
};

int io_rx_init(const rte_graph*, rte_node* node) {
    node_ctx<io_rx_ctx>(node).io = g_dataplane != nullptr ? g_dataplane->io : nullptr;
    return 0;
}

[[nodiscard]] next classify_one(const io_port& io, rte_mbuf* m) noexcept {
    if (!has_priv(m)) {
        return next::drop_foreign_mbuf;
    }
    const std::uint16_t id = m->port;
    const std::uint16_t iface = id < io.n_io ? io.rns_of_io[id].load(std::memory_order_acquire) : no_iface;
    if (iface == no_iface) {
        return next::drop_io_iface_unknown; // went down while the packet was in the ring
    }
    pkt_priv& pp = priv(m);
    pp.in_iface = iface;
    pp.kind = pkt_kind::rns;
    pp.tail_sum_valid = false;
    return next::rns_parse;
}

uint16_t io_rx_process(rte_graph* graph, rte_node* node, void**, uint16_t) noexcept {
    const io_port* io = node_ctx<io_rx_ctx>(node).io;
    if (io == nullptr) {
        return 0;
    }
    void* objs[RTE_GRAPH_BURST_SIZE];
    const unsigned n = rte_ring_sc_dequeue_burst(io->rx, objs, RTE_GRAPH_BURST_SIZE, nullptr);
    for (unsigned i = 0; i < n; ++i) {
        auto* m = static_cast<rte_mbuf*>(objs[i]);
        rte_node_enqueue_x1(graph, node, edge(classify_one(*io, m)), m);
    }
    return static_cast<uint16_t>(n);
}

constexpr auto io_rx_edges = bind_edges<next::count>({
    {next::rns_parse, "rns_parse"},
    {next::drop_io_iface_unknown, drop_node_name(drop_reason::io_iface_unknown)},
    {next::drop_foreign_mbuf, drop_node_name(drop_reason::foreign_mbuf)},
});

} // namespace

RNS_NODE_REGISTER({
    .name = "io_rx",
    .process = io_rx_process,
    .init = io_rx_init,
    .edges = io_rx_edges,
    .source = true,
    .clones = node_clones::io_worker,
});

} // namespace rns::datapath
