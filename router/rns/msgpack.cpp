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
// reader

bool reader::fail(error e) noexcept {
    if (_err == error::ok) {
        _err = e;
    }
    return false;
}

bool reader::need(std::size_t n) noexcept {
    if (_err != error::ok) {
        return false;
    }
    if (_buf.size() - _pos < n) {
        return fail(error::truncated);
    }
    return true;
}

std::uint64_t reader::be(std::size_t n) noexcept {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) {
        v = (v << 8) | _buf[_pos + i];
    }
    _pos += n;
    return v;
}

kind reader::peek() const noexcept {
    if (_err != error::ok || _pos >= _buf.size()) {
        return kind::invalid;
    }
    return kind_of(_buf[_pos]);
}

bool reader::read_nil() noexcept {
    if (!need(1)) {
        return false;
    }
    if (_buf[_pos] != 0xc0) {
        return fail(error::type_mismatch);
    }
    ++_pos;
    return true;
}

bool reader::read_bool(bool& out) noexcept {
    if (!need(1)) {
        return false;
    }
    std::uint8_t b = _buf[_pos];
    if (b != 0xc2 && b != 0xc3) {
        return fail(error::type_mismatch);
    }
    out = b == 0xc3;
    ++_pos;
    return true;
}

// Reads any integer encoding. For negatives `value` holds the two's-complement bit pattern.
bool reader::read_integer(bool& negative, std::uint64_t& value) noexcept {
    if (!need(1)) {
        return false;
    }
    std::uint8_t b = _buf[_pos];
    if (b <= 0x7f) {
        ++_pos;
        negative = false;
        value = b;
        return true;
    }
    if (b >= 0xe0) {
        ++_pos;
        negative = true;
        value = static_cast<std::uint64_t>(static_cast<std::int64_t>(static_cast<std::int8_t>(b)));
        return true;
    }
    std::size_t n = 0;
    bool is_signed = false;
    switch (b) {
    case 0xcc: n = 1; break;
    case 0xcd: n = 2; break;
    case 0xce: n = 4; break;
    case 0xcf: n = 8; break;
    case 0xd0: n = 1; is_signed = true; break;
    case 0xd1: n = 2; is_signed = true; break;
    case 0xd2: n = 4; is_signed = true; break;
    case 0xd3: n = 8; is_signed = true; break;
    default: return fail(error::type_mismatch);
    }
    if (!need(1 + n)) {
        return false;
    }
    ++_pos;
    std::uint64_t raw = be(n);
    if (!is_signed) {
        negative = false;
        value = raw;
        return true;
    }
    // sign-extend n bytes
    unsigned bits = static_cast<unsigned>(n * 8);
    if (bits < 64 && (raw >> (bits - 1)) != 0) {
        raw |= ~std::uint64_t{0} << bits;
    }
    negative = static_cast<std::int64_t>(raw) < 0;
    value = raw;
    return true;
}

bool reader::read_int(std::int64_t& out) noexcept {
    std::size_t start = _pos;
    bool negative = false;
    std::uint64_t v = 0;
    if (!read_integer(negative, v)) {
        return false;
    }
    if (!negative && v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        _pos = start;
        return fail(error::out_of_range);
    }
    out = static_cast<std::int64_t>(v);
    return true;
}

bool reader::read_uint(std::uint64_t& out) noexcept {
    std::size_t start = _pos;
    bool negative = false;
    std::uint64_t v = 0;
    if (!read_integer(negative, v)) {
        return false;
    }
    if (negative) {
        _pos = start;
        return fail(error::out_of_range);
    }
    out = v;
    return true;
}

bool reader::read_float(double& out) noexcept {
    if (!need(1)) {
        return false;
    }
    std::uint8_t b = _buf[_pos];
    if (b == 0xca) {
        if (!need(5)) {
            return false;
        }
        ++_pos;
        auto bits = static_cast<std::uint32_t>(be(4));
        out = static_cast<double>(std::bit_cast<float>(bits));
        return true;
    }
    if (b == 0xcb) {
        if (!need(9)) {
            return false;
        }
        ++_pos;
        out = std::bit_cast<double>(be(8));
        return true;
    }
    return fail(error::type_mismatch);
}

bool reader::read_number(double& out) noexcept {
    kind k = peek();
    if (k == kind::float32 || k == kind::float64) {
        return read_float(out);
    }
    if (k == kind::uint || k == kind::sint) {
        bool negative = false;
        std::uint64_t v = 0;
        if (!read_integer(negative, v)) {
            return false;
        }
        out = negative ? static_cast<double>(static_cast<std::int64_t>(v)) : static_cast<double>(v);
        return true;
    }
    if (!need(1)) {
        return false;
    }
    return fail(error::type_mismatch);
}

