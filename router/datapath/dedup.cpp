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
// The filter is the packet-hash table every worker and the control plane share, so a copy that
// arrives on another port or worker is a duplicate too; a punted packet is not filtered again by
// the control plane.
//
// The destination is looked up once here in the forwarding table (paths and links together); the
// result travels with the packet for classify and the forward nodes.
//
// Uses: priv.flags/hops/context/hash. Sets: priv.route.
#include "router/datapath/dataplane.hpp"
#include "router/datapath/edges.hpp"
#include "router/datapath/fast_decisions.hpp"
#include "router/datapath/fast_tables.hpp"
#include "router/datapath/node_registry.hpp"
#include "router/datapath/rns_fields.hpp"

#include <rte_graph_worker.h>

#include <algorithm>

namespace rns::datapath {

namespace {

struct dedup_ctx {
    fast_tables* tables;
    unsigned who; ///< this worker's counter line in the packet-hash table
};

int dedup_init(const rte_graph* graph, rte_node* node) {
    const worker_ctx* w = worker_of(graph);
    if (g_dataplane == nullptr || g_dataplane->tables == nullptr || w == nullptr) {
        return -EINVAL;
    }
    node_ctx<dedup_ctx>(node) = {g_dataplane->tables, w->index};
    return 0;
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

} // namespace

dedup_edge filter_packet(packet_hash_table& t, rte_mbuf* m, bool link_destination, std::uint32_t now,
                        unsigned who) noexcept {
    const pkt_priv& pp = priv(m);
    const packet_type type = type_of(pp.flags);
    const destination_type dt = dest_type_of(pp.flags);
    const std::uint8_t* h = pp.hash.data();
    const bool lrproof = type == packet_type::proof && pp.context == ctx::lrproof;
    // §6.2 step 6 exemption: link-table destinations and LRPROOFs are not remembered here.
    const bool remember = !lrproof && !link_destination;

    bool check = true;
    if (bypasses_check(pp.context)) {
        check = false;
    } else if (dt == destination_type::plain || dt == destination_type::group) {
        if (type == packet_type::announce || pp.hops > 1) {
            return dedup_edge::drop_plain_group_hops;
        }
        check = false;
    }
    if (check) {
        const bool announce_single = type == packet_type::announce && dt == destination_type::single;
        if (remember) {
            if (!t.insert(h, now, who) && !announce_single) {
                return dedup_edge::drop_duplicate;
            }
        } else if (t.contains(h) && !announce_single) {
            return dedup_edge::drop_duplicate;
        }
    } else if (remember) {
        (void)t.insert(h, now, who);
    }
    return dedup_edge::classify;
}

namespace {

uint16_t dedup_process(rte_graph* graph, rte_node* node, void** objs, uint16_t nb) noexcept {
    const dedup_ctx& c = node_ctx<dedup_ctx>(node);
    fast_tables& t = *c.tables;
    const std::uint32_t now = t.now_s.load(std::memory_order_relaxed);
    // First the table loads for the whole burst are started (packet-hash and forwarding-table
    // slots prefetched), then each packet is looked up and filtered. One miss at a time per
    // packet was ~1300 cycles/packet.
    for (uint16_t i = 0; i < nb; ++i) {
        auto* m = static_cast<rte_mbuf*>(objs[i]);
        t.hashes.prefetch(priv(m).hash.data());
        t.routes.prefetch(dest_of(m));
    }
    for (uint16_t i = 0; i < nb; ++i) {
        auto* m = static_cast<rte_mbuf*>(objs[i]);
        pkt_priv& pp = priv(m);
        pp.route = t.routes.find(dest_of(m));
        rte_node_enqueue_x1(graph, node, edge(filter_packet(t.hashes, m, pp.route.link_found(), now, c.who)), m);
    }
    return nb;
}

} // namespace

constexpr auto dedup_edges = bind_edges<dedup_edge::count>({
    {dedup_edge::classify, "classify"},
    {dedup_edge::drop_plain_group_hops, drop_node_name(drop_reason::plain_group_hops)},
    {dedup_edge::drop_duplicate, drop_node_name(drop_reason::duplicate)},
});

RNS_NODE_REGISTER({
    .name = "dedup",
    .process = dedup_process,
    .init = dedup_init,
    .edges = dedup_edges,
});

} // namespace rns::datapath
