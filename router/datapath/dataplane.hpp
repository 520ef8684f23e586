#pragma once
// State shared by the graph nodes of every worker. Everything here is written by the control
// plane (main lcore) and read by the workers; the comment on each field says when.

#include "crypto/sha256_batch.hpp"
#include "router/datapath/rcu.hpp"
#include "router/datapath/udp_peers.hpp"
#include "router/rns/bytes.hpp"

#include <rte_ether.h>
#include <rte_graph.h>
#include <rte_graph_worker.h>
#include <rte_lcore.h>
#include <rte_ring.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace rns::datapath {

class fast_tables;
} // namespace rns::datapath
namespace rns::ifac {
class key;
} // namespace rns::ifac
namespace rns::datapath {

/// One RNS UDP listener on a port (like one reference UDPInterface's listen_port).
struct udp_listener {
    std::uint16_t udp = 0;    ///< listen port, network order
    bool learn = false;       ///< unknown senders are punted to the control plane to be learned
    std::uint16_t default_iface = no_iface; ///< unknown senders belong to this interface
};

inline constexpr std::size_t max_listeners = 8;

/// Layer-3 settings of one ethdev port. dataplane: ro; ctlplane: written before the workers start
/// (default_iface may be set later, before any packet can need it).
struct port_l3 {
    bool enabled = false;
    rte_ether_addr mac{};
    std::uint32_t ip4 = 0;    ///< our address, network order
    std::uint32_t bcast4 = 0; ///< subnet broadcast, network order
    bool has_ip6 = false;     ///< an IPv6 address is configured (else IPv6 is dropped)
    std::array<std::uint8_t, 16> ip6{}; ///< our IPv6 address
    std::array<udp_listener, max_listeners> listeners{};
    std::uint8_t n_listeners = 0;
    bool ip_cksum_offload = false;
    bool udp_cksum_offload = false;

    [[nodiscard]] const udp_listener* listener(std::uint16_t udp_be) const noexcept {
        for (std::uint8_t i = 0; i < n_listeners; ++i) {
            if (listeners[i].udp == udp_be) {
                return &listeners[i];
            }
        }
        return nullptr;
    }
    [[nodiscard]] udp_listener* listener(std::uint16_t udp_be) noexcept {
        return const_cast<udp_listener*>(static_cast<const port_l3*>(this)->listener(udp_be));
    }
};

/// The kernel interfaces of the io thread (drivers/io/seam.hpp) as the graph sees them: one RX
/// ring polled by worker 0's io_rx node like a port, one TX ring every worker's io_tx fills, and
/// the map from io interface ids to RNS interfaces. ctlplane: creates it before the graphs are
/// built and stores rns_of_io entries (release) as interfaces come and go; dataplane: reads.
struct io_port {
    rte_ring* rx = nullptr; ///< io thread → graph (single consumer: worker 0)
    rte_ring* tx = nullptr; ///< graph → io thread (multi producer)
    std::unique_ptr<std::atomic<std::uint16_t>[]> rns_of_io; ///< no_iface: unmapped
    std::uint32_t n_io = 0;
};

/// Per-worker state: one per graph, cache aligned, owned by its lcore (STYLE rule 4).
struct alignas(RTE_CACHE_LINE_SIZE) worker_ctx {
    unsigned lcore = 0;                  ///< set at start-up
    std::uint16_t index = 0;             ///< worker number = TX queue on every port
    rte_graph* graph = nullptr;          ///< worker: walks it
    rte_ring* punt = nullptr;            ///< dataplane: enqueue (SP); ctlplane: dequeue (SC)
    rte_ring* inject = nullptr;          ///< ctlplane: enqueue (SP); dataplane: dequeue (SC)
    std::unique_ptr<crypto::sha256_batch> hasher; ///< packet hashes (packet_hash); worker only
    std::vector<std::pair<std::uint16_t, std::uint16_t>> rx; ///< (port, queue) pairs it polls
    /// Packets the fast path forwarded, by output interface (forward, link_forward,
    /// proof_forward). dataplane: this worker stores (relaxed); ctlplane: sums over workers.
    std::array<std::atomic<std::uint64_t>, max_ifaces> forwarded{};

    void count_forwarded(std::uint16_t out) noexcept {
        if (out < forwarded.size()) {
            forwarded[out].store(forwarded[out].load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        }
    }
};

/// Everything the nodes reach through their context pointer.
struct dataplane {
    std::array<port_l3, RTE_MAX_ETHPORTS> ports{};
    rcu_domain* rcu = nullptr;
    udp_peers* peers = nullptr;
    fast_tables* tables = nullptr;
    hash16 transport_id{}; ///< our transport id (spec §6.16); set before start
    bool fast_path = true; ///< false: classify punts every packet (--slow-path-only)
    std::uint16_t rns_mtu = 500; ///< largest RNS packet accepted from UDP (spec §1.2)
    /// IFAC key of each RNS interface (spec §9), nullptr: no IFAC. Set before the workers start,
    /// read-only after; the keys are owned by main and outlive the workers.
    std::array<const ifac::key*, max_ifaces> ifac_keys{};
    std::vector<worker_ctx*> workers;
    /// Edge of l3_output / inject towards "eth_tx-p<port>" (set when the clones are wired).
    std::array<rte_edge_t, RTE_MAX_ETHPORTS> l3_output_tx_edge{};
    std::array<rte_edge_t, RTE_MAX_ETHPORTS> inject_tx_edge{};
    /// Kernel interfaces (nullptr: none) and l3_output's edge to io_tx (set with the graphs).
    io_port* io = nullptr;
    rte_edge_t l3_output_io_edge = 0;
};

/// The single instance, set by main before graphs are created (nodes copy it into their ctx).
extern dataplane* g_dataplane;

/// The worker a graph belongs to: graphs are named "rns_w<index>".
worker_ctx* worker_of(const rte_graph* graph) noexcept;

/// Node context helpers: nodes keep up to 16 bytes in rte_node::ctx.
template <typename T> [[nodiscard]] T& node_ctx(rte_node* node) noexcept {
    static_assert(sizeof(T) <= RTE_NODE_CTX_SZ);
    return *reinterpret_cast<T*>(node->ctx);
}

} // namespace rns::datapath
