#pragma once
// The UDP peer table: maps (ethdev port, peer IPv4/IPv6 address, peer UDP port) to the RNS interface
// the datagram belongs to (inbound), and each RNS interface to where its packets go (outbound:
// port, peer address and UDP port, resolved MAC). Written only by the control plane; read
// lock-free by the workers. Outbound entries are immutable once published: a change (e.g. the
// MAC getting resolved) publishes a new entry and frees the old one after an RCU grace period.

#include "router/datapath/rcu.hpp"

#include <rte_ether.h>
#include <rte_hash.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>

namespace rns::datapath {

inline constexpr std::uint16_t max_ifaces = 1024;
inline constexpr std::uint16_t no_iface = 0xffff;

/// Where an RNS interface sends. All addresses in network byte order.
struct iface_tx {
    std::uint16_t eth_port = 0;
    std::uint16_t src_udp = 0; ///< our listener port the interface sends from
    std::uint16_t dst_udp = 0;
    std::uint32_t dst_ip4 = 0;
    bool ipv6 = false;                       ///< the peer is reached over IPv6 (dst_ip6)
    std::array<std::uint8_t, 16> dst_ip6{};
    rte_ether_addr dst_mac{};
    bool resolved = false; ///< dst_mac is valid (broadcast peers are always resolved)
    /// A kernel interface of the io thread (TCP or UDP socket): packets go to the io TX ring with
    /// mbuf->port = io_id; the Ethernet/IP fields above are unused.
    bool io = false;
    std::uint16_t io_id = 0;
};

class udp_peers {
  public:
    explicit udp_peers(rcu_domain& rcu);
    ~udp_peers();
    udp_peers(const udp_peers&) = delete;
    udp_peers& operator=(const udp_peers&) = delete;

    // control plane (single writer)
    /// Inbound mapping; false when the table is full.
    bool map_peer(std::uint16_t eth_port, std::uint32_t ip4, std::uint16_t udp, std::uint16_t iface);
    void unmap_peer(std::uint16_t eth_port, std::uint32_t ip4, std::uint16_t udp);
    /// IPv6 peers share the table (IPv4 keys are IPv4-mapped addresses, RFC 4291 2.5.5.2).
    bool map_peer6(std::uint16_t eth_port, const std::array<std::uint8_t, 16>& ip6,
                   std::uint16_t udp, std::uint16_t iface);
    void publish_tx(std::uint16_t iface, const iface_tx& tx);
    void remove_tx(std::uint16_t iface);
    /// The current outbound entry (control plane view; same object the workers read).
    [[nodiscard]] const iface_tx* tx_of(std::uint16_t iface) const noexcept { return tx(iface); }

    // data plane (lock-free readers)
    [[nodiscard]] std::uint16_t lookup(std::uint16_t eth_port, std::uint32_t ip4,
                                       std::uint16_t udp) const noexcept {
        return find(key4(eth_port, ip4, udp));
    }
    [[nodiscard]] std::uint16_t lookup6(std::uint16_t eth_port, const std::uint8_t* ip6,
                                        std::uint16_t udp) const noexcept {
        key k{};
        std::memcpy(k.addr, ip6, sizeof k.addr);
        k.udp = udp;
        k.eth_port = eth_port;
        return find(k);
    }
    [[nodiscard]] const iface_tx* tx(std::uint16_t iface) const noexcept {
        return iface < max_ifaces ? _tx[iface].load(std::memory_order_acquire) : nullptr;
    }

  private:
    struct key {
        std::uint8_t addr[16]; ///< IPv6, or IPv4-mapped ::ffff:a.b.c.d
        std::uint16_t udp;
        std::uint16_t eth_port;
    };
    [[nodiscard]] static key key4(std::uint16_t eth_port, std::uint32_t ip4, std::uint16_t udp) noexcept {
        key k{};
        k.addr[10] = 0xff;
        k.addr[11] = 0xff;
        std::memcpy(k.addr + 12, &ip4, sizeof ip4);
        k.udp = udp;
        k.eth_port = eth_port;
        return k;
    }
    [[nodiscard]] std::uint16_t find(const key& k) const noexcept {
        void* data = nullptr;
        if (rte_hash_lookup_data(_hash, &k, &data) < 0) {
            return no_iface;
        }
        return static_cast<std::uint16_t>(reinterpret_cast<std::uintptr_t>(data));
    }
    rcu_domain& _rcu;
    rte_hash* _hash = nullptr;
    std::unique_ptr<std::atomic<const iface_tx*>[]> _tx; // dataplane: ro, ctlplane: rw
};

} // namespace rns::datapath
