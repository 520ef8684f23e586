#include "router/datapath/node_registry.hpp"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace rns::datapath {

rte_node_t register_node(const node_spec& spec) {
    if (spec.name.size() >= RTE_NODE_NAMESIZE) {
        throw std::runtime_error("node name too long: " + spec.name);
    }
    // rte_node_register ends in a flexible array of edge names; __rte_node_register copies it.
    const std::size_t size = sizeof(rte_node_register) + spec.edges.size() * sizeof(const char*);
    std::unique_ptr<void, decltype(&std::free)> mem(std::calloc(1, size), &std::free);
    if (!mem) {
        throw std::bad_alloc();
    }
    auto* reg = static_cast<rte_node_register*>(mem.get());
    std::memcpy(reg->name, spec.name.c_str(), spec.name.size() + 1);
    reg->flags = spec.source ? RTE_NODE_SOURCE_F : 0;
    reg->process = spec.process;
    reg->init = spec.init;
    reg->parent_id = RTE_NODE_ID_INVALID;
    reg->nb_edges = static_cast<rte_edge_t>(spec.edges.size());
    for (std::size_t i = 0; i < spec.edges.size(); ++i) {
        reg->next_nodes[i] = spec.edges[i].c_str();
    }
    const rte_node_t id = __rte_node_register(reg);
    if (id == RTE_NODE_ID_INVALID) {
        throw std::runtime_error("cannot register graph node " + spec.name);
    }
    return id;
}

rte_edge_t add_edge(rte_node_t node, const std::string& next) {
    const char* names[] = {next.c_str()};
    const rte_edge_t before = rte_node_edge_count(node);
    (void)rte_node_edge_update(node, RTE_EDGE_ID_INVALID, names, 1);
    if (rte_node_edge_count(node) != before + 1) {
        throw std::runtime_error("cannot add edge to " + next);
    }
    return before;
}

} // namespace rns::datapath
