#include "drivers/rnode_sidecar/options.hpp"

#include <charconv>
#include <cmath>

namespace rnode {

namespace {

// Integers as Python int() takes them from a config file: optional sign, decimal digits only
// (spec/rnode.md §7: "867.2e6" is refused).
std::optional<long long> parse_int(const std::string& s) {
    std::size_t i = 0;
    bool neg = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
        neg = s[i] == '-';
        ++i;
    }
    long long v = 0;
    const char* first = s.data() + i;
    const char* last = s.data() + s.size();
    auto [p, ec] = std::from_chars(first, last, v);
    if (ec != std::errc() || p != last || first == last) {
        return std::nullopt;
    }
    return neg ? -v : v;
}

std::optional<double> parse_float(const std::string& s) {
    double v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || s.empty() || !std::isfinite(v)) {
        return std::nullopt;
    }
    return v;
}

std::string range_error(const std::string& flag, const std::string& value, const std::string& range) {
    return flag + ": '" + value + "' is not valid; the valid range is " + range;
}

} // namespace

std::uint16_t airtime_limit_wire(double percent) noexcept {
    // §2.3: u16 = percent × 100; the reference keeps two decimals.
    return static_cast<std::uint16_t>(std::lround(std::round(percent * 100.0)));
}

const char* usage_text() noexcept {
    return "usage: rnode-sidecar --port DEVICE --frequency HZ --bandwidth HZ --spreadingfactor N\n"
           "         --codingrate N [--txpower DBM] --router SOCKET\n"
           "         [--airtime-limit-short PCT] [--airtime-limit-long PCT]\n"
           "         [--id-callsign CS --id-interval S] [--flow-control]\n"
           "         [--name NAME] [--mode MODE] [--netname NAME] [--netkey PASSPHRASE] [--ifac-size BITS]\n"
           "  --port                 serial device of the RNode (115200 8N1)\n"
           "  --frequency            Hz, integer, 137000000..3000000000\n"
           "  --bandwidth            Hz, integer, 7800..1625000 (use a value the chip supports)\n"
           "  --spreadingfactor      5..12\n"
           "  --codingrate           5..8 (4/5..4/8)\n"
           "  --txpower              dBm, 0..37 (default 0; must not exceed the chip maximum)\n"
           "  --airtime-limit-short  percent 0..100, 15 s window (default: not sent)\n"
           "  --airtime-limit-long   percent 0..100, 1 h window (default: not sent)\n"
           "  --id-callsign          beacon text, at most 32 bytes (needs --id-interval)\n"
           "  --id-interval          beacon interval in seconds, at least 1 (needs --id-callsign)\n"
           "  --flow-control         poll the device's READY before each write\n"
           "  --router               the router's sidecar unix socket\n"
           "  --name                 interface name (default RNodeInterface[<port>])\n"
           "  --mode                 full|gateway|access_point|roaming|boundary|point_to_point (default full)\n"
           "  --netname / --netkey   interface access code network name / passphrase\n"
           "  --ifac-size            access code length in bits, 8..512 (default 64 for RNode)\n";
}

