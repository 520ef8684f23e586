#pragma once
// IPv4 neighbour resolution (ARP, RFC 826) for the router's ports: answers requests for our
// addresses, learns senders, resolves peers' MAC addresses with retries, and expires entries.
// Control plane only (ARP is slow path): not thread-safe, no per-packet use by workers; the
// workers see resolved MACs through the UDP peer table's published iface_tx entries.

#include "drivers/neighbor_table.hpp"

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <cstdint>
#include <functional>
#include <map>

namespace rns::drivers {

class neighbor_cache {
  public:
    /// Called when an address becomes resolved (or its MAC changes).
    using resolved_fn = neighbor_table<std::uint32_t>::resolved_fn;
    /// Sends a complete Ethernet frame on a port (takes ownership of the mbuf).
    using send_fn = std::function<void(rte_mbuf* frame)>;

    struct port_addr {
        rte_ether_addr mac{};
        std::uint32_t ip4 = 0; ///< network order
    };

    neighbor_cache(rte_mempool* pool, send_fn send, resolved_fn resolved, neighbor_timing t = {});

    void add_port(std::uint16_t port, const port_addr& addr);

    /// Processes an ARP frame received on port (the mbuf is consumed): learns the sender when it
    /// is addressed to us or already known (RFC 826 merge rule), answers requests for our address.
    void input(std::uint16_t port, rte_mbuf* frame, double now);

    /// The MAC for ip4 on port if fresh; otherwise starts (or keeps) resolving it.
    [[nodiscard]] const rte_ether_addr* lookup(std::uint16_t port, std::uint32_t ip4, double now);
    /// Learns an address from a valid datagram's Ethernet source (peer learning).
    void learn(std::uint16_t port, std::uint32_t ip4, const rte_ether_addr& mac, double now);

    /// Retransmits pending requests, gives up on silent ones, ages entries.
    void tick(double now);

    [[nodiscard]] std::size_t size() const noexcept { return _table.size(); }
    std::uint64_t requests_sent = 0;
    std::uint64_t replies_sent = 0;

  private:
    void send_arp(std::uint16_t port, std::uint16_t op, const rte_ether_addr& dst_mac,
                  std::uint32_t target_ip, const rte_ether_addr& target_mac);
    void send_request(std::uint16_t port, std::uint32_t ip4);

    rte_mempool* _pool;
    send_fn _send;
    std::map<std::uint16_t, port_addr> _ports;
    neighbor_table<std::uint32_t> _table; ///< keyed by (port, IPv4 address in network order)
};

} // namespace rns::drivers
