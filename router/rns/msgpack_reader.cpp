// msgpack pull parser: bounds-checked reads of one value or container header at a time.

#include "router/rns/msgpack.hpp"

#include <algorithm>
#include <bit>
#include <limits>

namespace rns::msgpack {

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

} // namespace rns::msgpack
