// Frames from the device (spec/rnode.md §2, §4.4, §4.5): replies during start-up, packets and
// status reports while online. Lengths are checked exactly; anything else is counted and skipped.
#include "drivers/rnode_sidecar/commands.hpp"
#include "drivers/rnode_sidecar/radio_session.hpp"

namespace rnode {

namespace {

std::uint32_t get32(rns::byte_view p) {
    return static_cast<std::uint32_t>(p[0]) << 24 | static_cast<std::uint32_t>(p[1]) << 16 |
           static_cast<std::uint32_t>(p[2]) << 8 | p[3];
}
std::uint16_t get16(rns::byte_view p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }

} // namespace

void radio_session::on_frame(std::uint8_t command, rns::byte_view payload, clock::time_point now) {
    const std::size_t n = payload.size();
    // Replies of a known command with the wrong length are line noise: counted and skipped.
    static constexpr auto expected = [](std::uint8_t c) -> std::size_t {
        switch (c) {
        case cmd::fw_version: return 2;
        case cmd::frequency:
        case cmd::bandwidth: return 4;
        case cmd::st_alock:
        case cmd::lt_alock: return 2;
        case cmd::detect:
        case cmd::platform:
        case cmd::mcu:
        case cmd::txpower:
        case cmd::sf:
        case cmd::cr:
        case cmd::radio_state: return 1;
        default: return 0;
        }
    };
    if (expected(command) != 0 && n != expected(command)) {
        ++_c.bad_frames;
        return;
    }
    // Replies that start-up collects (also seen later, e.g. after our own queries).
    switch (command) {
    case cmd::detect:
        if (n == 1) {
            _echo.detected = payload[0] == cmd::detect_resp;
        }
        break;
    case cmd::fw_version:
        if (n == 2) {
            _echo.fw = std::make_pair(payload[0], payload[1]);
        }
        break;
    case cmd::platform:
        if (n == 1) {
            _echo.platform = payload[0];
        }
        break;
    case cmd::mcu:
        if (n == 1) {
            _echo.mcu = payload[0];
        }
        break;
    case cmd::frequency:
        if (n == 4) {
            _echo.frequency = get32(payload);
        }
        break;
    case cmd::bandwidth:
        if (n == 4) {
            _echo.bandwidth = get32(payload);
        }
        break;
    case cmd::txpower:
        if (n == 1) {
            _echo.txpower = payload[0];
        }
        break;
    case cmd::sf:
        if (n == 1) {
            _echo.sf = payload[0];
        }
        break;
    case cmd::cr:
        if (n == 1) {
            _echo.cr = payload[0];
        }
        break;
    case cmd::st_alock:
        if (n == 2) {
            _echo.st_alock = get16(payload);
        }
        break;
    case cmd::lt_alock:
        if (n == 2) {
            _echo.lt_alock = get16(payload);
        }
        break;
    case cmd::radio_state:
        if (n == 1) {
            _echo.radio_state = payload[0];
            if (_state == state::online && payload[0] != 0x01) {
                fail("the RNode switched its radio off", now);
                return;
            }
        }
        break;
    default:
        on_device_frame(command, payload, now);
        return;
    }
    if (_state == state::detecting && _echo.detected && _echo.fw && _echo.platform && _echo.mcu) {
        finish_detect(now);
    } else if (_state == state::configuring && _echo.frequency && _echo.bandwidth && _echo.txpower && _echo.sf &&
               _echo.cr && _echo.radio_state && (!_opt.airtime_limit_short || _echo.st_alock) &&
               (!_opt.airtime_limit_long || _echo.lt_alock)) {
        validate(now);
    }
}

void radio_session::on_device_frame(std::uint8_t command, rns::byte_view payload, clock::time_point now) {
    const std::size_t n = payload.size();
    auto bad = [&] { ++_c.bad_frames; };
    switch (command) {
    case cmd::data:
        if (_state != state::online) {
            return; // a packet heard before start-up finished: the host is not ready for it
        }
        if (n == 0 || n > cmd::hw_mtu) {
            bad();
            return;
        }
        ++_c.rx_packets;
        _c.rx_bytes += n;
        // §4.5: RSSI and SNR frames precede the packet they belong to.
        _c.last_rssi = _pending_rssi.value_or(0);
        _c.last_snr_q = _pending_snr.value_or(0);
        _on_packet(_c.last_rssi, _c.last_snr_q, payload);
        _pending_rssi.reset();
        _pending_snr.reset();
        return;
    case cmd::stat_rssi:
        if (n != 1) {
            return bad();
        }
        _pending_rssi = static_cast<int>(payload[0]) - 157;
        return;
    case cmd::stat_snr:
        if (n != 1) {
            return bad();
        }
        _pending_snr = static_cast<int>(static_cast<std::int8_t>(payload[0]));
        return;
    case cmd::stat_chtm:
        if (n != 11 && n != 8) {
            return bad();
        }
        _c.airtime_short = static_cast<std::uint16_t>(payload[0] << 8 | payload[1]);
        _c.airtime_long = static_cast<std::uint16_t>(payload[2] << 8 | payload[3]);
        _c.load_short = static_cast<std::uint16_t>(payload[4] << 8 | payload[5]);
        _c.load_long = static_cast<std::uint16_t>(payload[6] << 8 | payload[7]);
        if (n == 11) {
            _c.noise_floor = static_cast<int>(payload[9]) - 157;
            _c.interference = payload[10] == 0xff ? 0 : static_cast<int>(payload[10]) - 157;
        }
        return;
    case cmd::stat_phyprm:
        if (n != 12 && n != 10) {
            return bad();
        }
        _c.phy_symbol_us = static_cast<std::uint16_t>(payload[0] << 8 | payload[1]);
        _c.phy_preamble = static_cast<std::uint16_t>(payload[4] << 8 | payload[5]);
        _c.phy_slot = static_cast<std::uint16_t>(payload[8] << 8 | payload[9]);
        if (n == 12) {
            _c.phy_difs = static_cast<std::uint16_t>(payload[10] << 8 | payload[11]);
        }
        return;
    case cmd::stat_csma:
        if (n != 3) {
            return bad();
        }
        _c.csma_band = payload[0];
        _c.csma_min = payload[1];
        _c.csma_max = payload[2];
        return;
    case cmd::stat_bat:
        if (n != 2) {
            return bad();
        }
        _c.battery_state = payload[0];
        _c.battery_percent = payload[1];
        return;
    case cmd::stat_temp:
        if (n != 1) {
            return bad();
        }
        _c.temperature = static_cast<int>(payload[0]) - 120;
        return;
    case cmd::stat_rx:
    case cmd::stat_tx:
    case cmd::radio_lock:
    case cmd::random:
    case cmd::fb_ext:
        return; // replies to queries this sidecar does not make; harmless
    case cmd::ready:
        if (n != 1) {
            return bad();
        }
        if (_opt.flow_control && _fc_query_outstanding) {
            _fc_query_outstanding = false;
            if (payload[0] == 0x01) {
                _fc_ready = true;
                pump_flow_control(now);
            } else {
                _fc_requery = now + std::chrono::milliseconds(100);
            }
        }
        return;
    case cmd::error:
        if (n != 1) {
            return bad();
        }
        ++_c.radio_errors;
        // §4.4, §8.6: memory low and modem timeout are counters; everything else re-initialises.
        if (payload[0] == cmd::err_memory_low) {
            ++_c.memory_low;
            _log("RNode reported ERROR_MEMORY_LOW (a packet was dropped)");
            return;
        }
        if (payload[0] == cmd::err_modem_timeout) {
            ++_c.modem_timeout;
            _log("RNode reported ERROR_MODEM_TIMEOUT");
            return;
        }
        fail("the RNode reported error " + std::to_string(payload[0]) +
                 (payload[0] == cmd::err_initradio  ? " (radio initialisation failed)"
                  : payload[0] == cmd::err_txfailed ? " (transmit failed)"
                                                    : ""),
             now);
        return;
    case cmd::reset:
        if (n != 1 || payload[0] != cmd::reset_booted) {
            return bad();
        }
        // §8.6: a reboot while configuring or online means the settings are gone (any platform).
        if (_state == state::online || _state == state::configuring) {
            fail("the RNode rebooted", now);
        }
        return;
    default:
        return bad();
    }
}

sidecar_link::stats radio_session::stats_message(std::uint64_t drops_router_away) const {
    using k = sidecar_link::stat_key;
    const frame_counters& f = _reader.counters();
    sidecar_link::stats s;
    auto add = [&](k key, std::int64_t v) { s.entries.push_back({key, v}); };
    add(k::radio_online, online() ? 1 : 0);
    add(k::bitrate_mbps, static_cast<std::int64_t>(_bitrate * 1000.0));
    add(k::rx_packets, static_cast<std::int64_t>(_c.rx_packets));
    add(k::rx_bytes, static_cast<std::int64_t>(_c.rx_bytes));
    add(k::tx_packets, static_cast<std::int64_t>(_c.tx_packets));
    add(k::tx_bytes, static_cast<std::int64_t>(_c.tx_bytes));
    add(k::last_rssi_dbm, _c.last_rssi);
    add(k::last_snr_q, _c.last_snr_q);
    add(k::airtime_short_centi, _c.airtime_short);
    add(k::airtime_long_centi, _c.airtime_long);
    add(k::channel_load_short_centi, _c.load_short);
    add(k::channel_load_long_centi, _c.load_long);
    add(k::noise_floor_dbm, _c.noise_floor);
    add(k::interference_dbm, _c.interference);
    add(k::csma_band, _c.csma_band);
    add(k::csma_min, _c.csma_min);
    add(k::csma_max, _c.csma_max);
    add(k::battery_state, _c.battery_state);
    add(k::battery_percent, _c.battery_percent);
    add(k::temperature_c, _c.temperature);
    add(k::radio_errors, static_cast<std::int64_t>(_c.radio_errors));
    add(k::memory_low_errors, static_cast<std::int64_t>(_c.memory_low));
    add(k::modem_timeout_errors, static_cast<std::int64_t>(_c.modem_timeout));
    add(k::reconnects, static_cast<std::int64_t>(_c.startups > 0 ? _c.startups - 1 : 0));
    add(k::startup_failures, static_cast<std::int64_t>(_c.startup_failures));
    add(k::drops_offline, static_cast<std::int64_t>(_c.drops_offline));
    add(k::drops_router_away, static_cast<std::int64_t>(drops_router_away));
    add(k::drops_oversize, static_cast<std::int64_t>(_c.drops_oversize));
    add(k::drops_queue_full, static_cast<std::int64_t>(_c.drops_queue_full));
    add(k::garbage_bytes, static_cast<std::int64_t>(f.garbage_bytes));
    add(k::bad_frames, static_cast<std::int64_t>(_c.bad_frames + f.oversize));
    add(k::partial_timeouts, static_cast<std::int64_t>(f.partial_timeouts));
    add(k::phy_symbol_time_us, _c.phy_symbol_us);
    add(k::phy_preamble_symbols, _c.phy_preamble);
    add(k::phy_csma_slot_ms, _c.phy_slot);
    add(k::phy_difs_ms, _c.phy_difs);
    return s;
}

void radio_session::shutdown() {
    if (!_port.is_open()) {
        return;
    }
    // §3.7, §8.9: display off on platforms that have one, radio off, leave.
    const std::uint8_t zero = 0x00, ff = 0xff;
    if (_echo.platform == cmd::platform_esp32 || _echo.platform == cmd::platform_nrf52) {
        (void)write_frame(cmd::fb_ext, rns::byte_view(&zero, 1));
    }
    (void)write_frame(cmd::radio_state, rns::byte_view(&zero, 1));
    (void)write_frame(cmd::leave, rns::byte_view(&ff, 1));
    _port.flush_blocking(500);
    _port.close();
    _state = state::closed;
}

} // namespace rnode
