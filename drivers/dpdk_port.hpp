#pragma once
// DPDK ethdev port set-up: queues, RSS where the device has it, start/stop. Works the same for
// physical NICs and virtual devices (net_af_packet, net_tap, net_pcap, net_ring, net_memif, ...).

#include <rte_ether.h>
#include <rte_mempool.h>

#include <cstdint>
#include <string>

namespace rns::drivers {

struct port_request {
    std::uint16_t port_id = 0;
    std::uint16_t rx_queues = 1; ///< clamped to what the device offers
    std::uint16_t tx_queues = 1; ///< one per graph worker: must be available
    std::uint16_t rx_desc = 1024;
    std::uint16_t tx_desc = 1024;
    rte_mempool* pool = nullptr;
};

struct port_info {
    std::uint16_t port_id = 0;
    std::string name;        ///< device name (e.g. "net_af_packet0")
    std::string driver;
    rte_ether_addr mac{};
    std::uint16_t rx_queues = 0;
    std::uint16_t tx_queues = 0;
    bool rss = false;
    bool ip_cksum_offload = false;  ///< RX IPv4 checksum verified by the device
    bool udp_cksum_offload = false; ///< RX UDP checksum verified by the device
};

/// Configures and starts the port; throws std::runtime_error with DPDK's reason on failure.
port_info setup_port(const port_request& req);
/// Stops and closes the port (shutdown).
void close_port(std::uint16_t port_id) noexcept;

std::string mac_to_string(const rte_ether_addr& mac);

} // namespace rns::drivers
