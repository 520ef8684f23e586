#pragma once
// IPv6 neighbour discovery (RFC 4861) for the router's ports: answers neighbour solicitations for
// our address with an advertisement, learns solicitors and advertisers, resolves peers' MAC
// addresses by soliciting their solicited-node group with retries, and ages entries. The IPv6
// counterpart of neighbor_cache (ARP); control plane only, not thread-safe: workers see
// resolved MACs through the UDP peer table's iface_tx entries.

#include "drivers/neighbor_table.hpp"

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <array>
#include <cstdint>
#include <functional>
#include <map>

namespace rns::drivers {

using ip6_addr = std::array<std::uint8_t, 16>;

class neighbor6_cache {
  public:
    using resolved_fn = neighbor_table<ip6_addr>::resolved_fn;
    using send_fn = std::function<void(rte_mbuf* frame)>;

    neighbor6_cache(rte_mempool* pool, send_fn send, resolved_fn resolved, neighbor_timing t = {});

    void add_port(std::uint16_t port, const rte_ether_addr& mac, const ip6_addr& ip6);

    /// Processes an Ethernet/IPv6/ICMPv6 NS or NA frame received on port (consumed). Frames with
    /// a wrong ICMPv6 checksum, hop limit or length are ignored (counted in ignored).
    void input(std::uint16_t port, rte_mbuf* frame, double now);

    /// The MAC for ip6 on port if fresh; otherwise starts (or keeps) soliciting it.
    [[nodiscard]] const rte_ether_addr* lookup(std::uint16_t port, const ip6_addr& ip6, double now);
    void learn(std::uint16_t port, const ip6_addr& ip6, const rte_ether_addr& mac, double now);
    void tick(double now);

    [[nodiscard]] std::size_t size() const noexcept { return _table.size(); }
    std::uint64_t solicitations_sent = 0;
    std::uint64_t advertisements_sent = 0;
    std::uint64_t ignored = 0;

  private:
    struct port_addr {
        rte_ether_addr mac{};
        ip6_addr ip6{};
    };

    void send_nd(std::uint16_t port, std::uint8_t type, const rte_ether_addr& dst_mac,
                 const ip6_addr& dst_ip, const ip6_addr& target, bool solicited);
    void send_solicitation(std::uint16_t port, const ip6_addr& ip6);

    rte_mempool* _pool;
    send_fn _send;
    std::map<std::uint16_t, port_addr> _ports;
    neighbor_table<ip6_addr> _table;
};

/// True when the upper-layer checksum over the IPv6 pseudo-header and len bytes at l4 is right.
[[nodiscard]] bool ipv6_l4_checksum_ok(const struct rte_ipv6_hdr* ip, const void* l4, std::uint32_t len) noexcept;
/// ff02::1:ffXX:XXXX, the solicited-node multicast group of addr (RFC 4291 §2.7.1).
[[nodiscard]] ip6_addr solicited_node(const ip6_addr& addr) noexcept;
/// 33:33 followed by the group's low 32 bits (RFC 2464 §7).
[[nodiscard]] rte_ether_addr multicast_mac(const ip6_addr& group) noexcept;

} // namespace rns::drivers
