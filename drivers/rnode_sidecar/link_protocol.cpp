#include "drivers/rnode_sidecar/link_protocol.hpp"

namespace sidecar_link {

namespace {

class writer {
  public:
    explicit writer(msg_type t) { _out = {magic0, magic1, version, static_cast<std::uint8_t>(t)}; }
    void u8(std::uint8_t v) { _out.push_back(v); }
    void u16(std::uint16_t v) {
        u8(static_cast<std::uint8_t>(v >> 8));
        u8(static_cast<std::uint8_t>(v));
    }
    void u32(std::uint32_t v) {
        u16(static_cast<std::uint16_t>(v >> 16));
        u16(static_cast<std::uint16_t>(v));
    }
    void u64(std::uint64_t v) {
        u32(static_cast<std::uint32_t>(v >> 32));
        u32(static_cast<std::uint32_t>(v));
    }
    void str8(const std::string& s) {
        const std::size_t n = s.size() > 255 ? 255 : s.size();
        u8(static_cast<std::uint8_t>(n));
        _out.insert(_out.end(), s.begin(), s.begin() + static_cast<std::ptrdiff_t>(n));
    }
    void str16(const std::string& s) {
        const std::size_t n = s.size() > max_text ? max_text : s.size();
        u16(static_cast<std::uint16_t>(n));
        _out.insert(_out.end(), s.begin(), s.begin() + static_cast<std::ptrdiff_t>(n));
    }
    void raw(rns::byte_view b) { _out.insert(_out.end(), b.begin(), b.end()); }
    rns::bytes take() { return std::move(_out); }

  private:
    rns::bytes _out;
};

class reader {
  public:
    explicit reader(rns::byte_view b) : _b(b) {}
    bool ok() const noexcept { return _ok; }
    std::size_t left() const noexcept { return _b.size() - _pos; }
    std::uint8_t u8() noexcept {
        if (left() < 1) {
            _ok = false;
            return 0;
        }
        return _b[_pos++];
    }
    std::uint16_t u16() noexcept {
        const std::uint16_t hi = u8();
        return static_cast<std::uint16_t>(hi << 8 | u8());
    }
    std::uint32_t u32() noexcept {
        const std::uint32_t hi = u16();
        return hi << 16 | u16();
    }
    std::uint64_t u64() noexcept {
        const std::uint64_t hi = u32();
        return hi << 32 | u32();
    }
    std::string str(std::size_t n) {
        if (left() < n) {
            _ok = false;
            return {};
        }
        std::string s(reinterpret_cast<const char*>(_b.data() + _pos), n);
        _pos += n;
        return s;
    }
    rns::bytes rest() {
        rns::bytes r(_b.begin() + static_cast<std::ptrdiff_t>(_pos), _b.end());
        _pos = _b.size();
        return r;
    }

