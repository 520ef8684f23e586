#include "router/datapath/node_registry.hpp"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace rns::datapath {

namespace {

std::vector<const node_info*>& registry() {
    static std::vector<const node_info*> nodes;
    return nodes;
}

void register_one(const node_info& n) {
    const std::string name = n.name;
    if (name.size() >= RTE_NODE_NAMESIZE) {
        throw std::runtime_error("node name too long: " + name);
    }
    for (std::size_t i = 0; i < n.edges.size(); ++i) {
        if (n.edges[i] == nullptr) {
            throw std::runtime_error("node " + name + ": edge " + std::to_string(i) + " has no target");
        }
    }
    // rte_node_register ends in a flexible array of edge names; __rte_node_register copies it.
    const std::size_t size = sizeof(rte_node_register) + n.edges.size() * sizeof(const char*);
    std::unique_ptr<void, decltype(&std::free)> mem(std::calloc(1, size), &std::free);
    if (!mem) {
        throw std::bad_alloc();
    }
    auto* reg = static_cast<rte_node_register*>(mem.get());
    std::memcpy(reg->name, name.c_str(), name.size() + 1);
    reg->flags = n.source ? RTE_NODE_SOURCE_F : 0;
    reg->process = n.process;
    reg->init = n.init;
    reg->parent_id = RTE_NODE_ID_INVALID;
    reg->nb_edges = static_cast<rte_edge_t>(n.edges.size());
    for (std::size_t i = 0; i < n.edges.size(); ++i) {
        reg->next_nodes[i] = n.edges[i];
    }
    if (__rte_node_register(reg) == RTE_NODE_ID_INVALID) {
        throw std::runtime_error("cannot register graph node " + name);
    }
}

} // namespace

node_registrar::node_registrar(const node_info& node) { registry().push_back(&node); }

node_registrar::node_registrar(std::span<const node_info> nodes) {
    for (const node_info& n : nodes) {
        registry().push_back(&n);
    }
}

const std::vector<const node_info*>& registered_nodes() { return registry(); }

void register_nodes() {
    static bool done = false;
    if (done) {
        return;
    }
    for (const node_info* n : registry()) {
        register_one(*n);
    }
    done = true;
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

std::string clone_node(const char* parent, const std::string& suffix) {
    const rte_node_t id = rte_node_from_name(parent);
    if (id == RTE_NODE_ID_INVALID || rte_node_clone(id, suffix.c_str()) == RTE_NODE_ID_INVALID) {
        throw std::runtime_error(std::string("cannot clone ") + parent + " for " + suffix);
    }
    return std::string(parent) + "-" + suffix;
}

} // namespace rns::datapath
