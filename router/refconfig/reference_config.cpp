#include "router/refconfig/reference_config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

namespace rns::refconfig {

namespace {

/// A bad value, thrown inside this file only and returned as a config_error.
struct bad_value {
    int line;
    std::string key;
    std::string message;
};

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

/// ConfigObj's as_bool: true/on/yes/1 and false/off/no/0, any case.
bool as_bool(const ini_value& v) {
    const std::string s = lower(v.value);
    if (s == "true" || s == "on" || s == "yes" || s == "1") {
        return true;
    }
    if (s == "false" || s == "off" || s == "no" || s == "0") {
        return false;
    }
    throw bad_value{v.line, v.key, "'" + v.value + "' is not a boolean (yes/no, true/false, on/off, 1/0)"};
}

/// Python's int(): an optional sign and decimal digits.
long long as_int(const ini_value& v) {
    std::string_view s = v.value;
    if (!s.empty() && s.front() == '+') {
        s.remove_prefix(1);
    }
    long long out = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) {
        throw bad_value{v.line, v.key, "'" + v.value + "' is not a whole number"};
    }
    return out;
}

double as_float(const ini_value& v) {
    std::istringstream in(v.value);
    in.imbue(std::locale::classic());
    double out = 0;
    in >> out;
    if (v.value.empty() || !in || !in.eof() || !std::isfinite(out)) {
        throw bad_value{v.line, v.key, "'" + v.value + "' is not a number"};
    }
    return out;
}

std::uint16_t as_port(const ini_value& v) {
    const long long p = as_int(v);
    if (p < 1 || p > 65535) {
        throw bad_value{v.line, v.key, std::to_string(p) + " is not a port (1-65535)"};
    }
    return static_cast<std::uint16_t>(p);
}

template <typename T> T in_range(const ini_value& v, long long lo, long long hi, const char* what) {
    const long long n = as_int(v);
    if (n < lo || n > hi) {
        throw bad_value{v.line, v.key, std::to_string(n) + " is out of range for " + what + " (" +
                                           std::to_string(lo) + "-" + std::to_string(hi) + ")"};
    }
    return static_cast<T>(n);
}

/// as_list of truncated hashes (spec §1.1: 16 bytes, 32 hex digits), like the reference's
/// remote_management_allowed / blackhole_sources.
std::vector<hash16> as_hash_list(const ini_value& v) {
    std::vector<hash16> out;
    for (const std::string& item : v.items) {
        if (item.empty()) {
            continue;
        }
        const auto h = array_from_hex<16>(item);
        if (!h) {
            throw bad_value{v.line, v.key, "'" + item + "' is not an identity hash (32 hex digits)"};
        }
        out.push_back(*h);
    }
    return out;
}

void read_reticulum(const ini_section& s, reference_config& c) {
    bool transport_seen = false;
    for (const ini_value& v : s.values) {
        const std::string& k = v.key;
        if (k == "enable_transport") {
            c.enable_transport = as_bool(v);
            transport_seen = true;
        } else if (k == "respond_to_probes") {
            c.respond_to_probes = as_bool(v);
        } else if (k == "enable_remote_management") {
            c.enable_remote_management = as_bool(v);
        } else if (k == "remote_management_allowed") {
            c.remote_management_allowed = as_hash_list(v);
        } else if (k == "publish_blackhole") {
            c.publish_blackhole = as_bool(v);
        } else if (k == "blackhole_sources") {
            c.blackhole_sources = as_hash_list(v);
        } else if (k == "panic_on_interface_error") {
            c.panic_on_interface_error = as_bool(v);
        } else if (k == "share_instance" || k == "instance_name" || k == "shared_instance_type" ||
                   k == "shared_instance_port" || k == "instance_control_port" || k == "rpc_key") {
            // spec §6.17: a backbone router serves no local clients.
            c.notices.push_back(c.file + ":" + std::to_string(v.line) + ": [reticulum] " + k +
                                " ignored: rnsrouter runs no shared instance for local clients");
        } else {
            c.notices.push_back(c.file + ":" + std::to_string(v.line) + ": [reticulum] " + k +
                                " is not acted on by rnsrouter");
        }
    }
    if (!c.enable_transport) {
        throw bad_value{transport_seen ? s.find("enable_transport")->line : s.line, "enable_transport",
                        "rnsrouter is a transport node: the file must say enable_transport = yes"};
    }
}

void read_logging(const ini_section& s, reference_config& c) {
    for (const ini_value& v : s.values) {
        if (v.key == "loglevel") {
            c.loglevel = in_range<int>(v, 0, 7, "loglevel");
        } else {
            c.notices.push_back(c.file + ":" + std::to_string(v.line) + ": [logging] " + v.key +
                                " is not acted on by rnsrouter");
        }
    }
}

/// The kinds rnsrouter serves, and why it does not serve the others.
iface_kind kind_of(const std::string& type, const ini_section& s, std::string& reason) {
    if (type == "UDPInterface") {
        return iface_kind::udp;
    }
    if (type == "TCPServerInterface") {
        return iface_kind::tcp_server;
    }
    if (type == "TCPClientInterface") {
        return iface_kind::tcp_client;
    }
    if (type == "BackboneInterface") {
        const bool connect = s.find("target_host") != nullptr || s.find("remote") != nullptr;
        return connect ? iface_kind::backbone_connect : iface_kind::backbone_listen;
    }
    if (type == "BackboneClientInterface") {
        return iface_kind::backbone_connect;
    }
    if (type == "RNodeInterface") {
        return iface_kind::rnode;
    }
    if (type == "AutoInterface") {
        reason = "IPv6 link-local multicast peer discovery (spec §10.4) is not implemented";
    } else if (type == "I2PInterface") {
        reason = "I2P tunnels need an I2P router, which rnsrouter does not drive";
    } else if (type == "SerialInterface" || type == "PipeInterface" || type == "KISSInterface" ||
               type == "AX25KISSInterface" || type == "WeaveInterface" ||
               type == "RNodeMultiInterface") {
        reason = "this interface type is not implemented in rnsrouter";
    } else {
        reason = "unknown interface type (the reference would look for an external interface module)";
    }
    return iface_kind::unsupported;
}

interface_section read_interface(const ini_section& s, reference_config& c) {
    interface_section f;
    f.name = s.name;
    f.line = s.line;
    const ini_value* type = s.find("type");
    if (type == nullptr || type->value.empty()) {
        throw bad_value{s.line, "type", "interface [[" + s.name + "]] has no type"};
    }
    f.type = type->value;
    f.kind = kind_of(f.type, s, f.unsupported_reason);
    std::optional<control::iface_mode> mode_key;
    std::optional<control::iface_mode> interface_mode_key;
    std::set<std::string> unused;
    for (const ini_value& v : s.values) {
        const std::string& k = v.key;
        if (k == "type" || k == "name") {
        } else if (k == "enabled" || k == "interface_enabled") {
            f.enabled = f.enabled || as_bool(v);
        } else if (k == "mode" || k == "interface_mode") {
            const auto m = control::parse_iface_mode(lower(v.value));
            if (!m || *m == control::iface_mode::internal) {
                throw bad_value{v.line, k, "'" + v.value + "' is not an interface mode (full, gateway, "
                                           "access_point, pointtopoint, roaming, boundary)"};
            }
            (k == "mode" ? mode_key : interface_mode_key) = m;
        } else if (k == "bitrate") {
            const long long b = as_int(v);
            if (b >= 5) { // spec §10.5: a configured bitrate >= 5 overrides
                f.bitrate = static_cast<std::uint64_t>(b);
            }
        } else if (k == "announce_cap") {
            const double cap = as_float(v);
            if (cap > 0 && cap <= 100) {
                f.announce_cap = cap / 100.0;
            } else {
                throw bad_value{v.line, k, "announce_cap is a percentage in (0, 100]"};
            }
        } else if (k == "ingress_control") {
            f.ingress.enabled = as_bool(v);
        } else if (k == "ic_max_held_announces") {
            f.ingress.max_held_announces = in_range<int>(v, 0, 1 << 20, k.c_str());
        } else if (k == "ic_burst_hold") {
            f.ingress.burst_hold = as_float(v);
        } else if (k == "ic_burst_freq_new") {
            f.ingress.burst_freq_new = as_float(v);
        } else if (k == "ic_burst_freq") {
            f.ingress.burst_freq = as_float(v);
        } else if (k == "ic_new_time") {
            f.ingress.new_time = as_float(v);
        } else if (k == "ic_burst_penalty") {
            f.ingress.burst_penalty = as_float(v);
        } else if (k == "ic_held_release_interval") {
            f.ingress.held_release_interval = as_float(v);
        } else if (k == "network_name" || k == "networkname") {
            if (!v.value.empty()) {
                f.network_name = v.value;
            }
        } else if (k == "passphrase" || k == "pass_phrase") {
            if (!v.value.empty()) {
                f.passphrase = v.value;
            }
        } else if (k == "ifac_size") {
            const long long bits = as_int(v);
            if (bits >= 8) { // spec §9.4: smaller sizes are ignored by the reference
                f.ifac_size_bits = static_cast<unsigned>(std::min<long long>(bits, 512));
            }
        } else if (k == "outgoing") {
            f.outgoing = as_bool(v);
        } else if (k == "listen_ip" || k == "listen_on") {
            f.listen_ip = v.value;
        } else if (k == "listen_port") {
            f.listen_port = as_port(v);
        } else if (k == "forward_ip") {
            f.forward_ip = v.value;
        } else if (k == "forward_port") {
            f.forward_port = as_port(v);
        } else if (k == "target_host" || k == "remote") {
            f.target_host = v.value;
        } else if (k == "target_port") {
            f.target_port = as_port(v);
        } else if (k == "port" && f.kind == iface_kind::rnode) {
            f.serial_port = v.value;
        } else if (k == "port") {
            // spec §10.3: `port` sets both the listen and the forward port (Backbone: listen and
            // target); explicit keys win, like the reference (it reads them after `port`).
            const std::uint16_t p = as_port(v);
            if (s.find("listen_port") == nullptr) {
                f.listen_port = p;
            }
            if (s.find("forward_port") == nullptr) {
                f.forward_port = p;
            }
            if (s.find("target_port") == nullptr) {
                f.target_port = p;
            }
        } else if (k == "device") {
            f.device = v.value;
        } else if (k == "prefer_ipv6") {
            f.prefer_ipv6 = as_bool(v);
        } else if (k == "kiss_framing") {
            f.kiss_framing = as_bool(v);
        } else if (k == "frequency") {
            f.frequency = in_range<std::uint64_t>(v, 137'000'000, 3'000'000'000, "frequency (Hz)");
        } else if (k == "bandwidth") {
            f.bandwidth = in_range<std::uint64_t>(v, 7'800, 1'625'000, "bandwidth (Hz)");
        } else if (k == "txpower") {
            f.txpower = in_range<int>(v, 0, 37, "txpower (dBm)");
        } else if (k == "spreadingfactor") {
            f.spreading_factor = in_range<int>(v, 5, 12, "spreadingfactor");
        } else if (k == "codingrate") {
            f.coding_rate = in_range<int>(v, 5, 8, "codingrate");
        } else if (k == "flow_control") {
            f.flow_control = as_bool(v);
        } else if (k == "airtime_limit_short") {
            f.airtime_limit_short = as_float(v);
        } else if (k == "airtime_limit_long") {
            f.airtime_limit_long = as_float(v);
        } else if (k == "id_callsign") {
            f.id_callsign = v.value;
        } else if (k == "id_interval") {
            f.id_interval = in_range<int>(v, 1, 86400 * 7, "id_interval (s)");
        } else {
            unused.insert(k);
        }
    }
    // Like the reference: interface_mode, when present, wins over mode.
    f.mode = interface_mode_key ? interface_mode_key : mode_key;
    if (f.kind == iface_kind::unsupported) {
        if (f.enabled) {
            c.notices.push_back(c.file + ":" + std::to_string(s.line) + ": [[" + f.name + "]] (" +
                                f.type + ") not started: " + f.unsupported_reason);
        }
        return f;
    }
    for (const std::string& k : unused) {
        c.notices.push_back(c.file + ":" + std::to_string(s.find(k)->line) + ": [[" + f.name +
                            "]] " + k + " is not acted on by rnsrouter");
    }
    if (!f.enabled) {
        return f;
    }
    auto need = [&](bool ok, const char* key, const char* what) {
        if (!ok) {
            throw bad_value{s.line, key, "interface [[" + f.name + "]] (" + f.type + ") needs " + what};
        }
    };
    switch (f.kind) {
    case iface_kind::udp:
        need(f.listen_port.has_value(), "listen_port", "listen_port (or port)");
        need(f.forward_port.has_value(), "forward_port", "forward_port (or port)");
        need(!f.forward_ip.empty() || !f.device.empty(), "forward_ip", "forward_ip (or device)");
        break;
    case iface_kind::tcp_server:
    case iface_kind::backbone_listen:
        need(f.listen_port.has_value(), "listen_port", "listen_port (or port)");
        break;
    case iface_kind::tcp_client:
    case iface_kind::backbone_connect:
        need(!f.target_host.empty(), "target_host", "target_host (Backbone: remote)");
        need(f.target_port.has_value(), "target_port", "target_port (or port)");
        break;
    case iface_kind::rnode:
        need(!f.serial_port.empty(), "port", "port (the serial device)");
        need(f.frequency.has_value(), "frequency", "frequency");
        need(f.bandwidth.has_value(), "bandwidth", "bandwidth");
        need(f.txpower.has_value(), "txpower", "txpower");
        need(f.spreading_factor.has_value(), "spreadingfactor", "spreadingfactor");
        need(f.coding_rate.has_value(), "codingrate", "codingrate");
        break;
    case iface_kind::unsupported:
        break;
    }
    return f;
}

} // namespace

const char* to_string(iface_kind k) noexcept {
    switch (k) {
    case iface_kind::udp: return "udp";
    case iface_kind::tcp_server: return "tcp_server";
    case iface_kind::tcp_client: return "tcp_client";
    case iface_kind::backbone_listen: return "backbone_listen";
    case iface_kind::backbone_connect: return "backbone_connect";
    case iface_kind::rnode: return "rnode";
    case iface_kind::unsupported: return "unsupported";
    }
    return "?";
}

std::string config_error::what() const {
    std::string out = file + ":" + std::to_string(line) + ": ";
    if (!key.empty()) {
        out += "key '" + key + "': ";
    }
    return out + message;
}

config_result read_reference_config(std::string_view text, const std::string& file) {
    const ini_result ini = parse_ini(text);
    if (ini.error) {
        return config_error{file, ini.error->line, {}, ini.error->message};
    }
    reference_config c;
    c.file = file;
    try {
        for (const ini_value& v : ini.root.values) {
            c.notices.push_back(file + ":" + std::to_string(v.line) + ": " + v.key +
                                " outside any section is not acted on");
        }
        const ini_section* ret = ini.root.section("reticulum");
        if (ret == nullptr) {
            return config_error{file, 0, "enable_transport",
                                "no [reticulum] section: rnsrouter needs enable_transport = yes"};
        }
        read_reticulum(*ret, c);
        if (const ini_section* log = ini.root.section("logging")) {
            read_logging(*log, c);
        }
        if (const ini_section* ifs = ini.root.section("interfaces")) {
            for (const ini_section& s : ifs->sections) {
                if (s.depth != 2) {
                    return config_error{file, s.line, {}, "interface sections are [[Name]] inside [interfaces]"};
                }
                c.interfaces.push_back(read_interface(s, c));
            }
        }
        for (const ini_section& s : ini.root.sections) {
            if (s.name != "reticulum" && s.name != "logging" && s.name != "interfaces") {
                c.notices.push_back(file + ":" + std::to_string(s.line) + ": section [" + s.name +
                                    "] is not acted on by rnsrouter");
            }
        }
    } catch (const bad_value& e) {
        return config_error{file, e.line, e.key, e.message};
    }
    return c;
}

config_result load_reference_config(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return config_error{path, 0, {}, "cannot read the file"};
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) {
        return config_error{path, 0, {}, "cannot read the file"};
    }
    return read_reference_config(text.str(), path);
}

} // namespace rns::refconfig
