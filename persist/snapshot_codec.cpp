#include "persist/snapshot_codec.hpp"

#include "persist/crc32c.hpp"

#include <bit>
#include <cstring>
#include <string>

namespace persist {

namespace {

constexpr char magic_paths[8] = {'R', 'N', 'S', 'P', 'A', 'T', 'H', '1'};
constexpr char magic_known[8] = {'R', 'N', 'S', 'K', 'N', 'O', 'W', '1'};
constexpr char magic_identity[8] = {'R', 'N', 'S', 'I', 'D', 'N', 'T', '1'};
constexpr char magic_tunnels[8] = {'R', 'N', 'S', 'T', 'U', 'N', 'L', '1'};
constexpr std::uint32_t version = 1;
constexpr std::size_t max_records = 1U << 24;

class out_buf {
  public:
    /// A record body: no header, no checksum.
    out_buf() = default;
    explicit out_buf(const char (&magic)[8], std::uint32_t count) {
        _b.reserve(64);
        for (char c : magic) {
            _b.push_back(static_cast<std::uint8_t>(c));
        }
        u32(version);
        u32(count);
    }
    void u8(std::uint8_t v) { _b.push_back(v); }
    void u32(std::uint32_t v) {
        for (int i = 0; i < 4; ++i) {
            _b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
        }
    }
    void f64(double d) {
        auto v = std::bit_cast<std::uint64_t>(d);
        for (int i = 0; i < 8; ++i) {
            _b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
        }
    }
    void raw(rns::byte_view v) { _b.insert(_b.end(), v.begin(), v.end()); }
    void blob(rns::byte_view v) {
        u32(static_cast<std::uint32_t>(v.size()));
        raw(v);
    }
    rns::bytes finish() {
        std::uint32_t c = crc32c(_b);
        u32(c);
        return std::move(_b);
    }
    rns::bytes take_body() { return std::move(_b); }

  private:
    rns::bytes _b;
};

struct body_only {};

class in_buf {
  public:
    /// A record body (no header, no checksum).
    in_buf(rns::byte_view body, body_only) : _b(body), _ok(true) {}
    in_buf(rns::byte_view file, const char (&magic)[8]) {
        if (file.size() < 20 || std::memcmp(file.data(), magic, 8) != 0) {
            return;
        }
        std::size_t body = file.size() - 4;
        _b = file.first(body);
        _pos = 8;
        std::uint32_t stored = 0;
        for (int i = 3; i >= 0; --i) {
            stored = (stored << 8) | file[body + static_cast<std::size_t>(i)];
        }
        if (stored != crc32c(_b)) {
            _ok = false;
            return;
        }
        _ok = true;
        if (u32() != version) {
            _ok = false;
        }
        _count = u32();
        if (_count > max_records) {
            _ok = false;
        }
    }
    [[nodiscard]] bool ok() const noexcept { return _ok; }
    [[nodiscard]] bool at_end() const noexcept { return _pos == _b.size(); }
    [[nodiscard]] std::uint32_t count() const noexcept { return _count; }
    std::uint8_t u8() {
        std::uint8_t v = 0;
        take(&v, 1);
        return v;
    }
    std::uint32_t u32() {
        std::uint8_t p[4] = {};
        take(p, 4);
        return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
               static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
    }
    double f64() {
        std::uint8_t p[8] = {};
        take(p, 8);
        std::uint64_t v = 0;
        for (int i = 7; i >= 0; --i) {
            v = (v << 8) | p[i];
        }
        return std::bit_cast<double>(v);
    }
    template <std::size_t N> void arr(rns::byte_array<N>& a) { take(a.data(), N); }
    rns::bytes blob() {
        std::uint32_t n = u32();
        if (!_ok || n > _b.size() - _pos) {
            _ok = false;
            return {};
        }
        rns::bytes v(_b.begin() + static_cast<std::ptrdiff_t>(_pos),
                     _b.begin() + static_cast<std::ptrdiff_t>(_pos + n));
        _pos += n;
        return v;
    }

