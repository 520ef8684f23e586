#pragma once
// Helpers for declaring a node's edges: fixed edges first (in enum order), drop edges by reason.

#include "router/datapath/drop.hpp"

#include <rte_graph.h>

#include <initializer_list>
#include <string>
#include <vector>

namespace rns::datapath {

inline std::vector<std::string> edge_names(std::initializer_list<const char*> fixed,
                                           std::initializer_list<drop_reason> drops) {
    std::vector<std::string> out(fixed.begin(), fixed.end());
    for (drop_reason r : drops) {
        out.emplace_back(drop_node_name(r));
    }
    return out;
}

/// Edge index of an enum value.
template <typename E> [[nodiscard]] constexpr rte_edge_t edge(E e) noexcept {
    return static_cast<rte_edge_t>(e);
}

} // namespace rns::datapath
