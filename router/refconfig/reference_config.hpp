#pragma once
// The reference's configuration file, read as is: the keys of its `[reticulum]` and `[logging]`
// sections and of each `[[Name]]` under `[interfaces]` that a transport node acts on (spec §6.16,
// §9, §10), checked and converted the way the reference converts them (ConfigObj's as_bool,
// as_int, as_float, as_list). Interface types rnsrouter cannot serve are not errors: each is named
// in one notice with the reason, and the rest of the file applies.
//
// A value the reference would refuse (a word that is not a boolean, a port that is not a number,
// a hash of the wrong length) or that rnsrouter cannot honour (enable_transport = no) is an error
// naming the file, line and key; nothing is started with a bad file.

#include "router/control/types.hpp"
#include "router/refconfig/ini.hpp"
#include "router/rns/bytes.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace rns::refconfig {

/// What an interface section becomes in rnsrouter.
enum class iface_kind : std::uint8_t {
    udp,              ///< UDPInterface (spec §10.3)
    tcp_server,       ///< TCPServerInterface: a listener, one spawned interface per client
    tcp_client,       ///< TCPClientInterface
    backbone_listen,  ///< BackboneInterface without target_host/remote
    backbone_connect, ///< BackboneInterface with target_host/remote, or BackboneClientInterface
    rnode,            ///< RNodeInterface: served through an rnode-sidecar
    unsupported,      ///< named in a notice, not started
};
[[nodiscard]] const char* to_string(iface_kind k) noexcept;

/// Ingress control settings of an interface (spec §6.6.1); unset keys keep the defaults.
struct ingress_settings {
    std::optional<bool> enabled;                 ///< ingress_control
    std::optional<int> max_held_announces;       ///< ic_max_held_announces
    std::optional<double> burst_hold;            ///< ic_burst_hold (s)
    std::optional<double> burst_freq_new;        ///< ic_burst_freq_new (Hz)
    std::optional<double> burst_freq;            ///< ic_burst_freq (Hz)
    std::optional<double> new_time;              ///< ic_new_time (s)
    std::optional<double> burst_penalty;         ///< ic_burst_penalty (s)
    std::optional<double> held_release_interval; ///< ic_held_release_interval (s)
};

struct interface_section {
    std::string name;
    std::string type;
    iface_kind kind = iface_kind::unsupported;
    int line = 0;
    /// The reference starts an interface only with `enabled` (or `interface_enabled`) = yes.
    bool enabled = false;
    std::optional<control::iface_mode> mode;      ///< interface_mode, else mode
    std::optional<std::uint64_t> bitrate;         ///< bitrate (b/s; the reference ignores < 5)
    std::optional<double> announce_cap;           ///< fraction: the file says percent (0, 100]
    ingress_settings ingress;
    std::string network_name;                     ///< network_name / networkname (spec §9.1)
    std::string passphrase;                       ///< passphrase / pass_phrase
    std::optional<unsigned> ifac_size_bits;       ///< ifac_size (bits; the reference ignores < 8)
    bool outgoing = true;                         ///< outgoing = no: receive only
    // Addressing, by kind (empty / unset when the file does not say).
    std::string listen_ip;                        ///< listen_ip (Backbone: listen_on)
    std::optional<std::uint16_t> listen_port;     ///< listen_port (or port)
    std::string forward_ip;                       ///< UDP forward_ip
    std::optional<std::uint16_t> forward_port;    ///< UDP forward_port (or port)
    std::string target_host;                      ///< TCP client target_host (Backbone: remote)
    std::optional<std::uint16_t> target_port;     ///< TCP client target_port (Backbone: port)
    std::string device;                           ///< device (listen on this NIC's address)
    bool prefer_ipv6 = false;
    bool kiss_framing = false;                    ///< TCP client/server with KISS instead of HDLC
    // RNodeInterface (spec rnode.md §7), passed to the sidecar.
    std::string serial_port;                      ///< port
    std::optional<std::uint64_t> frequency;       ///< Hz
    std::optional<std::uint64_t> bandwidth;       ///< Hz
    std::optional<int> txpower;                   ///< dBm
    std::optional<int> spreading_factor;          ///< spreadingfactor
    std::optional<int> coding_rate;               ///< codingrate
    bool flow_control = false;
    std::optional<double> airtime_limit_short;    ///< percent
    std::optional<double> airtime_limit_long;     ///< percent
    std::string id_callsign;
    std::optional<int> id_interval;               ///< s
    /// Why rnsrouter does not serve this section (kind unsupported); empty otherwise.
    std::string unsupported_reason;
};

struct reference_config {
    std::string file;
    bool enable_transport = false;
    bool respond_to_probes = false;
    bool enable_remote_management = false;
    std::vector<hash16> remote_management_allowed;
    bool publish_blackhole = false;
    std::vector<hash16> blackhole_sources;
    bool panic_on_interface_error = false;
    int loglevel = 4; ///< the reference's default (LOG_NOTICE... LOG_VERBOSE scale 0-7)
    std::vector<interface_section> interfaces;
    /// One line each for the operator: sections not served, keys rnsrouter does not act on.
    std::vector<std::string> notices;
};

struct config_error {
    std::string file;
    int line = 0;
    std::string key; ///< empty for a syntax error
    std::string message;
    /// "FILE:LINE: key 'KEY': MESSAGE"
    [[nodiscard]] std::string what() const;
};

using config_result = std::variant<reference_config, config_error>;

/// Reads the text of a reference config file (`file` is only used in messages).
[[nodiscard]] config_result read_reference_config(std::string_view text, const std::string& file);
/// Reads the file itself; a file that cannot be read is an error with line 0.
[[nodiscard]] config_result load_reference_config(const std::string& path);

} // namespace rns::refconfig