std::variant<sidecar_options, std::string> parse_options(const std::vector<std::string>& args) {
    sidecar_options o;
    bool have_port = false, have_freq = false, have_bw = false, have_sf = false, have_cr = false,
         have_router = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& flag = args[i];
        if (flag == "--flow-control") {
            o.flow_control = true;
            continue;
        }
        if (flag.rfind("--", 0) != 0) {
            return "unexpected argument '" + flag + "'";
        }
        if (i + 1 >= args.size()) {
            return flag + ": missing value";
        }
        const std::string& val = args[++i];
        auto int_in = [&](long long lo, long long hi, const std::string& range) -> std::variant<long long, std::string> {
            auto v = parse_int(val);
            if (!v || *v < lo || *v > hi) {
                return range_error(flag, val, range);
            }
            return *v;
        };
        auto take_int = [&](long long lo, long long hi, const std::string& range, auto& dest) -> std::optional<std::string> {
            auto r = int_in(lo, hi, range);
            if (auto* e = std::get_if<std::string>(&r)) {
                return *e;
            }
            dest = static_cast<std::remove_reference_t<decltype(dest)>>(std::get<long long>(r));
            return std::nullopt;
        };
        std::optional<std::string> err;
        if (flag == "--port") {
            o.port = val;
            have_port = !val.empty();
        } else if (flag == "--frequency") {
            err = take_int(137000000, 3000000000LL, "137000000..3000000000 Hz (an integer)", o.frequency);
            have_freq = true;
        } else if (flag == "--bandwidth") {
            err = take_int(7800, 1625000, "7800..1625000 Hz (an integer)", o.bandwidth);
            have_bw = true;
        } else if (flag == "--txpower") {
            err = take_int(0, 37, "0..37 dBm", o.txpower);
        } else if (flag == "--spreadingfactor") {
            err = take_int(5, 12, "5..12", o.spreading_factor);
            have_sf = true;
        } else if (flag == "--codingrate") {
            err = take_int(5, 8, "5..8", o.coding_rate);
            have_cr = true;
        } else if (flag == "--airtime-limit-short" || flag == "--airtime-limit-long") {
            auto v = parse_float(val);
            if (!v || *v < 0 || *v > 100) {
                return range_error(flag, val, "0..100 percent");
            }
            (flag == "--airtime-limit-short" ? o.airtime_limit_short : o.airtime_limit_long) = *v;
        } else if (flag == "--id-callsign") {
            if (val.empty() || val.size() > 32) {
                return range_error(flag, val, "1..32 bytes of UTF-8");
            }
            o.id_callsign = val;
        } else if (flag == "--id-interval") {
            std::uint32_t s = 0;
            err = take_int(1, 86400 * 365, "1..31536000 seconds", s);
            o.id_interval = s;
        } else if (flag == "--router") {
            o.router = val;
            have_router = !val.empty();
        } else if (flag == "--name") {
            if (val.empty() || val.size() > 255) {
                return range_error(flag, val, "1..255 bytes");
            }
            o.name = val;
        } else if (flag == "--mode") {
            using m = sidecar_link::iface_mode;
            if (val == "full") {
                o.mode = m::full;
            } else if (val == "gateway" || val == "gw") {
                o.mode = m::gateway;
            } else if (val == "access_point" || val == "accesspoint" || val == "ap") {
                o.mode = m::access_point;
            } else if (val == "roaming") {
                o.mode = m::roaming;
            } else if (val == "boundary") {
                o.mode = m::boundary;
            } else if (val == "point_to_point" || val == "pointtopoint" || val == "ptp") {
                o.mode = m::point_to_point;
            } else {
                return flag + ": '" + val +
                       "' is not a mode; use full, gateway, access_point, roaming, boundary or point_to_point";
            }
        } else if (flag == "--netname") {
            if (val.empty() || val.size() > 255) {
                return range_error(flag, val, "1..255 bytes");
            }
            o.netname = val;
        } else if (flag == "--netkey") {
            if (val.empty() || val.size() > sidecar_link::max_text) {
                return range_error(flag, val, "1..1024 bytes");
            }
            o.netkey = val;
        } else if (flag == "--ifac-size") {
            err = take_int(8, 512, "8..512 bits", o.ifac_size_bits);
        } else {
            return "unknown flag '" + flag + "'";
        }
        if (err) {
            return *err;
        }
    }
    if (!have_port) {
        return "--port: required (the RNode's serial device)";
    }
    if (!have_freq) {
        return "--frequency: required, 137000000..3000000000 Hz";
    }
    if (!have_bw) {
        return "--bandwidth: required, 7800..1625000 Hz";
    }
    if (!have_sf) {
        return "--spreadingfactor: required, 5..12";
    }
    if (!have_cr) {
        return "--codingrate: required, 5..8";
    }
    if (!have_router) {
        return "--router: required (the router's sidecar socket)";
    }
    if (o.id_callsign.has_value() != o.id_interval.has_value()) {
        return o.id_callsign ? "--id-callsign: needs --id-interval too" : "--id-interval: needs --id-callsign too";
    }
    if (o.ifac_size_bits != 0 && o.netname.empty() && o.netkey.empty()) {
        return "--ifac-size: needs --netname or --netkey";
    }
    if (o.name.empty()) {
        o.name = "RNodeInterface[" + o.port + "]";
    }
    return o;
}

} // namespace rnode
