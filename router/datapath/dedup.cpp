// dedup: the packet filter's duplicate rules and the dedup-set insertion (spec §6.3, §6.2 step 6).
//
// In the reference's order:
//   rule 2: contexts KEEPALIVE, RESOURCE_REQ, RESOURCE_PRF, RESOURCE, CACHE_REQUEST and CHANNEL are
//           accepted without the duplicate check (they legitimately repeat);
//   rules 3-4: PLAIN and GROUP: announces dropped, other packets accepted only when heard directly
//           (hops <= 1 after the increment), never checked for duplicates;
//   rules 5-6: a hash seen in either generation is a duplicate, dropped unless it is an ANNOUNCE
//           for a SINGLE destination (the control plane needs the echo for rebroadcast
//           suppression, spec §6.6 step 4).
//   §6.2 step 6: accepted packets are remembered, except LRPROOFs and packets whose destination is
//           a link id in the link table (those are remembered by link_forward only when forwarded).
//
// Uses: priv.flags/hops/context/hash. Sets: nothing.
#include "router/datapath/dataplane.hpp"
#include "router/datapath/edges.hpp"
#include "router/datapath/fast_tables.hpp"
#include "router/datapath/node_registry.hpp"
#include "router/datapath/rns_fields.hpp"

#include <rte_graph_worker.h>

#include <algorithm>

namespace rns::datapath {

namespace {

enum class next : rte_edge_t { classify, drop_plain_group_hops, drop_duplicate, count };

struct dedup_ctx {
    fast_tables* tables;
};

int dedup_init(const rte_graph*, rte_node* node) {
    node_ctx<dedup_ctx>(node).tables = g_dataplane != nullptr ? g_dataplane->tables : nullptr;
    return node_ctx<dedup_ctx>(node).tables != nullptr ? 0 : -EINVAL;
}

[[nodiscard]] bool bypasses_check(std::uint8_t context) noexcept {
    switch (context) {
    case ctx::keepalive:
    case ctx::resource_req:
    case ctx::resource_prf:
    case ctx::resource:
    case ctx::cache_request:
    case ctx::channel:
        return true;
    default:
        return false;
    }
}

next filter_one(fast_tables& t, rte_mbuf* m, bool link_destination) noexcept {
    const pkt_priv& pp = priv(m);
    const packet_type type = type_of(pp.flags);
    const destination_type dt = dest_type_of(pp.flags);
    const std::uint64_t fp = dedup_set::fingerprint(pp.hash.data());
    const bool lrproof = type == packet_type::proof && pp.context == ctx::lrproof;
    // §6.2 step 6 exemption: link-table destinations and LRPROOFs are not remembered here.
    const bool remember = !lrproof && !link_destination;

    bool check = true;
    if (bypasses_check(pp.context)) {
        check = false;
    } else if (dt == destination_type::plain || dt == destination_type::group) {
        if (type == packet_type::announce || pp.hops > 1) {
            return next::drop_plain_group_hops;
        }
        check = false;
    }
    if (check) {
        const bool announce_single = type == packet_type::announce && dt == destination_type::single;
        if (remember) {
            if (!t.dedup.insert(fp) && !announce_single) {
                return next::drop_duplicate;
            }
        } else if (t.dedup.contains(fp) && !announce_single) {
            return next::drop_duplicate;
        }
    } else if (remember) {
        (void)t.dedup.insert(fp);
    }
    return next::classify;
}

uint16_t dedup_process(rte_graph* graph, rte_node* node, void** objs, uint16_t nb) noexcept {
    fast_tables& t = *node_ctx<dedup_ctx>(node).tables;
    // In chunks of 64: first the table loads for the whole chunk are started (dedup slots
    // prefetched, link-table lookups in bulk), then each packet is filtered. One miss at a time
    // per packet was ~1300 cycles/packet.
    constexpr uint16_t chunk = 64;
    for (uint16_t base = 0; base < nb; base = static_cast<uint16_t>(base + chunk)) {
        const unsigned n = std::min<unsigned>(chunk, nb - base);
        const void* dests[chunk];
        bool link_dest[chunk];
        for (unsigned i = 0; i < n; ++i) {
            auto* m = static_cast<rte_mbuf*>(objs[base + i]);
            t.dedup.prefetch(dedup_set::fingerprint(priv(m).hash.data()));
            dests[i] = dest_of(m);
        }
        t.links_contain(dests, n, link_dest);
        for (unsigned i = 0; i < n; ++i) {
            auto* m = static_cast<rte_mbuf*>(objs[base + i]);
            rte_node_enqueue_x1(graph, node, edge(filter_one(t, m, link_dest[i])), m);
        }
    }
    return nb;
}

constexpr auto dedup_edges = bind_edges<next::count>({
    {next::classify, "classify"},
    {next::drop_plain_group_hops, drop_node_name(drop_reason::plain_group_hops)},
    {next::drop_duplicate, drop_node_name(drop_reason::duplicate)},
});

} // namespace

RNS_NODE_REGISTER({
    .name = "dedup",
    .process = dedup_process,
    .init = dedup_init,
    .edges = dedup_edges,
});

} // namespace rns::datapath
