#pragma once
// ICMP echo (RFC 792) for the router's IPv4 addresses: turns a request frame into the reply in
// place (IPv4 and IPv6). Control plane only (l3_input punts echo requests addressed to the port).

#include <rte_mbuf.h>

namespace rns::drivers {

/// Rewrites a validated Ethernet/IPv4/ICMP echo request into its reply (addresses swapped, type 0,
/// checksum adjusted). False when the frame is not a well-formed echo request.
[[nodiscard]] bool echo_request_to_reply(rte_mbuf* frame) noexcept;

/// The same for an Ethernet/IPv6/ICMPv6 echo request (RFC 4443 §4.1): checks length and ICMPv6
/// checksum, swaps addresses, type 129, new checksum. False when it is not a valid request.
[[nodiscard]] bool echo6_request_to_reply(rte_mbuf* frame) noexcept;

} // namespace rns::drivers
