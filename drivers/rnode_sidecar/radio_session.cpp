// Start-up and reconnection of one RNode (spec/rnode.md §3.2, §3.4, §3.6, §8.2, §8.7).
#include "drivers/rnode_sidecar/radio_session.hpp"

#include "drivers/rnode_sidecar/commands.hpp"

#include <cmath>
#include <cstdio>

namespace rnode {

namespace {

rns::bytes be32(std::uint32_t v) {
    return {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 8),
            static_cast<std::uint8_t>(v)};
}
rns::bytes be16(std::uint16_t v) { return {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)}; }

std::string fmt_version(std::pair<std::uint8_t, std::uint8_t> v) {
    char b[16];
    std::snprintf(b, sizeof(b), "%u.%02u", v.first, v.second);
    return b;
}

} // namespace

radio_session::radio_session(sidecar_options opt, packet_sink on_packet, log_sink log)
    : _opt(std::move(opt)), _on_packet(std::move(on_packet)), _log(std::move(log)) {}

bool radio_session::write_frame(std::uint8_t command, rns::byte_view payload) {
    const rns::bytes f = encode_frame(command, payload);
    return _port.write(f);
}

void radio_session::fail(const std::string& why, clock::time_point now) {
    if (_state == state::online) {
        _log("radio offline: " + why + "; re-opening in 5 s");
    } else {
        ++_c.startup_failures;
        _log("start-up failed: " + why + "; retrying in 5 s");
    }
    _port.close();
    _reader.reset();
    _state = state::closed;
    _deadline = now + reopen_backoff;
    _bitrate = 0;
    _pending_rssi.reset();
    _pending_snr.reset();
    _c.drops_offline += _queue.size();
    _queue.clear();
    _beacon_due.reset();
}

void radio_session::try_open(clock::time_point now) {
    const std::string err = _port.open(_opt.port);
    if (!err.empty()) {
        if (err != _last_open_error) {
            _log("cannot open " + err + "; retrying every 5 s");
            _last_open_error = err;
        }
        _deadline = now + reopen_backoff;
        return;
    }
    _last_open_error.clear();
    _echo = {};
    _reader.reset();
    _state = state::settling;
    _deadline = now + settle_time;
}

void radio_session::send_detect(clock::time_point now) {
    // §3.2: one write, shared delimiters: detect, firmware version, platform, MCU.
    static constexpr std::uint8_t burst[] = {0xc0, cmd::detect, cmd::detect_req, 0xc0, cmd::fw_version, 0x00, 0xc0,
                                             cmd::platform, 0x00, 0xc0, cmd::mcu, 0x00, 0xc0};
    _port.drain_input();
    _reader.reset();
    if (!_port.write(burst)) {
        fail("writing the detect burst: " + _port.error(), now);
        return;
    }
    _state = state::detecting;
    _deadline = now + reply_deadline;
}

void radio_session::finish_detect(clock::time_point now) {
    if (!_echo.detected) {
        fail("could not detect an RNode on " + _opt.port + " (no reply to DETECT)", now);
        return;
    }
    if (!_echo.fw) {
        fail("the RNode did not report its firmware version", now);
        return;
    }
    const auto [major, minor] = *_echo.fw;
    if (major < cmd::min_fw_major || (major == cmd::min_fw_major && minor < cmd::min_fw_minor)) {
        fail("RNode firmware " + fmt_version(*_echo.fw) + " is too old; at least 1.52 is required (update it with rnodeconf)",
             now);
        return;
    }
    send_configuration(now);
}

