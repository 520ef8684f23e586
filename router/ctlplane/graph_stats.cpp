#include "router/ctlplane/graph_stats.hpp"

#include <rte_graph_worker.h>

namespace rns::ctlplane {

using namespace rns::datapath;

std::map<std::string, node_totals> collect_node_stats(const dataplane& dp) {
    std::map<std::string, node_totals> out;
    for (const worker_ctx* w : dp.workers) {
        if (w->graph == nullptr) {
            continue;
        }
        rte_graph* graph = w->graph;
        // rte_graph_foreach_node, spelled without C's implicit void* conversion.
        rte_graph_off_t off = graph->nodes_start;
        for (rte_node_t count = 0; count < graph->nb_nodes; ++count) {
            auto* node = static_cast<rte_node*>(RTE_PTR_ADD(graph, off));
            off = node->next;
            node_totals& t = out[node->name];
            t.calls += node->total_calls;
            t.objs += node->total_objs;
            t.cycles += node->total_cycles;
        }
        // rte_graph_walk walks the source nodes from cir_start[head] (head = -source count, as
        // an unsigned) up to cir_start[-1]; the pending streams follow from cir_start[0].
        for (auto i = static_cast<std::int32_t>(graph->head); i < 0; ++i) {
            const auto* node = static_cast<const rte_node*>(RTE_PTR_ADD(graph, graph->cir_start[i]));
            out[node->name].source = true;
        }
    }
    return out;
}

std::uint64_t sum_objs(const std::map<std::string, node_totals>& s, const std::string& prefix) {
    std::uint64_t n = 0;
    for (auto it = s.lower_bound(prefix); it != s.end() && it->first.rfind(prefix, 0) == 0; ++it) {
        n += it->second.objs;
    }
    return n;
}

} // namespace rns::ctlplane
