// Airtime accounting, channel load, the airtime lock and the status reports of one emulated RNode
// (spec/rnode.md §4.3, §2.4), and its statistics for the control socket.
#include "drivers/rnode_sidecar/commands.hpp"
#include "tools/rnode_sim.hpp"
#include "tools/rnode_sim_radio.hpp"

#include <algorithm>
#include <cmath>

namespace rnode_sim {

namespace cmd = rnode::cmd;

namespace {
constexpr double bin_ms = 7500.0; // §4.3: 480 bins of 7.5 s = 1 hour
constexpr int noise_floor_dbm = -112;
} // namespace

void radio::add_airtime(double cost_ms) {
    const auto bin = static_cast<std::size_t>(_sim.now_ms() / bin_ms) % _airtime_bins.size();
    _airtime_bins[bin] += cost_ms;
    ++counters["tx_frames"];
    send_csma_if_changed();
}

double radio::short_airtime() const {
    // §4.3: (current bin + previous bin) / 15 s.
    const auto cur = static_cast<std::size_t>(_sim.now_ms() / bin_ms);
    const std::size_t n = _airtime_bins.size();
    const double prev = cur > 0 ? _airtime_bins[(cur - 1) % n] : 0.0;
    return (_airtime_bins[cur % n] + prev) / 15000.0;
}

double radio::long_airtime() const {
    double sum = 0;
    for (double b : _airtime_bins) {
        sum += b;
    }
    return sum / 3600000.0;
}

bool radio::airtime_locked() const {
    return (_st_limit != 0 && short_airtime() >= static_cast<double>(_st_limit)) || (_lt_limit != 0 && long_airtime() >= static_cast<double>(_lt_limit));
}

std::uint8_t radio::csma_band() const {
    // §4.3: the band follows the device's own short-term airtime.
    const double pct = short_airtime() * 100.0;
    return pct <= 7 ? 1 : pct <= 38 ? 2 : pct <= 77 ? 3 : 4;
}

void radio::send_csma_if_changed() {
    const std::uint8_t b = csma_band();
    if (b == _band || !_plat.esp32_class) {
        return;
    }
    _band = b;
    const std::uint8_t p[] = {b, static_cast<std::uint8_t>((b - 1) * 15), static_cast<std::uint8_t>(b * 15 - 1)};
    send_frame(cmd::stat_csma, p);
}

void radio::send_channel_stats() {
    if (!_plat.esp32_class || !_on) {
        return;
    }
    const double now = _sim.now_ms();
    const double local_load = std::min(1.0, _sim.busy_ms(*this, bin_ms) / bin_ms);
    const double total_load = std::min(1.0, local_load + short_airtime());
    const auto bin = static_cast<std::size_t>(now / bin_ms) % _load_bins.size();
    _load_bins[bin] = std::max(_load_bins[bin], total_load);
    double long_load = 0;
    for (double b : _load_bins) {
        long_load += b;
    }
    long_load /= static_cast<double>(_load_bins.size());
    auto pct = [](double f) { return static_cast<std::uint16_t>(std::lround(f * 10000.0)); };
    const std::uint16_t v[] = {pct(short_airtime()), pct(long_airtime()), pct(total_load), pct(long_load)};
    rns::bytes p;
    for (std::uint16_t x : v) {
        p.push_back(static_cast<std::uint8_t>(x >> 8));
        p.push_back(static_cast<std::uint8_t>(x));
    }
    // §2.4: before the first noise samples (~0.4 s) RSSI and noise floor read −292 (0x79).
    const bool sampled = now - _started_at_ms >= 400;
    const int noise = sampled ? noise_floor_dbm : -292;
    const int current = sampled && _sim.carrier_busy(*this) ? -80 : noise;
    p.push_back(static_cast<std::uint8_t>((current + 157) & 0xff));
    p.push_back(static_cast<std::uint8_t>((noise + 157) & 0xff));
    p.push_back(0xff); // no interference
    send_frame(cmd::stat_chtm, p);
}

nlohmann::json radio::stats() const {
    nlohmann::json j;
    j["index"] = _index;
    j["plugged"] = _port.plugged();
    j["radio_on"] = _on;
    j["settings"] = {{"frequency", _freq}, {"bandwidth", _bw}, {"txpower", _txp}, {"sf", _sf}, {"cr", _cr}};
    j["set_count"] = _set_count;
    j["set_value"] = _set_value;
    j["echo_value"] = _echo_value;
    j["counters"] = counters;
    j["queue_packets"] = _queue.size();
    j["airtime_short_pct"] = short_airtime() * 100.0;
    j["airtime_long_pct"] = long_airtime() * 100.0;
    j["firmware"] = std::to_string(_fw_major) + "." + std::to_string(_fw_minor);
    j["wrong_echo"] = fault.wrong_echo.value_or("");
    return j;
}

} // namespace rnode_sim
