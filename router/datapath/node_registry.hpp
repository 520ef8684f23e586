#pragma once
// Registers rte_graph nodes from C++ at start-up (the RTE_NODE_REGISTER macro relies on C
// designated initialisers and a flexible array, which C++ cannot spell).

#include <rte_graph.h>

#include <string>
#include <vector>

namespace rns::datapath {

struct node_spec {
    std::string name;
    rte_node_process_t process = nullptr;
    rte_node_init_t init = nullptr;
    bool source = false;
    /// Edge names in the order of the node's edge enum.
    std::vector<std::string> edges;
};

/// Registers the node; throws std::runtime_error when DPDK refuses (start-up only).
rte_node_t register_node(const node_spec& spec);

/// Appends an edge to an already registered node (e.g. to a per-port clone); returns its index.
rte_edge_t add_edge(rte_node_t node, const std::string& next);

} // namespace rns::datapath
