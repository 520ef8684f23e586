// classify: which table (if any) forwards the packet in the fast path; everything else goes to
// the control plane (spec §6.2 step 8-9 as split between the planes, router/control API note).
//
//   forward:       HEADER_2 to our transport id (rns_parse dropped other ids), not ANNOUNCE, not
//                  LINKREQUEST (needs MTU clamping and a link-table entry: control), destination in
//                  the path table (spec §6.4).
//   link_forward:  not ANNOUNCE / LINKREQUEST / LRPROOF, destination (a link id) in the link table
//                  (spec §6.5).
//   proof_forward: PROOF other than LRPROOF / RESOURCE_PRF whose destination (a truncated packet
//                  hash) is in the reverse table (spec §6.11).
//   punt:          announces, path requests, PLAIN/GROUP, link requests, LRPROOFs, our own
//                  destinations, unknown destinations.
//
// Uses: priv.flags/context, priv.route (dedup's lookup). Sets: priv.reverse (the reverse entry
// taken).
#include "router/datapath/dataplane.hpp"
#include "router/datapath/edges.hpp"
#include "router/datapath/fast_decisions.hpp"
#include "router/datapath/fast_tables.hpp"
#include "router/datapath/node_registry.hpp"
#include "router/datapath/rns_fields.hpp"

#include <rte_graph_worker.h>

namespace rns::datapath {

namespace {

using next = classify_edge;

struct classify_ctx {
    fast_tables* tables; ///< nullptr: fast path disabled (--slow-path-only), punt all
    unsigned who;        ///< this worker's counter line in the packet-hash table
};

int classify_init(const rte_graph* graph, rte_node* node) {
    const worker_ctx* w = worker_of(graph);
    if (g_dataplane == nullptr || w == nullptr) {
        return -EINVAL;
    }
    node_ctx<classify_ctx>(node) = {g_dataplane->fast_path ? g_dataplane->tables : nullptr, w->index};
    return 0;
}

} // namespace

classify_edge classify_packet(packet_hash_table& t, rte_mbuf* m, std::uint32_t now, unsigned who) noexcept {
    pkt_priv& pp = priv(m);
    const packet_type type = type_of(pp.flags);
    const std::uint8_t* dest = dest_of(m);
    if (type == packet_type::announce || type == packet_type::link_request) {
        return next::punt;
    }
    if (is_header_2(pp.flags)) {
        return pp.route.path_found() ? next::forward : next::punt;
    }
    if (type == packet_type::proof && pp.context == ctx::lrproof) {
        return next::punt;
    }
    if (pp.route.link_found()) {
        return next::link_forward;
    }
    if (type == packet_type::proof && pp.context != ctx::resource_prf) {
        if (const auto e = t.take_reverse(dest, now, who)) {
            pp.reverse = *e;
            return next::proof_forward;
        }
    }
    return next::punt;
}

namespace {

uint16_t classify_process(rte_graph* graph, rte_node* node, void** objs, uint16_t nb) noexcept {
    const classify_ctx& c = node_ctx<classify_ctx>(node);
    if (c.tables == nullptr) {
        rte_node_next_stream_move(graph, node, edge(next::punt));
        return nb;
    }
    const std::uint32_t now = c.tables->now_s.load(std::memory_order_relaxed);
    for (uint16_t i = 0; i < nb; ++i) {
        auto* m = static_cast<rte_mbuf*>(objs[i]);
        rte_node_enqueue_x1(graph, node, edge(classify_packet(c.tables->hashes, m, now, c.who)), m);
    }
    return nb;
}

} // namespace

constexpr auto classify_edges = bind_edges<classify_edge::count>({
    {classify_edge::forward, "forward"},
    {classify_edge::link_forward, "link_forward"},
    {classify_edge::proof_forward, "proof_forward"},
    {classify_edge::punt, "punt"},
});

RNS_NODE_REGISTER({
    .name = "classify",
    .process = classify_process,
    .init = classify_init,
    .edges = classify_edges,
});

} // namespace rns::datapath
