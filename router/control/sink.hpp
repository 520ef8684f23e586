#pragma once
// Where the transport's output goes: packets to transmit, and notifications whenever an entry the
// fast path mirrors (path and link tables) changes, so the datapath can publish them to its
// lock-free tables (the packet-hash table is shared instead: packet_hashes.hpp). All calls are synchronous, from the control thread, after the control table
// changed. Persistence hooks (ratchets, known destinations) ride on the same interface.

#include "router/control/types.hpp"
#include "router/rns/bytes.hpp"

#include <cstdint>
#include <optional>

namespace rns::control {

/// What the fast path needs for spec §6.4 forwarding.
struct fast_path_entry {
    hash16 next_hop{};
    std::uint8_t hops = 0;
    iface_id out = no_iface;
};

/// What the fast path needs for spec §6.5 link forwarding.
struct fast_link_entry {
    iface_id nh_iface = no_iface;
    iface_id received_on = no_iface;
    std::uint8_t remaining_hops = 0;
    std::uint8_t taken_hops = 0;
    bool validated = false;
};

class transport_sink {
  public:
    virtual ~transport_sink() = default;

    /// Transmit raw (an RNS packet without IFAC or framing) on interface out.
    virtual void send(iface_id out, byte_view raw) = 0;

    virtual void path_set(const hash16& /*destination*/, const fast_path_entry& /*e*/) {}
    virtual void path_removed(const hash16& /*destination*/) {}
    virtual void link_set(const hash16& /*link_id*/, const fast_link_entry& /*e*/) {}
    virtual void link_removed(const hash16& /*link_id*/) {}

    /// A validated announce carried a ratchet (spec §5.4): for the ratchet store.
    virtual void ratchet_learned(const hash16& /*destination*/, const byte_array<32>& /*ratchet*/,
                                 double /*now*/) {}
    /// A destination was remembered or refreshed (spec §5.2 step 6): for the known-destination store.
    virtual void destination_remembered(const hash16& /*destination*/,
                                        const byte_array<64>& /*public_key*/,
                                        const std::optional<bytes>& /*app_data*/, double /*now*/) {}
};

} // namespace rns::control