  private:
    void take(std::uint8_t* out, std::size_t n) {
        if (!_ok || n > _b.size() - _pos) {
            _ok = false;
            return;
        }
        std::memcpy(out, _b.data() + _pos, n);
        _pos += n;
    }
    rns::byte_view _b;
    std::size_t _pos = 0;
    std::uint32_t _count = 0;
    bool _ok = false;
};

void write_path(out_buf& o, const path_record& p) {
    o.raw(p.destination);
    o.f64(p.timestamp);
    o.raw(p.next_hop);
    o.u8(p.hops);
    o.f64(p.expires);
    o.u32(static_cast<std::uint32_t>(p.random_blobs.size()));
    for (const auto& b : p.random_blobs) {
        o.raw(b);
    }
    o.raw(p.interface_hash);
    o.raw(p.announce_hash);
    o.blob(p.announce);
}

/// false on a malformed record (the reader's ok() tells truncation apart).
bool read_path(in_buf& in, path_record& p) {
    in.arr(p.destination);
    p.timestamp = in.f64();
    in.arr(p.next_hop);
    p.hops = in.u8();
    p.expires = in.f64();
    std::uint32_t n = in.u32();
    if (n > 1024) { // the reference keeps at most 64 (spec §1.3 MAX_RANDOM_BLOBS)
        return false;
    }
    p.random_blobs.resize(n);
    for (auto& b : p.random_blobs) {
        in.arr(b);
    }
    in.arr(p.interface_hash);
    in.arr(p.announce_hash);
    p.announce = in.blob();
    return in.ok();
}

} // namespace

rns::bytes encode_paths(const std::vector<path_record>& paths) {
    out_buf o(magic_paths, static_cast<std::uint32_t>(paths.size()));
    for (const auto& p : paths) {
        write_path(o, p);
    }
    return o.finish();
}

std::optional<std::vector<path_record>> decode_paths(rns::byte_view file) {
    in_buf in(file, magic_paths);
    if (!in.ok()) {
        return std::nullopt;
    }
    std::vector<path_record> out;
    for (std::uint32_t i = 0; i < in.count() && in.ok(); ++i) {
        path_record p;
        if (!read_path(in, p)) {
            return std::nullopt;
        }
        out.push_back(std::move(p));
    }
    if (!in.ok() || !in.at_end()) {
        return std::nullopt;
    }
    return out;
}

rns::bytes encode_known(const std::vector<known_destination>& known) {
    out_buf o(magic_known, static_cast<std::uint32_t>(known.size()));
    for (const auto& k : known) {
        o.raw(k.destination);
        o.f64(k.last_heard);
        o.raw(k.announce_hash);
        o.raw(k.public_key);
        o.u8(k.app_data ? 1 : 0);
        o.blob(k.app_data ? rns::byte_view(*k.app_data) : rns::byte_view());
        o.f64(k.last_used);
    }
    return o.finish();
}

std::optional<std::vector<known_destination>> decode_known(rns::byte_view file) {
    in_buf in(file, magic_known);
    if (!in.ok()) {
        return std::nullopt;
    }
    std::vector<known_destination> out;
    for (std::uint32_t i = 0; i < in.count() && in.ok(); ++i) {
        known_destination k;
        in.arr(k.destination);
        k.last_heard = in.f64();
        in.arr(k.announce_hash);
        in.arr(k.public_key);
        std::uint8_t has = in.u8();
        rns::bytes app = in.blob();
        if (has > 1 || (has == 0 && !app.empty())) {
            return std::nullopt;
        }
        if (has == 1) {
            k.app_data = std::move(app);
        }
        k.last_used = in.f64();
        out.push_back(std::move(k));
    }
    if (!in.ok() || !in.at_end()) {
        return std::nullopt;
    }
    return out;
}

rns::bytes encode_identity(const identity_key& key) {
    out_buf o(magic_identity, 1);
    o.raw(key);
    return o.finish();
}

std::optional<identity_key> decode_identity(rns::byte_view file) {
    in_buf in(file, magic_identity);
    if (!in.ok() || in.count() != 1) {
        return std::nullopt;
    }
    identity_key k{};
    in.arr(k);
    if (!in.ok() || !in.at_end()) {
        return std::nullopt;
    }
    return k;
}

rns::bytes encode_tunnels(const std::vector<tunnel_record>& tunnels) {
    out_buf o(magic_tunnels, static_cast<std::uint32_t>(tunnels.size()));
    for (const auto& t : tunnels) {
        out_buf r;
        r.raw(t.tunnel_id);
        r.u8(t.interface_hash ? 1 : 0);
        r.raw(t.interface_hash ? *t.interface_hash : rns::hash32{});
        r.f64(t.expires);
        r.u32(static_cast<std::uint32_t>(t.paths.size()));
        for (const auto& p : t.paths) {
            write_path(r, p);
        }
        o.blob(r.take_body());
    }
    return o.finish();
}

namespace {

/// One tunnel record body; an empty string when it parsed, else what is wrong with it.
std::string read_tunnel(rns::byte_view body, tunnel_record& t) {
    in_buf in(body, body_only{});
    in.arr(t.tunnel_id);
    const std::uint8_t has_iface = in.u8();
    rns::hash32 iface{};
    in.arr(iface);
    t.expires = in.f64();
    const std::uint32_t n = in.u32();
    if (!in.ok()) {
        return "truncated header";
    }
    if (has_iface > 1) {
        return "bad interface flag";
    }
    if (has_iface == 1) {
        t.interface_hash = iface;
    }
    if (n > body.size()) { // every path takes more than a byte
        return "path count larger than the record";
    }
    for (std::uint32_t i = 0; i < n; ++i) {
        path_record p;
        if (!read_path(in, p)) {
            return "path " + std::to_string(i) + " malformed";
        }
        t.paths.push_back(std::move(p));
    }
    if (!in.at_end()) {
        return "trailing bytes";
    }
    return {};
}

} // namespace

std::optional<decoded_tunnels> decode_tunnels(rns::byte_view file) {
    in_buf in(file, magic_tunnels);
    if (!in.ok()) {
        return std::nullopt;
    }
    decoded_tunnels out;
    for (std::uint32_t i = 0; i < in.count() && in.ok(); ++i) {
        const rns::bytes body = in.blob();
        if (!in.ok()) {
            break;
        }
        tunnel_record t;
        if (std::string why = read_tunnel(body, t); !why.empty()) {
            out.errors.push_back("tunnel record " + std::to_string(i) + ": " + why + ", skipped");
            continue;
        }
        out.tunnels.push_back(std::move(t));
    }
    if (!in.ok() || !in.at_end()) {
        return std::nullopt;
    }
    return out;
}

} // namespace persist