  private:
    rns::byte_view _b;
    std::size_t _pos = 0;
    bool _ok = true;
};

bool valid_mode(std::uint8_t m) noexcept { return m >= 0x01 && m <= 0x06; }

decoded fail(decode_error e, std::uint8_t v) {
    decoded d;
    d.error = e;
    d.peer_version = v;
    return d;
}

} // namespace

const char* to_string(decode_error e) noexcept {
    switch (e) {
    case decode_error::too_short: return "message shorter than its header";
    case decode_error::bad_magic: return "not a sidecar link message (bad magic)";
    case decode_error::version_mismatch: return "link protocol version mismatch";
    case decode_error::unknown_type: return "unknown message type";
    case decode_error::truncated: return "message truncated";
    case decode_error::trailing_bytes: return "trailing bytes after the message";
    case decode_error::bad_value: return "field out of range";
    }
    return "?";
}

const char* stat_name(stat_key k) noexcept {
    static constexpr const char* names[] = {
        "?", "radio_online", "bitrate_mbps", "rx_packets", "rx_bytes", "tx_packets", "tx_bytes",
        "last_rssi_dbm", "last_snr_q", "airtime_short_centi", "airtime_long_centi",
        "channel_load_short_centi", "channel_load_long_centi", "noise_floor_dbm", "interference_dbm",
        "csma_band", "csma_min", "csma_max", "battery_state", "battery_percent", "radio_errors",
        "memory_low_errors", "modem_timeout_errors", "reconnects", "startup_failures",
        "drops_offline", "drops_router_away", "drops_oversize", "drops_queue_full", "garbage_bytes",
        "bad_frames", "partial_timeouts", "phy_symbol_time_us", "phy_preamble_symbols",
        "phy_csma_slot_ms", "phy_difs_ms", "temperature_c"};
    const auto i = static_cast<std::size_t>(k);
    return i < std::size(names) ? names[i] : "?";
}

rns::bytes encode(const message& m) {
    struct visitor {
        rns::bytes operator()(const hello& h) const {
            writer w(msg_type::hello);
            w.u8(static_cast<std::uint8_t>(h.mode));
            w.u16(h.hw_mtu);
            w.u64(h.bitrate_mbps);
            w.u8(h.ifac_size);
            w.str8(h.name);
            w.str8(h.netname);
            w.str16(h.netkey);
            return w.take();
        }
        rns::bytes operator()(const welcome& x) const {
            writer w(msg_type::welcome);
            w.u32(x.interface_id);
            return w.take();
        }
        rns::bytes operator()(const refuse& x) const {
            writer w(msg_type::refuse);
            w.str16(x.reason);
            return w.take();
        }
        rns::bytes operator()(const packet_in& p) const {
            writer w(msg_type::packet_in);
            w.u16(static_cast<std::uint16_t>(p.rssi_dbm));
            w.u16(static_cast<std::uint16_t>(p.snr_q));
            w.raw(p.payload);
            return w.take();
        }
        rns::bytes operator()(const packet_out& p) const {
            writer w(msg_type::packet_out);
            w.raw(p.payload);
            return w.take();
        }
        rns::bytes operator()(const stats& s) const {
            writer w(msg_type::stats);
            for (const auto& e : s.entries) {
                w.u8(static_cast<std::uint8_t>(e.key));
                w.u64(static_cast<std::uint64_t>(e.value));
            }
            return w.take();
        }
    };
    return std::visit(visitor{}, m);
}

decoded decode(rns::byte_view data) {
    if (data.size() < header_size) {
        return fail(decode_error::too_short, 0);
    }
    if (data[0] != magic0 || data[1] != magic1) {
        return fail(decode_error::bad_magic, 0);
    }
    const std::uint8_t v = data[2];
    if (v != version) {
        return fail(decode_error::version_mismatch, v);
    }
    reader r(data.subspan(header_size));
    decoded d;
    d.peer_version = v;
    auto finish = [&](message m) -> decoded {
        if (!r.ok()) {
            return fail(decode_error::truncated, v);
        }
        if (r.left() != 0) {
            return fail(decode_error::trailing_bytes, v);
        }
        d.msg = std::move(m);
        return d;
    };
    switch (static_cast<msg_type>(data[3])) {
    case msg_type::hello: {
        hello h;
        const std::uint8_t mode = r.u8();
        h.hw_mtu = r.u16();
        h.bitrate_mbps = r.u64();
        h.ifac_size = r.u8();
        h.name = r.str(r.u8());
        h.netname = r.str(r.u8());
        const std::uint16_t key_len = r.u16();
        h.netkey = r.str(key_len);
        if (r.ok() && (key_len > max_text ||!valid_mode(mode) || h.name.empty() || h.hw_mtu == 0 || h.hw_mtu > max_packet ||
                       h.ifac_size > 64)) {
            return fail(decode_error::bad_value, v);
        }
        h.mode = static_cast<iface_mode>(mode);
        return finish(std::move(h));
    }
    case msg_type::welcome: {
        welcome w;
        w.interface_id = r.u32();
        return finish(w);
    }
    case msg_type::refuse: {
        refuse x;
        const std::uint16_t n = r.u16();
        x.reason = r.str(n);
        if (r.ok() && n > max_text) {
            return fail(decode_error::bad_value, v);
        }
        return finish(std::move(x));
    }
    case msg_type::packet_in: {
        packet_in p;
        p.rssi_dbm = static_cast<std::int16_t>(r.u16());
        p.snr_q = static_cast<std::int16_t>(r.u16());
        if (!r.ok()) {
            return fail(decode_error::truncated, v);
        }
        p.payload = r.rest();
        if (p.payload.empty() || p.payload.size() > max_packet) {
            return fail(decode_error::bad_value, v);
        }
        return finish(std::move(p));
    }
    case msg_type::packet_out: {
        packet_out p;
        p.payload = r.rest();
        if (p.payload.empty() || p.payload.size() > max_packet) {
            return fail(decode_error::bad_value, v);
        }
        return finish(std::move(p));
    }
    case msg_type::stats: {
        stats s;
        if (r.left() % 9 != 0) {
            return fail(decode_error::truncated, v);
        }
        while (r.left() >= 9) {
            const std::uint8_t k = r.u8();
            const auto val = static_cast<std::int64_t>(r.u64());
            if (k >= 1 && k <= stat_key_max) {
                s.entries.push_back({static_cast<stat_key>(k), val});
            }
        }
        return finish(std::move(s));
    }
    }
    return fail(decode_error::unknown_type, v);
}

} // namespace sidecar_link
