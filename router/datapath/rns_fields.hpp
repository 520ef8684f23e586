#pragma once
// Field access on a parsed RNS packet in an mbuf (rns_parse has validated the header length).

#include "router/datapath/pkt_priv.hpp"
#include "router/rns/packet.hpp"

#include <rte_mbuf.h>

#include <cstdint>

namespace rns::datapath {

[[nodiscard]] inline bool is_header_2(std::uint8_t flags) noexcept { return (flags & 0x40) != 0; }
[[nodiscard]] inline packet_type type_of(std::uint8_t flags) noexcept {
    return static_cast<packet_type>(flags & 0x03);
}
[[nodiscard]] inline destination_type dest_type_of(std::uint8_t flags) noexcept {
    return static_cast<destination_type>((flags >> 2) & 0x03);
}
/// The destination hash (or link id, or truncated packet hash for proofs): spec §4.2.
[[nodiscard]] inline const std::uint8_t* dest_of(rte_mbuf* m) noexcept {
    return rte_pktmbuf_mtod(m, const std::uint8_t*) + (is_header_2(priv(m).flags) ? 18 : 2);
}
[[nodiscard]] inline const std::uint8_t* transport_id_of(rte_mbuf* m) noexcept {
    return rte_pktmbuf_mtod(m, const std::uint8_t*) + 2;
}
/// Writes the incremented hop count into the packet (spec §6.4, §6.5, §6.11: the forwarded
/// packet is raw[0] ‖ hops ‖ raw[2:]).
inline void write_hops(rte_mbuf* m) noexcept {
    rte_pktmbuf_mtod(m, std::uint8_t*)[1] = priv(m).hops;
}

} // namespace rns::datapath
