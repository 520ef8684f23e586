#pragma once
// Graph nodes register themselves in their own file (RNS_NODE_REGISTER, like grout's
// GR_NODE_REGISTER): adding a node is one file and one meson line, with no central list.
// The macro only records the node (static initialisation, no DPDK call); graph construction
// registers every recorded node with DPDK once the EAL is up (register_nodes) and puts each into
// every worker's graph (or its clones, see node_clones). The datapath library is linked whole
// (router/datapath/meson.build): nothing else refers to a node's object file.
//
// DPDK's own RTE_NODE_REGISTER relies on C designated initialisers and a flexible array, which C++
// cannot spell; register_nodes builds the rte_node_register records instead.

#include <rte_graph.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace rns::datapath {

/// How graph construction instantiates a node.
enum class node_clones : std::uint8_t {
    none,         ///< the node itself, in every worker's graph
    per_rx_queue, ///< a clone "<name>-p<port>q<queue>" in the graph of the worker polling that queue
    per_port,     ///< a clone "<name>-p<port>" per port, in every worker's graph
    io_worker,    ///< the node itself, in worker 0's graph only, when there are kernel interfaces
};

/// A node as its file declares it. Edge i leads to edges[i]: bind_edges (edges.hpp) builds the
/// array from the node's `enum class next`, so an edge is named next to its enum value.
struct node_info {
    const char* name = nullptr;
    rte_node_process_t process = nullptr;
    rte_node_init_t init = nullptr;
    std::span<const char* const> edges;
    bool source = false;
    node_clones clones = node_clones::none;
};

/// Records nodes at static initialisation (the list is a function-local static, so the order in
/// which files are initialised does not matter). Use RNS_NODE_REGISTER.
class node_registrar {
  public:
    explicit node_registrar(const node_info& node);
    explicit node_registrar(std::span<const node_info> nodes);
};

/// Every node recorded by RNS_NODE_REGISTER in the linked objects, in link order.
[[nodiscard]] const std::vector<const node_info*>& registered_nodes();

/// Registers every recorded node with DPDK (once per process; later calls do nothing). Throws
/// std::runtime_error when DPDK refuses one (start-up only).
void register_nodes();

/// Appends an edge to an already registered node (e.g. to a per-port clone); returns its index.
rte_edge_t add_edge(rte_node_t node, const std::string& next);

/// Creates the clone "<parent>-<suffix>" of a registered node; returns its name. Throws on failure.
std::string clone_node(const char* parent, const std::string& suffix);

} // namespace rns::datapath

#define RNS_NODE_CAT2(a, b) a##b
#define RNS_NODE_CAT(a, b) RNS_NODE_CAT2(a, b)

/// In a node's file, at namespace scope: RNS_NODE_REGISTER({.name = "forward", .process = ...});
#define RNS_NODE_REGISTER(...)                                                                     \
    constexpr ::rns::datapath::node_info RNS_NODE_CAT(rns_node_info_, __LINE__) __VA_ARGS__;      \
    const ::rns::datapath::node_registrar RNS_NODE_CAT(rns_node_registrar_, __LINE__) {            \
        RNS_NODE_CAT(rns_node_info_, __LINE__)                                                     \
    }
