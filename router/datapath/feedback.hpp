#pragma once
// Records the fast path sends to the control plane after it forwarded a packet, so the control
// plane's own tables and timers stay exactly as if it had forwarded the packet itself
// (router/control: transport::fast_forwarded / fast_link_forwarded / fast_reverse_used).
// One SP/SC ring per worker; fixed-size elements, no allocation.

#include "router/rns/bytes.hpp"

#include <cstdint>

namespace rns::datapath {

enum class feedback_kind : std::uint8_t { forwarded, link_forwarded, reverse_used };

struct feedback_record {
    feedback_kind kind = feedback_kind::forwarded;
    std::uint8_t head_len = 0;  ///< bytes of head[] in use
    std::uint16_t in_iface = 0;
    std::uint16_t out_iface = 0;
    std::uint16_t raw_len = 0;  ///< length of the packet as received
    hash32 hash{};              ///< packet hash (spec §4.5)
    /// The received packet's header (flags, hops, [transport id], destination, context) and the
    /// first data bytes, enough to rebuild its packet_view for the control plane.
    std::uint8_t head[88]{};
};
static_assert(sizeof(feedback_record) == 128);

} // namespace rns::datapath

#include "router/datapath/pkt_priv.hpp"

#include <rte_mbuf.h>
#include <rte_ring_elem.h>

#include <algorithm>
#include <cstring>

namespace rns::datapath {

/// Builds the record for m (before any rewrite) and enqueues it; false when the ring is full.
[[nodiscard]] inline bool send_feedback(rte_ring* ring, feedback_kind kind, rte_mbuf* m,
                                        std::uint16_t out_iface) noexcept {
    const pkt_priv& pp = priv(m);
    feedback_record r;
    r.kind = kind;
    r.in_iface = pp.in_iface;
    r.out_iface = out_iface;
    r.raw_len = rte_pktmbuf_data_len(m);
    r.hash = pp.hash;
    r.head_len = static_cast<std::uint8_t>(std::min<std::size_t>(r.raw_len, sizeof r.head));
    std::memcpy(r.head, rte_pktmbuf_mtod(m, const std::uint8_t*), r.head_len);
    return rte_ring_sp_enqueue_elem(ring, &r, sizeof r) == 0;
}

} // namespace rns::datapath