bool reader::read_length(std::uint8_t b, std::uint8_t fix_base, std::uint8_t fix_mask,
                         std::uint8_t c8, std::uint8_t c16, std::uint8_t c32,
                         std::uint32_t& out) noexcept {
    if (fix_mask != 0 && (b & static_cast<std::uint8_t>(~fix_mask)) == fix_base) {
        ++_pos;
        out = b & fix_mask;
        return true;
    }
    std::size_t n = 0;
    if (c8 != 0 && b == c8) {
        n = 1;
    } else if (b == c16) {
        n = 2;
    } else if (b == c32) {
        n = 4;
    } else {
        return fail(error::type_mismatch);
    }
    if (!need(1 + n)) {
        return false;
    }
    ++_pos;
    out = static_cast<std::uint32_t>(be(n));
    return true;
}

bool reader::read_str(std::string_view& out) noexcept {
    if (!need(1)) {
        return false;
    }
    std::size_t start = _pos;
    std::uint32_t len = 0;
    if (!read_length(_buf[_pos], 0xa0, 0x1f, 0xd9, 0xda, 0xdb, len)) {
        return false;
    }
    if (!need(len)) {
        _pos = start;
        return false;
    }
    out = std::string_view(reinterpret_cast<const char*>(_buf.data() + _pos), len);
    _pos += len;
    return true;
}

bool reader::read_bin(byte_view& out) noexcept {
    if (!need(1)) {
        return false;
    }
    std::size_t start = _pos;
    std::uint32_t len = 0;
    if (!read_length(_buf[_pos], 0, 0, 0xc4, 0xc5, 0xc6, len)) {
        return false;
    }
    if (!need(len)) {
        _pos = start;
        return false;
    }
    out = _buf.subspan(_pos, len);
    _pos += len;
    return true;
}

bool reader::read_array_header(std::uint32_t& count) noexcept {
    if (!need(1)) {
        return false;
    }
    return read_length(_buf[_pos], 0x90, 0x0f, 0, 0xdc, 0xdd, count);
}

bool reader::read_map_header(std::uint32_t& count) noexcept {
    if (!need(1)) {
        return false;
    }
    return read_length(_buf[_pos], 0x80, 0x0f, 0, 0xde, 0xdf, count);
}

