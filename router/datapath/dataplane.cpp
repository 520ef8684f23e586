#include "router/datapath/dataplane.hpp"

#include <rte_graph_worker.h>

#include <cstdlib>
#include <cstring>

namespace rns::datapath {

dataplane* g_dataplane = nullptr;

worker_ctx* worker_of(const rte_graph* graph) noexcept {
    constexpr char prefix[] = "rns_w";
    if (g_dataplane == nullptr || std::strncmp(graph->name, prefix, sizeof prefix - 1) != 0) {
        return nullptr;
    }
    const unsigned long idx = std::strtoul(graph->name + sizeof prefix - 1, nullptr, 10);
    return idx < g_dataplane->workers.size() ? g_dataplane->workers[idx] : nullptr;
}

} // namespace rns::datapath
