#pragma once
// Named drop nodes (STYLE rule 3): every reason the data plane discards a packet is its own graph
// node "drop_<name>", so the graph statistics count each reason separately and an operator can read
// what it means from its description (telemetry /rns/drops).

#include <cstddef>
#include <cstdint>

namespace rns::datapath {

#define RNS_DP_DROP_REASONS(X)                                                                     \
    X(foreign_mbuf, "mbuf from a pool without the router's private area (not our RX pool)")       \
    X(eth_short, "frame shorter than an Ethernet header")                                        \
    X(eth_not_ours, "destination MAC is neither ours nor broadcast/multicast")                   \
    X(ethertype, "EtherType is not IPv4, IPv6 or ARP")                                            \
    X(arp_malformed, "ARP frame that is not Ethernet/IPv4 or too short")                          \
    X(ipv4_header, "IPv4 header invalid: version, IHL, total length or truncated frame")          \
    X(ipv4_checksum, "IPv4 header checksum wrong")                                                \
    X(ipv4_fragment, "IPv4 fragment (RNS datagrams are at most 500 bytes and never fragmented)")  \
    X(ip_not_ours, "IP destination is not this port's address (nor its broadcast)")             \
    X(ip_proto, "IP protocol is neither UDP nor an ICMP echo request")                            \
    X(ipv6_unsupported, "IPv6 packet: this port has no IPv6 address configured")                   \
    X(ipv6_header, "IPv6 header invalid: version, payload length or truncated frame")            \
    X(ipv6_ext_header, "IPv6 extension header (RNS datagrams carry none; RFC 8200 4)")            \
    X(ipv6_not_ours, "IPv6 destination is neither our address nor its solicited-node group")     \
    X(icmp6_other, "ICMPv6 that is not echo request, NS or NA, or is truncated / hop limit != 255") \
    X(udp6_zero_checksum, "UDP over IPv6 with checksum 0 (mandatory in IPv6, RFC 8200 8.1)")      \
    X(udp_header, "UDP length inconsistent with the IP payload")                                  \
    X(udp_checksum, "UDP checksum wrong")                                                         \
    X(udp_port, "UDP destination port is not the port's RNS listener")                            \
    X(peer_unknown, "datagram from an address/port that is not a configured peer (learning off)") \
    X(punt_full, "control-plane punt ring full (control plane too slow)")                         \
    X(rns_short, "RNS packet shorter than its header (spec 4.2)")                                \
    X(rns_oversize, "RNS packet larger than the port's MTU")                                      \
    X(rns_ifac_flag, "IFAC flag set on an interface without IFAC (spec 6.2 step 2)")              \
    X(ifac_missing, "IFAC flag clear on an interface with IFAC (spec 9.3)")                       \
    X(ifac_short, "IFAC flag set but not longer than 2 + ifac_size bytes (spec 9.3)")             \
    X(ifac_mismatch, "access code not made with this interface's IFAC key (spec 9.3)")            \
    X(ifac_out_mtu, "packet over the RNS MTU cannot take an access code on its way out (spec 9.2)") \
    X(rns_hop_limit, "hop byte >= 128 (spec 4.2: the reference's unpack drops it)")               \
    X(rns_other_transport, "HEADER_2 addressed to another transport node (spec 6.3 rule 1)")      \
    X(plain_group_hops, "PLAIN/GROUP packet not heard directly, or a PLAIN/GROUP announce (spec 6.3)") \
    X(duplicate, "packet hash already seen (spec 6.3 rules 5-6)")                                 \
    X(link_hops, "link-table packet whose hop count matches neither side (spec 6.5)")             \
    X(proof_wrong_iface, "proof not received on the reverse entry's outbound interface (spec 6.11)")   \
    X(out_iface, "output interface unknown or removed")                                           \
    X(neighbor_unresolved, "peer MAC address not resolved yet (ARP / neighbour solicitation pending)") \
    X(no_headroom, "no mbuf headroom for Ethernet/IP/UDP headers")                                \
    X(tx_full, "ethdev TX queue full")                                                            \
    X(io_iface_unknown, "packet from the io thread for a kernel interface no longer registered")  \
    X(io_tx_full, "io thread TX ring full (the io thread is not keeping up)")

enum class drop_reason : std::uint8_t {
#define RNS_DP_X(name, desc) name,
    RNS_DP_DROP_REASONS(RNS_DP_X)
#undef RNS_DP_X
        count
};

inline constexpr std::size_t drop_reason_count = static_cast<std::size_t>(drop_reason::count);

inline constexpr const char* drop_node_names[] = {
#define RNS_DP_X(name, desc) "drop_" #name,
    RNS_DP_DROP_REASONS(RNS_DP_X)
#undef RNS_DP_X
};

/// Graph node name of a drop reason ("drop_duplicate").
constexpr const char* drop_node_name(drop_reason r) noexcept {
    return drop_node_names[static_cast<std::size_t>(r)];
}
/// Human description of a drop reason.
const char* drop_description(drop_reason r) noexcept;

} // namespace rns::datapath
