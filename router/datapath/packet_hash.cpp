// packet_hash: SHA-256 of the hashable part (spec §4.5): (flags & 0x0F) ‖ raw[2:] for HEADER_1,
// (flags & 0x0F) ‖ raw[18:] for HEADER_2 (hops and transport id are not covered, so the hash is
// the same on every hop). Needed by dedup, the reverse table and the control-plane feedback.
//
// Uses: priv.flags, the packet bytes. Sets: priv.hash.
#include "router/datapath/nodes.hpp"

#include "router/datapath/dataplane.hpp"
#include "router/datapath/node_registry.hpp"
#include "router/datapath/pkt_priv.hpp"

#include <rte_graph_worker.h>
#include <sodium.h>

namespace rns::datapath {

namespace {

void hash_one(rte_mbuf* m) noexcept {
    auto& pp = priv(m);
    const auto* raw = rte_pktmbuf_mtod(m, const std::uint8_t*);
    const std::size_t skip = (pp.flags & 0x40) != 0 ? 18 : 2;
    const std::uint8_t masked = pp.flags & 0x0f;
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, &masked, 1);
    crypto_hash_sha256_update(&st, raw + skip, rte_pktmbuf_data_len(m) - skip);
    crypto_hash_sha256_final(&st, pp.hash.data());
}

uint16_t packet_hash_process(rte_graph* graph, rte_node* node, void** objs, uint16_t nb) noexcept {
    for (uint16_t i = 0; i < nb; ++i) {
        hash_one(static_cast<rte_mbuf*>(objs[i]));
    }
    // Every packet continues to dedup: move the whole burst.
    rte_node_next_stream_move(graph, node, 0);
    return nb;
}

} // namespace

void register_packet_hash() {
    register_node({.name = "packet_hash", .process = packet_hash_process, .edges = {"dedup"}});
}

} // namespace rns::datapath
