// forward: HEADER_2 packets addressed to us, destination in the path table (spec §6.4).
//
// With remaining = path hops and h = the incremented hop count:
//   remaining > 1:  keep the flags, write h, replace the transport id with the path's next hop;
//   remaining == 1: strip to HEADER_1 BROADCAST: flags & 0x0F, h, raw[18:] (done in place: the
//                   new two header bytes are written just before the destination hash and the
//                   16 transport-id bytes are trimmed off the front);
//   remaining == 0: (destination on a local client) keep the header, write h.
// Before the packet goes on, the worker writes its reverse entry into the shared packet-hash table
// (received-on, sent-on, now; spec §6.4: every forwarded packet but a link request, which classify
// leaves to the control plane), so a proof coming back can never overtake it, and records that the
// path was used this second (the control plane collects it for the path timestamp).
//
// Uses: priv.route (path), priv.hops, priv.in_iface, priv.hash. Sets: priv.out_iface.
#include "router/datapath/dataplane.hpp"
#include "router/datapath/edges.hpp"
#include "router/datapath/fast_decisions.hpp"
#include "router/datapath/fast_tables.hpp"
#include "router/datapath/node_registry.hpp"
#include "router/datapath/rns_fields.hpp"

#include <rte_graph_worker.h>

#include <cstring>

namespace rns::datapath {

forward_edge forward_packet(packet_hash_table& t, rte_mbuf* m, std::uint32_t now, unsigned who) noexcept {
    pkt_priv& pp = priv(m);
    const control::fast_path_entry& e = pp.route.path;
    t.set_reverse(pp.hash.data(), pp.in_iface, e.out, now, who);
    if (pp.route.at != nullptr) {
        pp.route.at->path_used.touch(now);
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
    return forward_edge::l3_output;
}

namespace {

struct forward_ctx {
    fast_tables* tables;
    worker_ctx* worker;
};

int forward_init(const rte_graph* graph, rte_node* node) {
    worker_ctx* w = worker_of(graph);
    if (w == nullptr || g_dataplane == nullptr) {
        return -EINVAL;
    }
    node_ctx<forward_ctx>(node) = {g_dataplane->tables, w};
    return 0;
}

uint16_t forward_process(rte_graph* graph, rte_node* node, void** objs, uint16_t nb) noexcept {
    const forward_ctx& c = node_ctx<forward_ctx>(node);
    const std::uint32_t now = c.tables->now_s.load(std::memory_order_relaxed);
    const unsigned who = c.worker->index;
    for (uint16_t i = 0; i < nb; ++i) {
        auto* m = static_cast<rte_mbuf*>(objs[i]);
        const auto e = forward_packet(c.tables->hashes, m, now, who);
        if (e == forward_edge::l3_output) {
            c.worker->count_forwarded(priv(m).out_iface);
        }
        rte_node_enqueue_x1(graph, node, edge(e), m);
    }
    return nb;
}

} // namespace

constexpr auto forward_edges = bind_edges<forward_edge::count>({
    {forward_edge::l3_output, "l3_output"},
});

RNS_NODE_REGISTER({
    .name = "forward",
    .process = forward_process,
    .init = forward_init,
    .edges = forward_edges,
});

} // namespace rns::datapath
