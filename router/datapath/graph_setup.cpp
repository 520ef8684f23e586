#include "router/datapath/graph_setup.hpp"

#include "router/datapath/drop.hpp"
#include "router/datapath/node_registry.hpp"

#include <rte_errno.h>
#include <rte_graph_worker.h>
#include <rte_ring_elem.h>

#include <stdexcept>
#include <string>

namespace rns::datapath {

namespace {

rte_ring* make_ring(const std::string& name, unsigned count, unsigned esize, unsigned flags) {
    rte_ring* r = esize == 0
                      ? rte_ring_create(name.c_str(), count, static_cast<int>(rte_socket_id()), flags)
                      : rte_ring_create_elem(name.c_str(), esize, count,
                                             static_cast<int>(rte_socket_id()), flags);
    if (r == nullptr) {
        throw std::runtime_error("cannot create ring " + name);
    }
    return r;
}

} // namespace

void build_graphs(dataplane& dp, const std::vector<unsigned>& worker_lcores,
                  const std::vector<port_queues>& ports) {
    if (worker_lcores.empty()) {
        throw std::runtime_error("no worker lcore");
    }
    register_nodes();
    for (std::size_t i = 0; i < worker_lcores.size(); ++i) {
        auto* w = dp.workers.emplace_back(new worker_ctx); // destroy_graphs frees it
        w->lcore = worker_lcores[i];
        w->index = static_cast<std::uint16_t>(i);
        const std::string n = std::to_string(i);
        w->punt = make_ring("rns_punt" + n, 4096, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
        w->inject = make_ring("rns_inject" + n, 4096, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
        w->hasher = std::make_unique<crypto::sha256_batch>(crypto::sha256_batch::fastest());
    }
    // Clones: per port (in every graph) and per RX queue (in the graph of the worker polling it).
    // A graph is given its source nodes only: rte_graph_create adds every node they reach through
    // their edges, and a node nothing reaches (l3_input without an ethdev port, io_tx without
    // kernel interfaces, their drop nodes) stays out (rte_graph refuses isolated nodes).
    std::vector<std::string> every_graph;
    std::vector<std::string> first_graph; // worker 0 only
    std::vector<const node_info*> per_queue;
    for (const node_info* n : registered_nodes()) {
        switch (n->clones) {
        case node_clones::none:
            if (n->source) {
                every_graph.emplace_back(n->name);
            }
            break;
        case node_clones::io_worker:
            if (dp.io != nullptr) {
                first_graph.emplace_back(n->name);
            }
            break;
        case node_clones::per_port:
            for (const port_queues& p : ports) {
                every_graph.push_back(clone_node(n->name, "p" + std::to_string(p.port)));
            }
            break;
        case node_clones::per_rx_queue:
            per_queue.push_back(n);
            break;
        }
    }
    // The nodes that transmit reach each port's eth_tx clone through an edge added here.
    const rte_node_t l3_output = rte_node_from_name("l3_output");
    const rte_node_t inject = rte_node_from_name("inject");
    for (const port_queues& p : ports) {
        const std::string tx = "eth_tx-p" + std::to_string(p.port);
        dp.l3_output_tx_edge[p.port] = add_edge(l3_output, tx);
        dp.inject_tx_edge[p.port] = add_edge(inject, tx);
    }
    if (dp.io != nullptr) {
        // Kernel interfaces: polled by worker 0 (io_rx), output from any worker (io_tx).
        dp.l3_output_io_edge = add_edge(l3_output, "io_tx");
    }
    // RX queues round-robin over the workers: with RSS each worker gets a share of every port;
    // with single-queue devices (af_packet, tap) each port goes to one worker.
    std::size_t next = 0;
    for (const port_queues& p : ports) {
        for (std::uint16_t q = 0; q < p.rx_queues; ++q) {
            dp.workers[next % dp.workers.size()]->rx.emplace_back(p.port, q);
            ++next;
        }
    }
    for (worker_ctx* w : dp.workers) {
        std::vector<std::string> names;
        for (const auto& [port, queue] : w->rx) {
            const std::string suffix = "p" + std::to_string(port) + "q" + std::to_string(queue);
            for (const node_info* n : per_queue) {
                names.push_back(clone_node(n->name, suffix));
            }
        }
        if (w->index == 0) {
            names.insert(names.end(), first_graph.begin(), first_graph.end());
        }
        names.insert(names.end(), every_graph.begin(), every_graph.end());
        std::vector<const char*> patterns;
        for (const auto& s : names) {
            patterns.push_back(s.c_str());
        }
        rte_graph_param prm{};
        prm.socket_id = static_cast<int>(rte_lcore_to_socket_id(w->lcore));
        prm.nb_node_patterns = static_cast<std::uint16_t>(patterns.size());
        prm.node_patterns = patterns.data();
        const std::string name = "rns_w" + std::to_string(w->index);
        const rte_graph_t id = rte_graph_create(name.c_str(), &prm);
        if (id == RTE_GRAPH_ID_INVALID) {
            throw std::runtime_error("cannot create graph " + name + " (rte_errno " +
                                     std::to_string(rte_errno) + ")");
        }
        w->graph = rte_graph_lookup(name.c_str());
    }
}

graph_set::graph_set(dataplane& dp, const std::vector<unsigned>& worker_lcores,
                     const std::vector<port_queues>& ports)
    : _dp(dp) {
    g_dataplane = &dp; // the nodes' init functions read it while the graphs are created
    try {
        build_graphs(dp, worker_lcores, ports);
    } catch (...) {
        destroy_graphs(dp);
        g_dataplane = nullptr;
        throw;
    }
}

graph_set::~graph_set() {
    destroy_graphs(_dp);
    g_dataplane = nullptr;
}

void destroy_graphs(dataplane& dp) {
    for (worker_ctx* w : dp.workers) {
        if (w->graph != nullptr) {
            (void)rte_graph_destroy(w->graph->id);
        }
        rte_ring_free(w->punt);
        rte_ring_free(w->inject);
        delete w;
    }
    dp.workers.clear();
}

} // namespace rns::datapath