bool reader::skip(unsigned max_depth) noexcept {
    // Iterative: `pending` counts values still to skip; depth is bounded by tracking the
    // outstanding counts of open containers in a small fixed stack.
    constexpr unsigned stack_cap = 64;
    std::uint64_t stack[stack_cap];
    unsigned depth = 0;
    std::uint64_t pending = 1;
    unsigned limit = std::min(max_depth, stack_cap);
    for (;;) {
        while (pending == 0) {
            if (depth == 0) {
                return true;
            }
            pending = stack[--depth];
        }
        --pending;
        switch (peek()) {
        case kind::nil:
        case kind::boolean:
            ++_pos;
            break;
        case kind::uint:
        case kind::sint: {
            bool neg = false;
            std::uint64_t v = 0;
            if (!read_integer(neg, v)) {
                return false;
            }
            break;
        }
        case kind::float32:
        case kind::float64: {
            double d = 0;
            if (!read_float(d)) {
                return false;
            }
            break;
        }
        case kind::str: {
            std::string_view s;
            if (!read_str(s)) {
                return false;
            }
            break;
        }
        case kind::bin: {
            byte_view b;
            if (!read_bin(b)) {
                return false;
            }
            break;
        }
        case kind::array:
        case kind::map: {
            bool is_map = peek() == kind::map;
            std::uint32_t n = 0;
            if (!(is_map ? read_map_header(n) : read_array_header(n))) {
                return false;
            }
            if (depth >= limit) {
                return fail(error::too_deep);
            }
            stack[depth++] = pending;
            pending = is_map ? std::uint64_t{n} * 2 : n;
            break;
        }
        case kind::invalid:
            if (!need(1)) {
                return false;
            }
            return fail(error::unsupported_type);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// writer

void writer::put(std::initializer_list<std::uint8_t> b) noexcept {
    put(byte_view(b.begin(), b.size()));
}

void writer::put(byte_view b) noexcept {
    if (_vec != nullptr) {
        _vec->insert(_vec->end(), b.begin(), b.end());
        return;
    }
    if (_overflow || _buf.size() - _pos < b.size()) {
        _overflow = true;
        return;
    }
    if (!b.empty()) {
        std::memcpy(_buf.data() + _pos, b.data(), b.size());
    }
    _pos += b.size();
}

void writer::put_be(std::uint8_t lead, std::uint64_t v, std::size_t n) noexcept {
    std::uint8_t tmp[9];
    tmp[0] = lead;
    for (std::size_t i = 0; i < n; ++i) {
        tmp[1 + i] = static_cast<std::uint8_t>(v >> (8 * (n - 1 - i)));
    }
    put(byte_view(tmp, 1 + n));
}

void writer::put_length(std::uint32_t n, std::uint8_t fix_base, std::uint32_t fix_max,
                        std::uint8_t c8, std::uint8_t c16, std::uint8_t c32) noexcept {
    if (n <= fix_max) {
        put({static_cast<std::uint8_t>(fix_base | n)});
    } else if (c8 != 0 && n <= 0xff) {
        put_be(c8, n, 1);
    } else if (n <= 0xffff) {
        put_be(c16, n, 2);
    } else {
        put_be(c32, n, 4);
    }
}

writer& writer::nil() noexcept {
    put({0xc0});
    return *this;
}

writer& writer::boolean(bool b) noexcept {
    put({static_cast<std::uint8_t>(b ? 0xc3 : 0xc2)});
    return *this;
}

writer& writer::uint(std::uint64_t v) noexcept {
    if (v <= 0x7f) {
        put({static_cast<std::uint8_t>(v)});
    } else if (v <= 0xff) {
        put_be(0xcc, v, 1);
    } else if (v <= 0xffff) {
        put_be(0xcd, v, 2);
    } else if (v <= 0xffffffff) {
        put_be(0xce, v, 4);
    } else {
        put_be(0xcf, v, 8);
    }
    return *this;
}

writer& writer::sint(std::int64_t v) noexcept {
    if (v >= 0) {
        return uint(static_cast<std::uint64_t>(v));
    }
    auto bits = static_cast<std::uint64_t>(v);
    if (v >= -32) {
        put({static_cast<std::uint8_t>(bits)});
    } else if (v >= -128) {
        put_be(0xd0, bits, 1);
    } else if (v >= -32768) {
        put_be(0xd1, bits, 2);
    } else if (v >= -2147483648LL) {
        put_be(0xd2, bits, 4);
    } else {
        put_be(0xd3, bits, 8);
    }
    return *this;
}

writer& writer::float32(float v) noexcept {
    put_be(0xca, std::bit_cast<std::uint32_t>(v), 4);
    return *this;
}

writer& writer::float64(double v) noexcept {
    put_be(0xcb, std::bit_cast<std::uint64_t>(v), 8);
    return *this;
}

bool writer::fits(std::size_t n) noexcept {
    if (_vec == nullptr && (_overflow || _buf.size() - _pos < n)) {
        _overflow = true;
    }
    return !_overflow;
}

writer& writer::str(std::string_view s) noexcept {
    // All or nothing: a header without its payload would leave a corrupt tail.
    std::size_t hdr = s.size() <= 31 ? 1 : s.size() <= 0xff ? 2 : s.size() <= 0xffff ? 3 : 5;
    if (!fits(hdr + s.size())) {
        return *this;
    }
    put_length(static_cast<std::uint32_t>(s.size()), 0xa0, 31, 0xd9, 0xda, 0xdb);
    put(as_bytes(s));
    return *this;
}

writer& writer::bin(byte_view b) noexcept {
    // bin has no fix form: even an empty byte string is bin8 (c4 00).
    auto n = static_cast<std::uint32_t>(b.size());
    std::size_t hdr = n <= 0xff ? 2 : n <= 0xffff ? 3 : 5;
    if (!fits(hdr + n)) {
        return *this;
    }
    if (n <= 0xff) {
        put_be(0xc4, n, 1);
    } else if (n <= 0xffff) {
        put_be(0xc5, n, 2);
    } else {
        put_be(0xc6, n, 4);
    }
    put(b);
    return *this;
}

writer& writer::array_header(std::uint32_t count) noexcept {
    put_length(count, 0x90, 15, 0, 0xdc, 0xdd);
    return *this;
}

writer& writer::map_header(std::uint32_t count) noexcept {
    put_length(count, 0x80, 15, 0, 0xde, 0xdf);
    return *this;
}

writer& writer::raw(byte_view encoded) noexcept {
    put(encoded);
    return *this;
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
