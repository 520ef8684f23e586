#pragma once
// The telemetry command /rns/paths[,START]: the path table (spec §6.1) a page at a time, in order
// of destination hash, like the reference's `rnpath -t`. An answer holds at most page_size
// entries with destination >= START (32 hex digits; none: from the start), each
//   "<destination>": {"next_hop", "hops", "iface" (interface id, see /rns/ifaces), "timestamp",
//                     "expires" (unix seconds)}
// plus "total" (paths in the table) and, when more follow, "next" (the START of the next page).
// One page stays well inside the telemetry answer limit (16 KiB in DPDK 22.11).
//
// The path table belongs to the control thread, so the telemetry thread hands the request over
// and waits (at most a second) for the control loop to answer it at its next tick (every 50 ms).
// A page costs the control thread one pass over the table (a bounded selection of the smallest
// page_size + 1 destinations >= START): listing P paths costs P / page_size passes, spread over
// the operator's requests.

#include "router/control/transport.hpp"

#include <cstddef>

namespace rns::ctlplane {

class path_listing {
  public:
    static constexpr std::size_t page_size = 64;

    /// Registers /rns/paths (once per process).
    path_listing();
    /// Control thread: answers a waiting request, if any (cheap when none waits).
    void serve(const control::transport& t);
};

} // namespace rns::ctlplane
