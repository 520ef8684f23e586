// packet_hash: SHA-256 of the hashable part (spec §4.5): (flags & 0x0F) ‖ raw[2:] for HEADER_1,
// (flags & 0x0F) ‖ raw[18:] for HEADER_2 (hops and transport id are not covered, so the hash is
// the same on every hop). Needed by dedup and the reverse table.
//
// The whole burst goes to the worker's crypto::sha256_batch engine (chosen at start-up by
// measurement; SHA-NI where the CPU has it). The two hashed ranges are made one without copying:
// the masked flag byte is written over the byte just before the tail (raw[1] = hops, or raw[17] =
// the last transport-id byte) and put back after hashing.
//
// Uses: priv.flags, the packet bytes. Sets: priv.hash.
#include "crypto/sha256_batch.hpp"
#include "router/datapath/dataplane.hpp"
#include "router/datapath/edges.hpp"
#include "router/datapath/node_registry.hpp"
#include "router/datapath/pkt_priv.hpp"

#include <rte_graph_worker.h>

#include <algorithm>

namespace rns::datapath {

namespace {

enum class next : rte_edge_t { dedup, count };

constexpr std::uint16_t chunk = 32;

struct packet_hash_ctx {
    crypto::sha256_batch* hasher;
};

int packet_hash_init(const rte_graph* graph, rte_node* node) {
    worker_ctx* w = worker_of(graph);
    node_ctx<packet_hash_ctx>(node).hasher = w != nullptr ? w->hasher.get() : nullptr;
    return w != nullptr && w->hasher ? 0 : -EINVAL;
}

void hash_chunk(crypto::sha256_batch& hasher, void** objs, std::uint16_t n) noexcept {
    byte_view in[chunk];
    hash32 out[chunk];
    std::uint8_t saved[chunk];
    for (std::uint16_t i = 0; i < n; ++i) {
        auto* m = static_cast<rte_mbuf*>(objs[i]);
        const pkt_priv& pp = priv(m);
        auto* raw = rte_pktmbuf_mtod(m, std::uint8_t*);
        const std::size_t at = (pp.flags & 0x40) != 0 ? 17 : 1; // rns_parse checked the length
        saved[i] = raw[at];
        raw[at] = pp.flags & 0x0f;
        in[i] = byte_view(raw + at, rte_pktmbuf_data_len(m) - at);
    }
    hasher.hash(std::span<const byte_view>(in, n), std::span<hash32>(out, n));
    for (std::uint16_t i = 0; i < n; ++i) {
        auto* m = static_cast<rte_mbuf*>(objs[i]);
        const pkt_priv& pp = priv(m);
        rte_pktmbuf_mtod(m, std::uint8_t*)[(pp.flags & 0x40) != 0 ? 17 : 1] = saved[i];
        priv(m).hash = out[i];
    }
}

uint16_t packet_hash_process(rte_graph* graph, rte_node* node, void** objs, uint16_t nb) noexcept {
    crypto::sha256_batch& hasher = *node_ctx<packet_hash_ctx>(node).hasher;
    for (std::uint16_t done = 0; done < nb;) {
        const auto n = static_cast<std::uint16_t>(std::min<int>(chunk, nb - done));
        hash_chunk(hasher, objs + done, n);
        done = static_cast<std::uint16_t>(done + n);
    }
    // Every packet continues to dedup: move the whole burst.
    rte_node_next_stream_move(graph, node, edge(next::dedup));
    return nb;
}

constexpr auto packet_hash_edges = bind_edges<next::count>({
    {next::dedup, "dedup"},
});

} // namespace

RNS_NODE_REGISTER({
    .name = "packet_hash",
    .process = packet_hash_process,
    .init = packet_hash_init,
    .edges = packet_hash_edges,
});

} // namespace rns::datapath
