// The firmware's serial side (spec/rnode.md §1.4, §2.2–§2.5, §6.1–§6.3).
#include "tools/rnode_sim_radio.hpp"

#include "drivers/rnode_sidecar/commands.hpp"
#include "router/rns/kiss.hpp"
#include "tools/rnode_sim.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <unistd.h>

namespace rnode_sim {

namespace cmd = rnode::cmd;

namespace {
/// Output bound per radio: a host that does not read loses bytes like a USB CDC port would.
constexpr std::size_t max_out = 65536;
/// §1.6 firmware transmit queue (ESP32, nRF52, 1284P).
constexpr std::size_t queue_max_packets = 200;
constexpr std::size_t queue_max_bytes = 6144;
} // namespace

radio::radio(simulator& sim, int index, std::string link, platform_info p, std::uint8_t fw_major, std::uint8_t fw_minor)
    : _sim(sim), _index(index), _link(std::move(link)), _plat(p), _fw_major(fw_major), _fw_minor(fw_minor) {}

std::string radio::plug() {
    _out.clear();
    _in_frame = false;
    _escape = false;
    _command = -1;
    return _port.plug(_link);
}

void radio::unplug() {
    // Unplugging a USB-powered RNode powers it off: the settings go with it.
    _port.unplug();
    _out.clear();
    _freq = 0;
    _bw = 0;
    _txp = 0xff;
    _sf = 0;
    _cr = 5;
    _on = false;
    _st_limit = _lt_limit = 0;
    _queue.clear();
    _queued_bytes = 0;
    ++_boot_gen;
    _sim.radio_reset(*this);
    ++counters["unplugs"];
}

void radio::reboot() {
    _freq = 0;
    _bw = 0;
    _txp = 0xff;
    _sf = 0;
    _cr = 5;
    _on = false;
    _st_limit = _lt_limit = 0;
    _queue.clear();
    _queued_bytes = 0;
    _in_frame = false;
    ++_boot_gen;
    _sim.radio_reset(*this);
    ++counters["reboots"];
    if (_plat.esp32_class) {
        const std::uint8_t f8 = cmd::reset_booted;
        send_frame(cmd::reset, rns::byte_view(&f8, 1));
    }
}

void radio::write_raw(rns::byte_view b) {
    if (!_port.plugged() || fault.silent) {
        return;
    }
    if (_out.size() + b.size() > max_out) {
        ++counters["host_output_overflow"];
        return;
    }
    _out.insert(_out.end(), b.begin(), b.end());
    on_writable();
}

void radio::send_frame(std::uint8_t command, rns::byte_view payload) {
    // Each frame with its own delimiters (§1.3, §6.3), payload escaped by the protocol library's
    // KISS encoder.
    write_raw(rns::kiss::encode(payload, command));
}

void radio::on_writable() {
    while (_port.plugged() && !_out.empty()) {
        const ssize_t n = ::write(_port.master(), _out.data(), _out.size());
        if (n <= 0) {
            return;
        }
        _out.erase(_out.begin(), _out.begin() + n);
    }
}

void radio::on_readable() {
    std::uint8_t buf[2048];
    for (;;) {
        if (!_port.plugged()) {
            return;
        }
        const ssize_t n = ::read(_port.master(), buf, sizeof(buf));
        if (n <= 0) {
            return;
        }
        for (ssize_t i = 0; i < n; ++i) {
            on_byte(buf[i]);
        }
    }
}

void radio::on_byte(std::uint8_t b) {
    using namespace rns::kiss;
    // §1.4 step 1: FEND ends a DATA frame; the packet goes to the transmit queue.
    if (_in_frame && b == fend && _command == cmd::data) {
        _in_frame = false;
        ++counters["host_data_frames"];
        if (_data.empty()) {
            ++counters["host_empty_frames"]; // §4.1: the firmware drops it at transmit time
        } else if (_queue.size() >= queue_max_packets || _queued_bytes + _data.size() > queue_max_bytes) {
            ++counters["queue_full_drops"]; // §4.1: silently discarded
        } else {
            _queued_bytes += _data.size();
            _queue.push_back(std::move(_data));
            _sim.request_tx(*this);
        }
        _data.clear();
        return;
    }
    if (b == fend) { // step 2
        _in_frame = true;
        _command = -1;
        _cmdlen = 0;
        _data.clear();
        _escape = false;
        return;
    }
    if (!_in_frame) {
        return;
    }
    if (_command < 0) { // step 3
        _command = b;
        return;
    }
    on_command_byte(b);
}

void radio::on_command_byte(std::uint8_t b) {
    using namespace rns::kiss;
    const auto c = static_cast<std::uint8_t>(_command);
    const bool multi = c == cmd::data || c == cmd::frequency || c == cmd::bandwidth || c == cmd::st_alock ||
                       c == cmd::lt_alock || c == 0x43 /* FB_WRITE */;
    if (multi) {
        // §1.4: multi-byte payloads are unescaped and collected.
        if (b == fesc) {
            _escape = true;
            return;
        }
        if (_escape) {
            b = b == tfend ? fend : (b == tfesc ? fesc : b);
            _escape = false;
        }
        if (c == cmd::data) {
            if (_data.size() < 1024) {
                _data.push_back(b);
            } else {
                ++counters["host_data_overflow_bytes"];
            }
            return;
        }
        if (_cmdlen < _cmdbuf.size()) {
            _cmdbuf[_cmdlen++] = b;
        }
        const std::size_t need = (c == cmd::frequency || c == cmd::bandwidth) ? 4 : (c == 0x43 ? 9 : 2);
        if (_cmdlen == need) {
            on_multi_complete(); // acted on the moment the last byte arrives
        }
        return;
    }
    if (fault.silent) {
        return;
    }
    // §1.4: single-byte commands act on every payload byte, without unescaping.
    switch (c) {
    case cmd::detect:
        ++_set_count["detect"];
        if (b == cmd::detect_req) {
            const std::uint8_t r = cmd::detect_resp;
            send_frame(cmd::detect, rns::byte_view(&r, 1));
        }
        break;
    case cmd::fw_version: {
        ++_set_count["fw_version"];
        // §2.2: the two version bytes are not escaped by the firmware.
        const std::uint8_t f[] = {rns::kiss::fend, cmd::fw_version, _fw_major, _fw_minor, rns::kiss::fend};
        write_raw(f);
        break;
    }
    case cmd::platform:
        ++_set_count["platform"];
        send_frame(cmd::platform, rns::byte_view(&_plat.platform, 1));
        break;
    case cmd::mcu:
        ++_set_count["mcu"];
        send_frame(cmd::mcu, rns::byte_view(&_plat.mcu, 1));
        break;
    case cmd::txpower:
        if (b != 0xff) {
            ++_set_count["txpower"];
            _set_value["txpower"] = b;
            _txp = std::min(b, max_txpower()); // §2.3 clamp to the chip maximum
        }
        echo_u8(cmd::txpower, _txp, "txpower");
        break;
    case cmd::sf:
        set_modem_param(cmd::sf, b, 5, 12, _sf, "sf");
        break;
    case cmd::cr:
        set_modem_param(cmd::cr, b, 5, 8, _cr, "cr");
        break;
    case cmd::radio_state:
        set_radio_state(b);
        break;
    case cmd::radio_lock: {
        const std::uint8_t l = locked() ? 1 : 0;
        send_frame(cmd::radio_lock, rns::byte_view(&l, 1));
        break;
    }
    case cmd::implicit:
        _implicit = b;
        send_frame(cmd::implicit, rns::byte_view(&_implicit, 1));
        break;
    case cmd::leave:
        ++_set_count["leave"];
        _last_rssi = -292;
        break;
    case cmd::promisc:
        _promisc = b;
        send_frame(cmd::promisc, rns::byte_view(&_promisc, 1));
        break;
    case cmd::ready: {
        ++_set_count["ready_query"];
        const std::uint8_t r = (_queue.size() < queue_max_packets && _queued_bytes < queue_max_bytes) ? 1 : 0;
        send_frame(cmd::ready, rns::byte_view(&r, 1));
        break;
    }
    case cmd::stat_rssi: {
        const auto r = static_cast<std::uint8_t>((_last_rssi + 157) & 0xff);
        send_frame(cmd::stat_rssi, rns::byte_view(&r, 1));
        break;
    }
    case cmd::random: {
        const auto r = static_cast<std::uint8_t>(_sim.rng() % 255);
        send_frame(cmd::random, rns::byte_view(&r, 1));
        break;
    }
    case cmd::fb_ext:
        ++_set_count["fb_ext"];
        _set_value["fb_ext"] = b;
        break; // §2.5: boards without a display do not answer
    case cmd::reset:
        if (b == cmd::reset_booted) {
            reboot();
        }
        break;
    default:
        break; // §2.1: a device silently ignores commands it does not know
    }
}

void radio::on_multi_complete() {
    const auto c = static_cast<std::uint8_t>(_command);
    if (fault.silent) {
        return;
    }
    if (c == cmd::frequency || c == cmd::bandwidth) {
        const std::uint32_t v = static_cast<std::uint32_t>(_cmdbuf[0]) << 24 | static_cast<std::uint32_t>(_cmdbuf[1]) << 16 |
                                static_cast<std::uint32_t>(_cmdbuf[2]) << 8 | _cmdbuf[3];
        const char* name = c == cmd::frequency ? "frequency" : "bandwidth";
        if (v != 0) {
            ++_set_count[name];
            _set_value[name] = v;
            if (c == cmd::frequency) {
                _freq = _on ? chip_frequency(v) : v;
            } else {
                _bw = _on ? chip_bandwidth(v) : v;
                if (_on) {
                    send_phyprm();
                }
            }
        }
        echo_u32(c, c == cmd::frequency ? _freq : _bw, name);
        return;
    }
    if (c == cmd::st_alock || c == cmd::lt_alock) {
        const std::uint16_t v = static_cast<std::uint16_t>(_cmdbuf[0] << 8 | _cmdbuf[1]);
        const char* name = c == cmd::st_alock ? "st_alock" : "lt_alock";
        ++_set_count[name];
        _set_value[name] = v;
        // §2.3: stored as a single-precision fraction; the echo is recomputed from it.
        const float f = (v == 0 || v >= 10000) ? 0.0f : static_cast<float>(v) / 10000.0f;
        (c == cmd::st_alock ? _st_limit : _lt_limit) = f;
        const auto echo = static_cast<std::uint16_t>(f * 100.0f * 100.0f);
        _echo_value[name] = echo;
        const std::uint8_t p[] = {static_cast<std::uint8_t>(echo >> 8), static_cast<std::uint8_t>(echo)};
        send_frame(c, p);
    }
    // FB_WRITE: no display here, nothing to do.
}

void radio::echo_u32(std::uint8_t command, std::uint32_t v, const char* name) {
    if (fault.wrong_echo && *fault.wrong_echo == name) {
        v += command == cmd::frequency ? 1000 : 1;
    }
    _echo_value[name] = v;
    const std::uint8_t p[] = {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
                              static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
    send_frame(command, p);
}

// A modem parameter (spreading factor, coding rate): 0xff only asks; any other value is recorded,
// clamped to [lo, hi] and, with the radio on, applied (new PHY parameters reported). Echoed.
void radio::set_modem_param(std::uint8_t command, std::uint8_t b, std::uint8_t lo, std::uint8_t hi,
                            std::uint8_t& field, const char* name) {
    if (b != 0xff) {
        ++_set_count[name];
        _set_value[name] = b;
        field = std::clamp(b, lo, hi);
        if (_on) {
            send_phyprm();
        }
    }
    echo_u8(command, field, name);
}

void radio::echo_u8(std::uint8_t command, std::uint8_t v, const char* name) {
    if (fault.wrong_echo && *fault.wrong_echo == name) {
        v = static_cast<std::uint8_t>(v == 5 ? 6 : v - 1);
    }
    _echo_value[name] = v;
    send_frame(command, rns::byte_view(&v, 1));
}

bool radio::locked() const {
    // §2.3 radio lock: frequency, bandwidth, TX power and SF must all have been set since boot.
    return _freq == 0 || _bw == 0 || _txp == 0xff || _sf == 0;
}

std::uint8_t radio::max_txpower() const { return _plat.radio_chip == chip::sx1276 ? 17 : 22; }

std::uint32_t radio::chip_frequency(std::uint32_t f) const {
    if (_plat.radio_chip != chip::sx1276) {
        return f;
    }
    // §2.3: SX127x programs FRF = f · 2^19 / 32 MHz and reads back a 61.035 Hz step, rounded down.
    const std::uint64_t frf = (static_cast<std::uint64_t>(f) << 19) / 32000000u;
    return static_cast<std::uint32_t>((frf * 32000000u) >> 19);
}

std::uint32_t radio::chip_bandwidth(std::uint32_t bw) const {
    // §5.1: snapped up to the next supported bandwidth (sub-GHz chips).
    static constexpr std::uint32_t supported[] = {7800, 10400, 15600, 20800, 31250, 41700, 62500, 125000, 250000, 500000};
    for (std::uint32_t s : supported) {
        if (bw <= s) {
            return s;
        }
    }
    return 500000;
}

void radio::set_radio_state(std::uint8_t v) {
    std::uint8_t state = 0;
    if (v == 0x01) {
        ++_set_count["radio_on"];
        if (!_on && !locked()) {
            start_radio();
        }
        state = _on ? 1 : 0;
        // §2.3: one reply from startRadio, one from the command handler.
        echo_u8(cmd::radio_state, state, "radio_state");
        echo_u8(cmd::radio_state, state, "radio_state");
        return;
    }
    if (v == 0x00) {
        ++_set_count["radio_off"];
        _on = false;
        _sim.radio_reset(*this);
    }
    state = _on ? 1 : 0;
    echo_u8(cmd::radio_state, state, "radio_state");
}

void radio::start_radio() {
    _on = true;
    _freq = chip_frequency(_freq);
    _bw = chip_bandwidth(_bw);
    _started_at_ms = _sim.now_ms();
    if (_plat.esp32_class) {
        // §2.3: bandwidth, SF and CR each recompute the PHY timing: three STAT_PHYPRM frames.
        send_phyprm();
        send_phyprm();
        send_phyprm();
        schedule_chtm();
    }
    if (!_queue.empty()) {
        _sim.request_tx(*this); // §4.2 step 1: packets queued while off go out now
    }
}

void radio::send_phyprm() {
    if (!_plat.esp32_class) {
        return;
    }
    const rnode::phy_timing t = rnode::compute_phy_timing(lora());
    const auto lst = static_cast<std::uint16_t>(static_cast<std::uint32_t>(std::lround(t.symbol_time_ms * 1000.0)));
    const std::uint16_t vals[] = {lst,
                                  static_cast<std::uint16_t>(t.symbol_rate_baud),
                                  static_cast<std::uint16_t>(t.preamble_symbols),
                                  static_cast<std::uint16_t>(t.preamble_ms),
                                  static_cast<std::uint16_t>(t.csma_slot_ms),
                                  static_cast<std::uint16_t>(t.difs_ms)};
    rns::bytes p;
    for (std::uint16_t v : vals) {
        p.push_back(static_cast<std::uint8_t>(v >> 8));
        p.push_back(static_cast<std::uint8_t>(v));
    }
    send_frame(cmd::stat_phyprm, p);
}

void radio::schedule_chtm() {
    const std::uint64_t gen = _boot_gen;
    _sim.loop.after(ms(1000), [this, gen] {
        if (gen != _boot_gen || !_on || !_port.plugged()) {
            return;
        }
        send_channel_stats();
        if (power && ++_chtm_ticks % 5 == 0) {
            // §2.4: battery state and temperature every 5 s on boards with a battery.
            const std::uint8_t bat[] = {power->state, power->percent};
            send_frame(cmd::stat_bat, bat);
            const auto t = static_cast<std::uint8_t>(power->temperature_c + 120);
            send_frame(cmd::stat_temp, rns::byte_view(&t, 1));
        }
        schedule_chtm();
    });
}

void radio::deliver(int rssi, int snr_q, rns::byte_view packet) {
    // §4.5: RSSI, SNR, then the packet, each its own frame (RSSI and SNR escaped like the firmware).
    _last_rssi = rssi;
    const auto r = static_cast<std::uint8_t>((rssi + 157) & 0xff);
    const auto s = static_cast<std::uint8_t>(static_cast<std::int8_t>(snr_q));
    send_frame(cmd::stat_rssi, rns::byte_view(&r, 1));
    send_frame(cmd::stat_snr, rns::byte_view(&s, 1));
    send_frame(cmd::data, packet);
    ++counters["rx_packets"];
    counters["rx_bytes"] += packet.size();
}

} // namespace rnode_sim
