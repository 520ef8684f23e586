#pragma once
// Per-node statistics summed over every worker's graph (calls, packets, cycles). The workers
// update their own plain counters (rte_graph stats); this reader only sums them.

#include "router/datapath/dataplane.hpp"

#include <cstdint>
#include <map>
#include <string>

namespace rns::ctlplane {

struct node_totals {
    std::uint64_t calls = 0;
    std::uint64_t objs = 0;
    std::uint64_t cycles = 0;
    /// A source node (polled every graph walk, e.g. eth_rx): its calls and cycles include the
    /// polls that found nothing, so cycles / packets is not the cost of a packet. Every other
    /// node is called only with packets queued for it (rte_graph_walk's pending streams).
    bool source = false;
};

/// Node name (clones keep their full name, e.g. "eth_rx-p0q0") → totals over all graphs.
[[nodiscard]] std::map<std::string, node_totals> collect_node_stats(const datapath::dataplane& dp);

/// Sum over every node whose name starts with prefix.
[[nodiscard]] std::uint64_t sum_objs(const std::map<std::string, node_totals>& s,
                                     const std::string& prefix);

} // namespace rns::ctlplane
