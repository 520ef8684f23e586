#pragma once
// Per-packet metadata carried in the mbuf private area (every mempool of the router reserves it).
// Written by the node named in each field's comment; read by the nodes downstream.

#include "router/datapath/forward_table.hpp"
#include "router/datapath/packet_hash_table.hpp"
#include "router/rns/bytes.hpp"

#include <rte_ether.h>
#include <rte_mbuf.h>

#include <array>
#include <cstdint>

namespace rns::datapath {

/// What a punted or injected mbuf carries (set by l3_input / the control plane).
enum class pkt_kind : std::uint8_t {
    rns = 0,      ///< data starts at an RNS packet (Ethernet/IP/UDP headers removed)
    arp,          ///< a whole Ethernet frame holding ARP, for the resolver
    icmp_echo,    ///< a whole Ethernet frame holding an ICMP echo request to our address
    ndp,          ///< a whole Ethernet frame holding ICMPv6 NS or NA (RFC 4861), for the resolver
    icmp6_echo,   ///< a whole Ethernet frame holding an ICMPv6 echo request to our address
    new_peer,     ///< an RNS packet from an unknown (address, port): control decides (learning)
    raw_frame,    ///< (inject) a complete Ethernet frame to send as is on mbuf->port
};

/// Classification results that travel with the packet between rns_parse and the forward nodes.
struct pkt_priv {
    std::uint16_t in_iface = 0;  ///< RNS interface the packet arrived on (l3_input)
    std::uint16_t out_iface = 0; ///< RNS interface to send on (forward nodes, control inject)
    pkt_kind kind = pkt_kind::rns;
    std::uint8_t hops = 0;       ///< hop byte after the +1 of spec §6.2 step 4 (rns_parse)
    std::uint8_t flags = 0;      ///< raw flag byte (rns_parse)
    std::uint8_t context = 0;    ///< context byte (rns_parse)
    /// One's complement sum of the RNS packet after its rewritable header (udp_cksum.hpp), for
    /// l3_output's incremental UDP checksum; valid only when tail_sum_valid (l3_input sets both;
    /// inject clears the flag: the control plane's packets carry no sum).
    std::uint16_t tail_sum = 0;
    bool tail_sum_valid = false;
    std::uint16_t src_port = 0;  ///< new_peer: peer UDP port, network order (l3_input)
    std::uint16_t l2_port = 0;   ///< new_peer: ethdev port id (l3_input)
    std::uint16_t dst_udp = 0;   ///< new_peer: our listener port it was sent to, network order
    std::uint32_t src_ip4 = 0;   ///< new_peer: peer IPv4 address, network order (l3_input)
    rte_ether_addr src_mac{};    ///< new_peer: peer MAC address (l3_input)
    bool src_is_ip6 = false;     ///< new_peer: the peer spoke IPv6; src_ip6 holds its address
    std::array<std::uint8_t, 16> src_ip6{}; ///< new_peer: peer IPv6 address (l3_input)
    hash32 hash{};               ///< packet hash, spec §4.5 (packet_hash)
    /// The forwarding-table entries of the destination (dedup looks them up once for the rest of
    /// the walk: link membership there, the path or link for classify and the forward nodes).
    forward_table::result route{};
    /// The reverse entry classify took out of the packet-hash table for proof_forward.
    reverse_hop reverse{};
};

/// Private area size every router mempool reserves (a multiple of RTE_MBUF_PRIV_ALIGN).
inline constexpr std::uint16_t pkt_priv_size =
    static_cast<std::uint16_t>((sizeof(pkt_priv) + RTE_MBUF_PRIV_ALIGN - 1) &
                               ~static_cast<std::size_t>(RTE_MBUF_PRIV_ALIGN - 1));

[[nodiscard]] inline pkt_priv& priv(rte_mbuf* m) noexcept {
    return *static_cast<pkt_priv*>(rte_mbuf_to_priv(m));
}

/// True when m comes from a pool with our private area (foreign pools, e.g. a net_ring fed by
/// another program, are dropped by eth_rx).
[[nodiscard]] inline bool has_priv(const rte_mbuf* m) noexcept {
    return m->priv_size >= sizeof(pkt_priv);
}

} // namespace rns::datapath
