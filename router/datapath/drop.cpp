// The drop nodes: free the burst; the graph's per-node object counter is the drop counter.
#include "router/datapath/drop.hpp"

#include "router/datapath/node_registry.hpp"

#include <rte_graph_worker.h>
#include <rte_mbuf.h>

namespace rns::datapath {

namespace {

constexpr const char* names[] = {
#define RNS_DP_X(name, desc) "drop_" #name,
    RNS_DP_DROP_REASONS(RNS_DP_X)
#undef RNS_DP_X
};
constexpr const char* descriptions[] = {
#define RNS_DP_X(name, desc) desc,
    RNS_DP_DROP_REASONS(RNS_DP_X)
#undef RNS_DP_X
};

uint16_t drop_process(rte_graph*, rte_node*, void** objs, uint16_t nb) noexcept {
    rte_pktmbuf_free_bulk(reinterpret_cast<rte_mbuf**>(objs), nb);
    return nb;
}

} // namespace

const char* drop_node_name(drop_reason r) noexcept { return names[static_cast<std::size_t>(r)]; }
const char* drop_description(drop_reason r) noexcept {
    return descriptions[static_cast<std::size_t>(r)];
}

void register_drop_nodes() {
    for (std::size_t i = 0; i < drop_reason_count; ++i) {
        register_node({.name = names[i], .process = drop_process, .edges = {}});
    }
}

} // namespace rns::datapath
