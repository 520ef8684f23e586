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

/// Destroys graphs and rings (after the workers stopped); also what a failed build_graphs left.
void destroy_graphs(dataplane& dp);

/// Owner of the graphs, their workers and rings: builds them (and points g_dataplane at dp) on
/// construction, destroys them on destruction (after the workers stopped).
class graph_set {
  public:
    graph_set(dataplane& dp, const std::vector<unsigned>& worker_lcores,
              const std::vector<port_queues>& ports);
    ~graph_set();
    graph_set(const graph_set&) = delete;
    graph_set& operator=(const graph_set&) = delete;

  private:
    dataplane& _dp;
};

} // namespace rns::datapath
