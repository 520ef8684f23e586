// rnode-sim's control socket: one-line commands, one-line replies (unix stream socket DIR/control).
//   unplug K | replug K | garbage K BYTES | stats | reboot K | error K CODE
//   wrong-echo K frequency|bandwidth|txpower|sf|cr|none | firmware K MAJOR.MINOR | silent K on|off
//   battery K STATE PERCENT [TEMP_C]
#include "drivers/rnode_sidecar/commands.hpp"
#include "tools/rnode_sim.hpp"

#include <sstream>

namespace rnode_sim {

std::string simulator::control_command(const std::string& line) {
    std::istringstream in(line);
    std::string verb;
    in >> verb;
    if (verb == "stats") {
        nlohmann::json j;
        j["radios"] = nlohmann::json::array();
        for (const auto& r : _radios) {
            j["radios"].push_back(r->stats());
        }
        j["channel"] = channel_stats();
        return j.dump();
    }
    long k = -1;
    if (!(in >> k) || k < 0 || static_cast<std::size_t>(k) >= _radios.size()) {
        return "error: usage: unplug K | replug K | garbage K BYTES | stats | reboot K | error K CODE | "
               "wrong-echo K PARAM|none | firmware K MAJOR.MINOR | silent K on|off | battery K STATE PERCENT [TEMP_C] (K = 0.." +
               std::to_string(_radios.size() - 1) + ")";
    }
    radio& r = *_radios[static_cast<std::size_t>(k)];
    if (verb == "unplug") {
        r.unplug();
        return "ok unplugged " + std::to_string(k);
    }
    if (verb == "replug") {
        if (r.plugged()) {
            r.unplug();
        }
        const std::string err = r.plug();
        if (!err.empty()) {
            return "error: " + err;
        }
        r.reboot(); // the device powers up again: ESP32-class firmware announces its boot
        return "ok replugged " + std::to_string(k);
    }
    if (verb == "garbage") {
        long n = 0;
        if (!(in >> n) || n < 1 || n > 65536) {
            return "error: garbage K BYTES (1..65536)";
        }
        // Line noise between frames: random bytes other than FEND.
        rns::bytes g;
        for (long i = 0; i < n; ++i) {
            auto b = static_cast<std::uint8_t>(rng());
            g.push_back(b == 0xc0 ? 0x3f : b);
        }
        r.write_raw(g);
        return "ok garbage " + std::to_string(n);
    }
    if (verb == "reboot") {
        r.reboot();
        return "ok rebooted " + std::to_string(k);
    }
    if (verb == "error") {
        long code = -1;
        if (!(in >> code) || code < 0 || code > 255) {
            return "error: error K CODE (0..255)";
        }
        const auto c = static_cast<std::uint8_t>(code);
        r.send_frame(rnode::cmd::error, rns::byte_view(&c, 1));
        return "ok error " + std::to_string(code);
    }
    if (verb == "wrong-echo") {
        std::string p;
        in >> p;
        if (p == "none") {
            r.fault.wrong_echo.reset();
        } else if (p == "frequency" || p == "bandwidth" || p == "txpower" || p == "sf" || p == "cr") {
            r.fault.wrong_echo = p;
        } else {
            return "error: wrong-echo K frequency|bandwidth|txpower|sf|cr|none";
        }
        return "ok wrong-echo " + p;
    }
    if (verb == "battery") {
        int state = -1, pct = -1, temp = 25;
        if (!(in >> state >> pct) || state < 0 || state > 3 || pct < 0 || pct > 100) {
            return "error: battery K STATE(0..3) PERCENT(0..100) [TEMP_C]";
        }
        in >> temp;
        r.power = battery{static_cast<std::uint8_t>(state), static_cast<std::uint8_t>(pct), temp};
        return "ok battery";
    }
    if (verb == "silent") {
        std::string p;
        in >> p;
        r.fault.silent = p == "on";
        return "ok silent " + p;
    }
    if (verb == "firmware") {
        std::string v;
        in >> v;
        unsigned major = 0, minor = 0;
        char dot = 0;
        std::istringstream vs(v);
        if (!(vs >> major >> dot >> minor) || dot != '.' || major > 255 || minor > 255) {
            return "error: firmware K MAJOR.MINOR";
        }
        r.set_firmware(static_cast<std::uint8_t>(major), static_cast<std::uint8_t>(minor));
        return "ok firmware " + v;
    }
    return "error: unknown command '" + verb + "'";
}

} // namespace rnode_sim
