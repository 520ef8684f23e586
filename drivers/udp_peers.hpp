#pragma once
// The UDP peer table: maps (ethdev port, peer IPv4 address, peer UDP port) to the RNS interface
// the datagram belongs to (inbound), and each RNS interface to where its packets go (outbound:
// port, peer address and UDP port, resolved MAC). Written only by the control plane; read
// lock-free by the workers. Outbound entries are immutable once published: a change (e.g. the
// MAC getting resolved) publishes a new entry and frees the old one after an RCU grace period.

#include "drivers/rcu.hpp"

#include <rte_ether.h>
#include <rte_hash.h>

#include <atomic>
#include <cstdint>
#include <memory>

namespace rns::drivers {

inline constexpr std::uint16_t max_ifaces = 1024;
inline constexpr std::uint16_t no_iface = 0xffff;

/// Where an RNS interface sends. All addresses in network byte order.
struct iface_tx {
    std::uint16_t eth_port = 0;
    std::uint16_t src_udp = 0; ///< our listener port the interface sends from
    std::uint16_t dst_udp = 0;
    std::uint32_t dst_ip4 = 0;
    rte_ether_addr dst_mac{};
    bool resolved = false; ///< dst_mac is valid (broadcast peers are always resolved)
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
    void publish_tx(std::uint16_t iface, const iface_tx& tx);
    void remove_tx(std::uint16_t iface);
    /// The current outbound entry (control plane view; same object the workers read).
    [[nodiscard]] const iface_tx* tx_of(std::uint16_t iface) const noexcept { return tx(iface); }

    // data plane (lock-free readers)
    [[nodiscard]] std::uint16_t lookup(std::uint16_t eth_port, std::uint32_t ip4,
                                       std::uint16_t udp) const noexcept {
        const key k{ip4, udp, eth_port};
        void* data = nullptr;
        if (rte_hash_lookup_data(_hash, &k, &data) < 0) {
            return no_iface;
        }
        return static_cast<std::uint16_t>(reinterpret_cast<std::uintptr_t>(data));
    }
    [[nodiscard]] const iface_tx* tx(std::uint16_t iface) const noexcept {
        return iface < max_ifaces ? _tx[iface].load(std::memory_order_acquire) : nullptr;
    }

  private:
    struct key {
        std::uint32_t ip4;
        std::uint16_t udp;
        std::uint16_t eth_port;
    };
    rcu_domain& _rcu;
    rte_hash* _hash = nullptr;
    std::unique_ptr<std::atomic<const iface_tx*>[]> _tx; // dataplane: ro, ctlplane: rw
};

} // namespace rns::drivers
