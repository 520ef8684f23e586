#pragma once
// Router flags of the kernel-socket interfaces run by the io thread:
//   --tcp-listen ADDR:PORT[,OPT]...    TCPServerInterface / BackboneInterface: every accepted
//                                      connection is its own spawned interface with these settings
//   --tcp-connect HOST:PORT[,OPT]...   TCPClientInterface: reconnects with back-off
//   --udp-listen ADDR:PORT[,forward=ADDR:PORT][,broadcast][,OPT]...   UDPInterface (spec §10.3)
//   --max-connections N                registered socket table of the io thread (default 4096)
// OPT, as on --port: name=, mode=, bitrate=, netname=, netkey=, ifac_size= (bits), ingress=off;
// --tcp-listen also: max_clients=N, flap_seconds=S, flap_limit=N, flap_block=S (spec §10.1);
// --tcp-connect also: reconnect=S, reconnect_max=S.

#include "drivers/io/config.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rns {

/// The RNS side of one configured kernel interface (spec §6.13 modes, §9 IFAC, §10.5 bitrate).
struct kernel_iface_settings {
    std::string name;                ///< default: derived from the kind and address
    std::string mode = "full";
    std::uint64_t bitrate = 10'000'000; ///< TCP and UDP default (spec §10.5)
    bool ingress_control = true;
    std::optional<std::string> netname;
    std::optional<std::string> netkey;
    unsigned ifac_size_bits = 0;     ///< 0: the TCP/UDP default, 16 bytes (spec §9.4)
    [[nodiscard]] bool has_ifac() const noexcept { return netname.has_value() || netkey.has_value(); }
};

/// All kernel interfaces: io_config for the io thread, RNS settings in the same order
/// (listeners[i] ↔ listener_settings[i], and so on).
struct kernel_iface_flags {
    io::io_config io;
    std::vector<kernel_iface_settings> listener_settings;
    std::vector<kernel_iface_settings> client_settings;
    std::vector<kernel_iface_settings> udp_settings;
    [[nodiscard]] bool any() const noexcept {
        return !io.listeners.empty() || !io.clients.empty() || !io.udps.empty();
    }
};

/// Handles one of the flags above (flag without the value, value); false when flag is not one of
/// them. Throws std::invalid_argument naming the flag on a bad value.
bool parse_kernel_iface_flag(kernel_iface_flags& out, const std::string& flag, const std::string& value);

/// The --help lines of these flags.
const char* kernel_iface_usage() noexcept;

} // namespace rns
