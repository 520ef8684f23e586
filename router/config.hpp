#pragma once
// Router flags (after the EAL arguments and `--`): `rnsrouter [EAL args] -- [router flags]`.

#include "router/config_io.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rns::router {

struct peer_flag {
    std::uint32_t ip4 = 0;  ///< network order
    bool ipv6 = false;      ///< given as [IPv6]:PORT; ip6 holds the address
    std::array<std::uint8_t, 16> ip6{};
    std::uint16_t udp = 0;  ///< network order
    bool broadcast = false; ///< sent as Ethernet broadcast
    /// Every sender on the port belongs to this interface (reference UDPInterface: no peer
    /// tracking, it hears whoever sends to its listen port). Set for broadcast= and forward=.
    bool catch_all = false;
};

struct port_flag {
    std::uint16_t port = 0;
    std::uint32_t ip4 = 0;   ///< network order
    std::uint8_t prefix = 24;
    bool has_ip6 = false;    ///< an IPv6 addr= was given (a port may have one of each family)
    std::array<std::uint8_t, 16> ip6{};
    std::uint8_t prefix6 = 64;
    std::uint16_t udp = 0;   ///< network order
    bool learn = false;
    std::string mode = "full";
    std::uint64_t bitrate = 10'000'000;
    bool ingress_control = true;
    std::vector<peer_flag> peers;
    /// Interface Access Code (spec §9.1), the reference's network_name / passphrase / ifac_size.
    /// IFAC is on when either secret is given; every interface of this listener uses it.
    std::optional<std::string> netname;
    std::optional<std::string> netkey;
    unsigned ifac_size_bits = 0; ///< 0: the UDP interface default (16 bytes, spec §9.4)
    [[nodiscard]] bool has_ifac() const noexcept { return netname.has_value() || netkey.has_value(); }
};

struct router_flags {
    std::vector<port_flag> ports;
    std::string state_dir = "rnsrouter-state";
    std::string identity_file;      ///< empty: <state_dir>/transport_identity (created if absent)
    unsigned persist_slots = 16;    ///< registered file slots of the persistence thread (>= 2)
    unsigned persist_fsync_ms = 50; ///< group commit: at most one fsync per this many ms
    double path_snapshot_interval = 300; ///< seconds between path/known snapshots; 0: at stop only
    double status_interval = 0;     ///< seconds between status lines; 0: none
    unsigned mbufs = 8191;
    std::size_t packet_hashes = std::size_t{1} << 22; ///< packet-hash table slots (--packet-hashes)
    std::size_t fast_entries = std::size_t{1} << 20;  ///< paths + links in the fast path (--fast-entries)
    double control_slice_us = 30;       ///< control_slice::budget_us
    std::size_t announce_backlog = 2048; ///< control_slice::announce_backlog
    std::size_t announce_cache = 65536; ///< transport_options::announce_cache
    double run_seconds = 0;         ///< stop by itself after this long (tests); 0: until a signal
    std::string ready_file;         ///< written (with the transport id) once the router runs
    bool slow_path_only = false;    ///< classify punts everything (equality tests)
    /// Kernel-socket interfaces of the io thread (--tcp-listen, --tcp-connect, --udp-listen).
    kernel_iface_flags kernel;
    /// --prometheus ADDR:PORT: serve /metrics there (prometheus_port 0: off). ADDR is an IPv4 or
    /// IPv6 address (given as [IPv6]:PORT), without brackets here.
    std::string prometheus_addr;
    std::uint16_t prometheus_port = 0;
    bool help = false;
};

/// Parses the router flags; throws std::invalid_argument with a message naming the bad flag.
router_flags parse_router_flags(int argc, char** argv);
const char* router_usage() noexcept;

} // namespace rns::router
