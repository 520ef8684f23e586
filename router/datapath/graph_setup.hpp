#pragma once
// Builds one rte_graph per worker: registers the nodes (every RNS_NODE_REGISTER of the linked
// objects), clones the per-queue and per-port ones (eth_rx, eth_tx), wires the per-port edges, and
// creates the rings each worker shares with the control plane.

#include "router/datapath/dataplane.hpp"

#include <cstdint>
#include <vector>

namespace rns::datapath {

struct port_queues {
    std::uint16_t port = 0;
    std::uint16_t rx_queues = 1;
};

/// Creates workers (one per lcore given), assigns RX queues round-robin, creates rings and
/// graphs. Throws on failure.
void build_graphs(dataplane& dp, const std::vector<unsigned>& worker_lcores,
                  const std::vector<port_queues>& ports);

/// Destroys graphs and rings (after the workers stopped).
void destroy_graphs(dataplane& dp);

} // namespace rns::datapath
