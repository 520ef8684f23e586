// msgpack value tree: classification, decode into values (bounded depth), encode from values.

#include "router/rns/msgpack.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>

namespace rns::msgpack {

const char* to_string(error e) noexcept {
    switch (e) {
    case error::ok: return "ok";
    case error::truncated: return "truncated";
    case error::unsupported_type: return "unsupported_type";
    case error::too_deep: return "too_deep";
    case error::type_mismatch: return "type_mismatch";
    case error::out_of_range: return "out_of_range";
    case error::trailing_data: return "trailing_data";
    }
    return "unknown";
}

kind kind_of(std::uint8_t b) noexcept {
    if (b <= 0x7f || b == 0xcc || b == 0xcd || b == 0xce || b == 0xcf) {
        return kind::uint;
    }
    if (b >= 0xe0 || b == 0xd0 || b == 0xd1 || b == 0xd2 || b == 0xd3) {
        return kind::sint;
    }
    if ((b & 0xf0) == 0x80 || b == 0xde || b == 0xdf) {
        return kind::map;
    }
    if ((b & 0xf0) == 0x90 || b == 0xdc || b == 0xdd) {
        return kind::array;
    }
    if ((b & 0xe0) == 0xa0 || b == 0xd9 || b == 0xda || b == 0xdb) {
        return kind::str;
    }
    switch (b) {
    case 0xc0: return kind::nil;
    case 0xc2:
    case 0xc3: return kind::boolean;
    case 0xc4:
    case 0xc5:
    case 0xc6: return kind::bin;
    case 0xca: return kind::float32;
    case 0xcb: return kind::float64;
    default: return kind::invalid; // 0xc1, ext 0xc7-0xc9, fixext 0xd4-0xd8
    }
}

// ---------------------------------------------------------------------------------------------
// value tree

bool value::get_int(std::int64_t& out) const noexcept {
    if (const auto* u = std::get_if<std::uint64_t>(&v)) {
        if (*u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            return false;
        }
        out = static_cast<std::int64_t>(*u);
        return true;
    }
    if (const auto* i = std::get_if<std::int64_t>(&v)) {
        out = *i;
        return true;
    }
    return false;
}

bool value::get_number(double& out) const noexcept {
    if (const auto* d = std::get_if<double>(&v)) {
        out = *d;
        return true;
    }
    if (const auto* f = std::get_if<float>(&v)) {
        out = static_cast<double>(*f);
        return true;
    }
    if (const auto* u = std::get_if<std::uint64_t>(&v)) {
        out = static_cast<double>(*u);
        return true;
    }
    if (const auto* i = std::get_if<std::int64_t>(&v)) {
        out = static_cast<double>(*i);
        return true;
    }
    return false;
}

const value* value::find(std::string_view k) const noexcept {
    const auto* m = as_map();
    if (m == nullptr) {
        return nullptr;
    }
    for (const auto& [key, val] : *m) {
        if (const auto* s = key.as_str(); s != nullptr && *s == k) {
            return &val;
        }
    }
    return nullptr;
}

namespace {

error decode_rec(reader& r, value& out, unsigned depth_left) {
    switch (r.peek()) {
    case kind::nil:
        (void)r.read_nil();
        out = value(nil_t{});
        return error::ok;
    case kind::boolean: {
        bool b = false;
        (void)r.read_bool(b);
        out = value(b);
        return error::ok;
    }
    case kind::uint: {
        std::uint64_t u = 0;
        if (!r.read_uint(u)) {
            return r.last_error();
        }
        out = value(u);
        return error::ok;
    }
    case kind::sint: {
        std::int64_t i = 0;
        if (r.read_int(i)) {
            out = value(i);
            return error::ok;
        }
        return r.last_error();
    }
    case kind::float32: {
        // Keep float32 as float so re-encoding is byte-identical.
        byte_view rest = r.remaining();
        double d = 0;
        if (!r.read_float(d)) {
            return r.last_error();
        }
        std::uint32_t bits = (std::uint32_t{rest[1]} << 24) | (std::uint32_t{rest[2]} << 16) |
                             (std::uint32_t{rest[3]} << 8) | rest[4];
        out = value(std::bit_cast<float>(bits));
        return error::ok;
    }
    case kind::float64: {
        double d = 0;
        if (!r.read_float(d)) {
            return r.last_error();
        }
        out = value(d);
        return error::ok;
    }
    case kind::str: {
        std::string_view s;
        if (!r.read_str(s)) {
            return r.last_error();
        }
        out = value(std::string(s));
        return error::ok;
    }
    case kind::bin: {
        byte_view b;
        if (!r.read_bin(b)) {
            return r.last_error();
        }
        out = value(bytes(b.begin(), b.end()));
        return error::ok;
    }
    case kind::array: {
        std::uint32_t n = 0;
        if (!r.read_array_header(n)) {
            return r.last_error();
        }
        if (depth_left == 0) {
            return error::too_deep;
        }
        array a;
        // Every element takes at least one byte: never reserve more than the buffer can hold.
        a.reserve(std::min<std::size_t>(n, r.remaining().size()));
        for (std::uint32_t i = 0; i < n; ++i) {
            value e;
            if (auto err = decode_rec(r, e, depth_left - 1); err != error::ok) {
                return err;
            }
            a.push_back(std::move(e));
        }
        out = value(std::move(a));
        return error::ok;
    }
    case kind::map: {
        std::uint32_t n = 0;
        if (!r.read_map_header(n)) {
            return r.last_error();
        }
        if (depth_left == 0) {
            return error::too_deep;
        }
        map m;
        m.reserve(std::min<std::size_t>(n, r.remaining().size() / 2));
        for (std::uint32_t i = 0; i < n; ++i) {
            value k;
            value e;
            if (auto err = decode_rec(r, k, depth_left - 1); err != error::ok) {
                return err;
            }
            if (auto err = decode_rec(r, e, depth_left - 1); err != error::ok) {
                return err;
            }
            m.emplace_back(std::move(k), std::move(e));
        }
        out = value(std::move(m));
        return error::ok;
    }
    case kind::invalid:
        if (!r.ok()) {
            return r.last_error();
        }
        if (r.at_end()) {
            return error::truncated;
        }
        return error::unsupported_type;
    }
    return error::unsupported_type;
}

} // namespace

error decode_one(reader& r, value& out, unsigned max_depth) {
    return decode_rec(r, out, max_depth);
}

decode_result decode(byte_view buf, unsigned max_depth) {
    decode_result res;
    reader r(buf);
    res.err = decode_rec(r, res.val, max_depth);
    res.offset = r.position();
    if (res.err == error::ok && !r.at_end()) {
        res.err = error::trailing_data;
    }
    if (res.err != error::ok) {
        res.val = value();
    }
    return res;
}

void encode(writer& w, const value& val) {
    std::visit(
        [&w](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, nil_t>) {
                w.nil();
            } else if constexpr (std::is_same_v<T, bool>) {
                w.boolean(x);
            } else if constexpr (std::is_same_v<T, std::uint64_t>) {
                w.uint(x);
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                w.sint(x);
            } else if constexpr (std::is_same_v<T, float>) {
                w.float32(x);
            } else if constexpr (std::is_same_v<T, double>) {
                w.float64(x);
            } else if constexpr (std::is_same_v<T, std::string>) {
                w.str(x);
            } else if constexpr (std::is_same_v<T, bytes>) {
                w.bin(x);
            } else if constexpr (std::is_same_v<T, array>) {
                w.array_header(static_cast<std::uint32_t>(x.size()));
                for (const auto& e : x) {
                    encode(w, e);
                }
            } else {
                w.map_header(static_cast<std::uint32_t>(x.size()));
                for (const auto& [k, e] : x) {
                    encode(w, k);
                    encode(w, e);
                }
            }
        },
        val.v);
}

bytes encode(const value& val) {
    bytes out;
    writer w(out);
    encode(w, val);
    return out;
}

} // namespace rns::msgpack
