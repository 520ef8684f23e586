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
// Uses: priv.flags/context. Sets: priv.entry (the table entry found).
#include "router/datapath/dataplane.hpp"
#include "router/datapath/edges.hpp"
#include "router/datapath/fast_tables.hpp"
#include "router/datapath/node_registry.hpp"
#include "router/datapath/rns_fields.hpp"

#include <rte_graph_worker.h>

namespace rns::datapath {

namespace {

enum class next : rte_edge_t { forward, link_forward, proof_forward, punt, count };

struct classify_ctx {
    const fast_tables* tables; ///< nullptr: fast path disabled (--slow-path-only), punt all
};

int classify_init(const rte_graph*, rte_node* node) {
    if (g_dataplane == nullptr) {
        return -EINVAL;
    }
    node_ctx<classify_ctx>(node).tables = g_dataplane->fast_path ? g_dataplane->tables : nullptr;
    return 0;
}

next classify_one(const fast_tables& t, rte_mbuf* m) noexcept {
    pkt_priv& pp = priv(m);
    const packet_type type = type_of(pp.flags);
    const std::uint8_t* dest = dest_of(m);
    if (type == packet_type::announce || type == packet_type::link_request) {
        return next::punt;
    }
    if (is_header_2(pp.flags)) {
        if (const path_entry* e = t.path(dest)) {
            pp.entry = e;
            return next::forward;
        }
        return next::punt;
    }
    if (type == packet_type::proof && pp.context == ctx::lrproof) {
        return next::punt;
    }
    if (const link_entry* e = t.link(dest)) {
        pp.entry = e;
        return next::link_forward;
    }
    if (type == packet_type::proof && pp.context != ctx::resource_prf) {
        if (const reverse_entry* e = t.reverse(dest)) {
            pp.entry = e;
            return next::proof_forward;
        }
    }
    return next::punt;
}

uint16_t classify_process(rte_graph* graph, rte_node* node, void** objs, uint16_t nb) noexcept {
    const fast_tables* t = node_ctx<classify_ctx>(node).tables;
    if (t == nullptr) {
        rte_node_next_stream_move(graph, node, edge(next::punt));
        return nb;
    }
    for (uint16_t i = 0; i < nb; ++i) {
        auto* m = static_cast<rte_mbuf*>(objs[i]);
        rte_node_enqueue_x1(graph, node, edge(classify_one(*t, m)), m);
    }
    return nb;
}

constexpr auto classify_edges = bind_edges<next::count>({
    {next::forward, "forward"},
    {next::link_forward, "link_forward"},
    {next::proof_forward, "proof_forward"},
    {next::punt, "punt"},
});

} // namespace

RNS_NODE_REGISTER({
    .name = "classify",
    .process = classify_process,
    .init = classify_init,
    .edges = classify_edges,
});

} // namespace rns::datapath
