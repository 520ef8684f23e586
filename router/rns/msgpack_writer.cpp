// msgpack streaming encoder: smallest encodings, all-or-nothing writes into fixed buffers.

#include "router/rns/msgpack.hpp"

#include <bit>
#include <cstring>

namespace rns::msgpack {

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

} // namespace rns::msgpack
