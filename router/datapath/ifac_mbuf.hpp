#pragma once
// Interface Access Codes on mbufs (spec §9): strip and verify an inbound packet in place, and add
// the code to an outbound one in place. Single-segment mbufs only (the router's RX pool holds a
// whole frame in one segment, and the control plane builds its packets in one). No allocation.

#include <rte_mbuf.h>

#include <cstdint>

namespace rns::ifac {
class key;
} // namespace rns::ifac

namespace rns::datapath {

enum class ifac_strip_result : std::uint8_t {
    ok,        ///< the mbuf now holds the packet without IFAC, bit 7 clear
    too_short, ///< 2 bytes or less (spec §6.2 step 2)
    missing,   ///< bit 7 clear on an IFAC interface (spec §9.3)
    short_,    ///< bit 7 set but not longer than 2 + ifac_size (spec §9.3)
    oversize,  ///< longer than rns_mtu + ifac_size: cannot hold an MTU-sized packet
    mismatch,  ///< the access code is wrong (the mbuf contents are then garbage)
};

/// spec §9.3: verifies the access code of the packet in m and, if it is right, leaves the
/// unmasked packet without its code in m (bytes 0..len-N, the tail trimmed).
[[nodiscard]] ifac_strip_result ifac_strip(const ifac::key& k, rte_mbuf* m,
                                           std::uint16_t rns_mtu) noexcept;

enum class ifac_add_result : std::uint8_t {
    ok,        ///< m holds the packet with its access code, ifac_size bytes longer
    too_short, ///< 2 bytes or less: no RNS packet (never sent by the router)
    oversize,  ///< longer than rns_mtu (spec §1.2: the MTU excludes the IFAC, spec §6.8)
    no_room,   ///< not a single segment, or less than ifac_size bytes of headroom
};

/// spec §9.2: adds the access code to the packet in m. The code goes in front (headroom), so
/// the payload stays where it is and is only masked.
[[nodiscard]] ifac_add_result ifac_add(const ifac::key& k, rte_mbuf* m, std::uint16_t rns_mtu) noexcept;

} // namespace rns::datapath