void radio_session::send_configuration(clock::time_point now) {
    // §3.2 order: frequency, bandwidth, TX power, SF, CR, airtime limits, radio on.
    const std::uint8_t txp = _opt.txpower, sf = _opt.spreading_factor, cr = _opt.coding_rate, on = 0x01;
    bool ok = write_frame(cmd::frequency, be32(_opt.frequency)) && write_frame(cmd::bandwidth, be32(_opt.bandwidth)) &&
              write_frame(cmd::txpower, rns::byte_view(&txp, 1)) && write_frame(cmd::sf, rns::byte_view(&sf, 1)) &&
              write_frame(cmd::cr, rns::byte_view(&cr, 1));
    // §3.2: the limits are sent only when configured, like the reference host.
    if (ok && _opt.airtime_limit_short) {
        ok = write_frame(cmd::st_alock, be16(airtime_limit_wire(*_opt.airtime_limit_short)));
    }
    if (ok && _opt.airtime_limit_long) {
        ok = write_frame(cmd::lt_alock, be16(airtime_limit_wire(*_opt.airtime_limit_long)));
    }
    ok = ok && write_frame(cmd::radio_state, rns::byte_view(&on, 1));
    if (!ok) {
        fail("writing the configuration: " + _port.error(), now);
        return;
    }
    _state = state::configuring;
    _deadline = now + reply_deadline;
}

void radio_session::validate(clock::time_point now) {
    // §3.4, stricter where §8.2 says so: every echo must be there, and CR is checked too.
    auto missing = [&](const char* what) { fail(std::string("no echo for ") + what + " from the RNode", now); };
    auto mismatch = [&](const char* what, long long sent, long long got, const char* unit, const char* hint = "") {
        fail(std::string(what) + " mismatch: sent " + std::to_string(sent) + unit + ", the RNode echoed " +
                 std::to_string(got) + unit + hint,
             now);
    };
    if (!_echo.frequency) {
        return missing("frequency");
    }
    if (std::llabs(static_cast<long long>(*_echo.frequency) - _opt.frequency) > 100) {
        return mismatch("frequency", _opt.frequency, *_echo.frequency, " Hz");
    }
    if (!_echo.bandwidth) {
        return missing("bandwidth");
    }
    if (*_echo.bandwidth != _opt.bandwidth) {
        return mismatch("bandwidth", _opt.bandwidth, *_echo.bandwidth, " Hz", " (use a bandwidth the chip supports)");
    }
    if (!_echo.txpower) {
        return missing("TX power");
    }
    if (*_echo.txpower != _opt.txpower) {
        return mismatch("TX power", _opt.txpower, *_echo.txpower, " dBm", " (above the chip's maximum?)");
    }
    if (!_echo.sf) {
        return missing("spreading factor");
    }
    if (*_echo.sf != _opt.spreading_factor) {
        return mismatch("spreading factor", _opt.spreading_factor, *_echo.sf, "");
    }
    if (!_echo.cr) {
        return missing("coding rate");
    }
    if (*_echo.cr != _opt.coding_rate) {
        return mismatch("coding rate", _opt.coding_rate, *_echo.cr, "");
    }
    if (!_echo.radio_state) {
        return missing("radio state");
    }
    if (*_echo.radio_state != 0x01) {
        return fail("radio state mismatch: the RNode did not turn its radio on (locked or not provisioned)", now);
    }
    _bitrate = reticulum_bitrate({*_echo.bandwidth, *_echo.sf, *_echo.cr});
    _state = state::online;
    ++_c.startups;
    _fc_ready = true;
    _fc_query_outstanding = false;
    char rate[32];
    std::snprintf(rate, sizeof(rate), "%.2f", _bitrate);
    _log("radio online on " + _opt.port + ": firmware " + fmt_version(*_echo.fw) + ", " +
         std::to_string(*_echo.frequency) + " Hz, " + std::to_string(*_echo.bandwidth) + " Hz, SF" +
         std::to_string(*_echo.sf) + ", CR4/" + std::to_string(*_echo.cr) + ", " + std::to_string(*_echo.txpower) +
         " dBm, " + rate + " bit/s" + (_c.startups > 1 ? " (reconnected)" : ""));
}

