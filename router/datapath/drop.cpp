// The drop nodes: free the burst; the graph's per-node object counter is the drop counter.
#include "router/datapath/drop.hpp"

#include "router/datapath/node_registry.hpp"

#include <rte_graph_worker.h>
#include <rte_mbuf.h>

#include <array>

namespace rns::datapath {

namespace {

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

const char* drop_description(drop_reason r) noexcept {
    return descriptions[static_cast<std::size_t>(r)];
}

namespace {

/// One node per drop reason, all with the same body and no edge.
constexpr std::array<node_info, drop_reason_count> drop_nodes = [] {
    std::array<node_info, drop_reason_count> nodes{};
    for (std::size_t i = 0; i < drop_reason_count; ++i) {
        nodes[i] = {.name = drop_node_names[i], .process = drop_process, .edges = {}};
    }
    return nodes;
}();

const node_registrar drop_registrar{drop_nodes};

} // namespace

} // namespace rns::datapath
