#pragma once
// The per-packet decisions of the forwarding nodes (dedup, classify, forward, link_forward,
// proof_forward), separate from their burst loops so that each is unit-tested on single mbufs:
// packet and table state in, edge and bytes out. Each returns the node's edge in the order of its
// registered edge list.

#include "router/datapath/fast_tables.hpp"
#include "router/datapath/pkt_priv.hpp"

#include <rte_graph.h>
#include <rte_mbuf.h>

#include <cstdint>

namespace rns::datapath {

/// dedup (spec §6.3, §6.2 step 6); link_destination: the destination is a link id in the link
/// table. now: the router's second; who: the caller's counter line in the packet-hash table.
enum class dedup_edge : rte_edge_t { classify, drop_plain_group_hops, drop_duplicate, count };
dedup_edge filter_packet(packet_hash_table& t, rte_mbuf* m, bool link_destination, std::uint32_t now,
                         unsigned who) noexcept;

/// classify (spec §6.2 steps 8-9 as split between the planes), by priv.route (dedup's lookup). A
/// proof found in the reverse table takes its entry out (spec §6.11: removed whether or not it is
/// forwarded).
enum class classify_edge : rte_edge_t { forward, link_forward, proof_forward, punt, count };
classify_edge classify_packet(packet_hash_table& t, rte_mbuf* m, std::uint32_t now, unsigned who) noexcept;

/// forward (spec §6.4): reverse entry written, path use recorded, packet rewritten.
enum class forward_edge : rte_edge_t { l3_output, count };
forward_edge forward_packet(packet_hash_table& t, rte_mbuf* m, std::uint32_t now, unsigned who) noexcept;

/// link_forward (spec §6.5).
enum class link_edge : rte_edge_t { l3_output, drop_link_hops, drop_duplicate, count };
link_edge link_forward_packet(packet_hash_table& t, rte_mbuf* m, std::uint32_t now, unsigned who) noexcept;

/// proof_forward (spec §6.11).
enum class proof_edge : rte_edge_t { l3_output, drop_proof_wrong_iface, count };
proof_edge proof_forward_packet(rte_mbuf* m) noexcept;

} // namespace rns::datapath
