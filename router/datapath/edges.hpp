#pragma once
// A node's edges: its `enum class next` (ending in `count`) gives the index, bind_edges the target
// node of each value, by name, checked at compile time.
//
//   enum class next : rte_edge_t { l3_output, drop_duplicate, count };
//   constexpr auto edges = bind_edges<next::count>({
//       {next::l3_output, "l3_output"},
//       {next::drop_duplicate, drop_node_name(drop_reason::duplicate)},
//   });

#include "router/datapath/drop.hpp"

#include <rte_graph.h>

#include <array>
#include <cstddef>
#include <initializer_list>

namespace rns::datapath {

/// One edge: the enum value and the node it leads to.
template <typename E> struct edge_bind {
    E from;
    const char* to;
};

/// The edge table of a node, indexed by its enum: every value below Count bound exactly once (a
/// value left out or bound twice does not compile). Count is usually `next::count`; a node that
/// adds edges at run time (per port) passes the first of those.
template <auto Count>
consteval std::array<const char*, static_cast<std::size_t>(Count)>
bind_edges(std::initializer_list<edge_bind<decltype(Count)>> binds) {
    std::array<const char*, static_cast<std::size_t>(Count)> out{};
    for (const auto& b : binds) {
        const auto i = static_cast<std::size_t>(b.from);
        if (i >= out.size() || out[i] != nullptr || b.to == nullptr) {
            throw "bind_edges: an edge is out of range, bound twice or bound to nothing";
        }
        out[i] = b.to;
    }
    for (const char* to : out) {
        if (to == nullptr) {
            throw "bind_edges: an edge of the enum is not bound";
        }
    }
    return out;
}

/// Edge index of an enum value.
template <typename E> [[nodiscard]] constexpr rte_edge_t edge(E e) noexcept {
    return static_cast<rte_edge_t>(e);
}

} // namespace rns::datapath
