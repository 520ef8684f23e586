#pragma once
// The header checks of rns_parse (spec §4.2, §6.2 steps 2-4, §6.3 rule 1), shared with ifac_in,
// which runs them on the packet it has just stripped of its access code.

#include <rte_mbuf.h>

#include <cstdint>

namespace rns::datapath {

struct dataplane;

enum class rns_check : std::uint8_t {
    ok,              ///< priv.flags, priv.hops (+1), priv.context set
    too_short,
    oversize,
    ifac_flag,
    hop_limit,
    other_transport,
};

/// Parses the RNS packet in m; on ok fills priv(m).flags/hops/context.
[[nodiscard]] rns_check check_rns_header(const dataplane& dp, rte_mbuf* m) noexcept;

} // namespace rns::datapath