radio_session::clock::time_point radio_session::tick(clock::time_point now) {
    switch (_state) {
    case state::closed:
        if (now >= _deadline) {
            try_open(now);
        }
        break;
    case state::settling:
        if (now >= _deadline) {
            send_detect(now);
        }
        break;
    case state::detecting:
        if (now >= _deadline) {
            finish_detect(now);
        }
        break;
    case state::configuring:
        if (now >= _deadline) {
            validate(now);
        }
        break;
    case state::online:
        if (_reader.in_data_frame() && now - _last_rx >= partial_frame_timeout) {
            _reader.idle_timeout();
        }
        if (_opt.flow_control && !_fc_ready && !_fc_query_outstanding && now >= _fc_requery) {
            pump_flow_control(now);
        }
        if (_beacon_due && now >= *_beacon_due && _state == state::online) {
            // §4.6: the callsign's bytes as an ordinary DATA frame.
            _beacon_due.reset();
            (void)write_frame(cmd::data, rns::as_bytes(*_opt.id_callsign));
        }
        break;
    }
    clock::time_point next = _state == state::online ? now + std::chrono::milliseconds(100) : _deadline;
    if (_beacon_due && *_beacon_due < next) {
        next = *_beacon_due;
    }
    return next;
}

void radio_session::on_readable(clock::time_point now) {
    std::uint8_t buf[1024];
    for (;;) {
        const long n = _port.read(buf, sizeof(buf));
        if (n < 0) {
            on_hangup(now);
            return;
        }
        if (n == 0) {
            return;
        }
        _last_rx = now;
        if (_state == state::settling) {
            continue; // §8.2: whatever arrives before the detect burst is drained
        }
        _reader.feed(rns::byte_view(buf, static_cast<std::size_t>(n)),
                     [&](std::uint8_t command, rns::byte_view payload) { on_frame(command, payload, now); });
        if (!_port.is_open()) {
            return; // a frame made the session fail
        }
    }
}

void radio_session::on_writable(clock::time_point now) {
    if (!_port.flush()) {
        fail("serial port: " + _port.error(), now);
    }
}

void radio_session::on_hangup(clock::time_point now) {
    if (_port.is_open()) {
        fail("serial port " + _opt.port + " gone (" + (_port.error().empty() ? "hang-up" : _port.error()) + ")", now);
    }
}

void radio_session::send_packet(rns::byte_view packet, clock::time_point now) {
    // §8.5: never an empty DATA frame, never more than 508 bytes.
    if (packet.empty() || packet.size() > cmd::hw_mtu) {
        ++_c.drops_oversize;
        return;
    }
    if (_state != state::online) {
        ++_c.drops_offline;
        return;
    }
    if (!_opt.flow_control) {
        if (!write_packet(packet, now)) {
            ++_c.drops_queue_full;
        }
        return;
    }
    if (_queue.size() >= max_queued) {
        ++_c.drops_queue_full;
        return;
    }
    _queue.emplace_back(packet.begin(), packet.end());
    pump_flow_control(now);
}

bool radio_session::write_packet(rns::byte_view packet, clock::time_point now) {
    if (!write_frame(cmd::data, packet)) {
        if (!_port.error().empty()) {
            fail("serial port: " + _port.error(), now);
        }
        return false;
    }
    ++_c.tx_packets;
    _c.tx_bytes += packet.size();
    if (_opt.id_callsign && !_beacon_due) {
        _beacon_due = now + std::chrono::seconds(*_opt.id_interval);
    }
    return true;
}

void radio_session::pump_flow_control(clock::time_point now) {
    // §8.4: ask the device (READY query) instead of waiting for an unsolicited READY, which
    // current firmware never sends (§4.1).
    if (_fc_ready && !_queue.empty()) {
        rns::bytes p = std::move(_queue.front());
        _queue.pop_front();
        _fc_ready = false;
        if (!write_packet(p, now)) {
            ++_c.drops_queue_full;
            return;
        }
    }
    if (!_fc_ready && !_fc_query_outstanding) {
        const std::uint8_t q = 0x01;
        if (write_frame(cmd::ready, rns::byte_view(&q, 1))) {
            _fc_query_outstanding = true;
        }
    }
}

} // namespace rnode
