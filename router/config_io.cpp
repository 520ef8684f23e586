#include "router/config_io.hpp"

#include <charconv>
#include <stdexcept>

namespace rns {

namespace {

[[noreturn]] void bad(const std::string& what) { throw std::invalid_argument(what); }

std::uint64_t parse_uint(const std::string& s, std::uint64_t max, const std::string& flag) {
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v > max) {
        bad(flag + ": '" + s + "' is not a number up to " + std::to_string(max));
    }
    return v;
}

double parse_seconds(const std::string& s, const std::string& flag) {
    double v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size() || !(v >= 0)) {
        bad(flag + ": '" + s + "' is not a number of seconds");
    }
    return v;
}

io::endpoint endpoint_of(const std::string& text, bool resolve, const std::string& flag) {
    std::string err;
    auto e = io::parse_endpoint(text, resolve, &err);
    if (!e) {
        bad(flag + ": " + err);
    }
    return *e;
}

std::vector<std::string> split(const std::string& spec) {
    std::vector<std::string> items;
    std::size_t pos = 0;
    while (pos <= spec.size()) {
        const auto comma = spec.find(',', pos);
        items.push_back(spec.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
        pos = comma == std::string::npos ? spec.size() + 1 : comma + 1;
    }
    return items;
}

// The options every kernel interface takes (as on --port); false when key is not one of them.
bool common_option(kernel_iface_settings& s, const std::string& key, const std::string& val, const std::string& flag) {
    if (key == "name") {
        if (val.empty()) {
            bad(flag + ": name= needs a value");
        }
        s.name = val;
    } else if (key == "mode") {
        s.mode = val;
    } else if (key == "bitrate") {
        s.bitrate = parse_uint(val, ~0ULL, flag);
    } else if (key == "ingress") {
        if (val != "off" && val != "on") {
            bad(flag + ": ingress= is on or off");
        }
        s.ingress_control = val == "on";
    } else if (key == "netname" || key == "netkey") {
        if (val.empty()) {
            bad(flag + ": " + key + "= needs a value");
        }
        (key == "netname" ? s.netname : s.netkey) = val;
    } else if (key == "ifac_size") {
        s.ifac_size_bits = static_cast<unsigned>(parse_uint(val, 512, flag));
        if (s.ifac_size_bits < 8) {
            bad(flag + ": ifac_size is in bits, at least 8");
        }
    } else {
        return false;
    }
    return true;
}

// One option after the address: key, value (empty for a bare word), whether it had a '='.
struct option {
    std::string key;
    std::string val;
    bool has_value = false;
};

// Walks the options after the address (items[1..]): the common ones go into s, every other one
// to kind_option, which returns false for a key it does not know (a named error then).
template <typename KindOption>
void walk_options(const std::vector<std::string>& items, kernel_iface_settings& s,
                  const std::string& where, KindOption&& kind_option) {
    for (std::size_t i = 1; i < items.size(); ++i) {
        const auto eq = items[i].find('=');
        const option o{items[i].substr(0, eq), eq == std::string::npos ? "" : items[i].substr(eq + 1),
                       eq != std::string::npos};
        if (!common_option(s, o.key, o.val, where) && !kind_option(o)) {
            bad(where + ": unknown key " + o.key);
        }
    }
    if (s.ifac_size_bits != 0 && !s.has_ifac()) {
        bad(where + ": ifac_size= without netname= or netkey=");
    }
}

} // namespace

bool parse_kernel_iface_flag(kernel_iface_flags& out, const std::string& flag, const std::string& value) {
    const std::string where = flag + " " + value;
    if (flag == "--max-connections") {
        out.io.max_connections = static_cast<unsigned>(parse_uint(value, 60000, where));
        if (out.io.max_connections < 2) {
            bad(where + ": at least 2");
        }
        return true;
    }
    if (flag != "--tcp-listen" && flag != "--tcp-connect" && flag != "--udp-listen") {
        return false;
    }
    const auto items = split(value);
    kernel_iface_settings s;
    if (flag == "--tcp-listen") {
        io::tcp_listener_config l;
        l.listen = endpoint_of(items[0], false, where);
        walk_options(items, s, where, [&](const option& o) {
            if (o.key == "max_clients") {
                l.max_clients = static_cast<unsigned>(parse_uint(o.val, 60000, where));
            } else if (o.key == "flap_seconds") {
                l.flap_seconds = parse_seconds(o.val, where);
            } else if (o.key == "flap_limit") {
                l.flap_limit = static_cast<unsigned>(parse_uint(o.val, 1000000, where));
            } else if (o.key == "flap_block") {
                l.flap_block_seconds = parse_seconds(o.val, where);
            } else {
                return false;
            }
            return true;
        });
        out.io.listeners.push_back(l);
        out.listener_settings.push_back(s);
    } else if (flag == "--tcp-connect") {
        io::tcp_client_config c;
        c.peer = endpoint_of(items[0], true, where);
        walk_options(items, s, where, [&](const option& o) {
            if (o.key == "reconnect") {
                c.reconnect_min_seconds = parse_seconds(o.val, where);
            } else if (o.key == "reconnect_max") {
                c.reconnect_max_seconds = parse_seconds(o.val, where);
            } else {
                return false;
            }
            return true;
        });
        if (c.reconnect_min_seconds <= 0 || c.reconnect_max_seconds < c.reconnect_min_seconds) {
            bad(where + ": need 0 < reconnect <= reconnect_max");
        }
        out.io.clients.push_back(c);
        out.client_settings.push_back(s);
    } else {
        io::udp_config u;
        u.listen = endpoint_of(items[0], false, where);
        walk_options(items, s, where, [&](const option& o) {
            if (o.key == "forward") {
                u.forward = endpoint_of(o.val, true, where);
            } else if (o.key == "broadcast" && !o.has_value) {
                u.broadcast = true;
            } else {
                return false;
            }
            return true;
        });
        if (u.forward && u.forward->family() != u.listen.family()) {
            bad(where + ": forward= must be of the listen address's family");
        }
        out.io.udps.push_back(u);
        out.udp_settings.push_back(s);
    }
    return true;
}

const char* kernel_iface_usage() noexcept {
    return "  --tcp-listen ADDR:PORT[,OPT]...\n"
           "                         TCP listener (HDLC framing, spec 10.1; IPv6 as [ADDR]:PORT): every\n"
           "                         accepted connection is its own interface with these settings.\n"
           "                         Extra OPT: max_clients=N (0: no limit), flap_seconds=S (20),\n"
           "                         flap_limit=N (5), flap_block=S (43200): a source whose connections\n"
           "                         keep lasting under flap_seconds is refused after flap_limit of them\n"
           "                         until flap_block seconds after the last\n"
           "  --tcp-connect HOST:PORT[,OPT]...\n"
           "                         TCP client interface; reconnects with back-off (reconnect=S, 5;\n"
           "                         reconnect_max=S, 60); dead peers found by TCP keepalive (5 s idle,\n"
           "                         2 s interval, 12 probes) and a 24 s user timeout\n"
           "  --udp-listen ADDR:PORT[,forward=ADDR:PORT][,broadcast][,OPT]...\n"
           "                         UDP interface on a kernel socket (reference UDPInterface, spec 10.3)\n"
           "                         OPT for all three: name=, mode=, bitrate=, netname=, netkey=,\n"
           "                         ifac_size=BITS, ingress=off (as on --port)\n"
           "  --max-connections N    sockets of the io thread, configured ones included (default 4096):\n"
           "                         the registered table size; a connection beyond it is refused\n";
}

} // namespace rns
