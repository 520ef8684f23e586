#pragma once
// A small, strict msgpack codec for the subset Reticulum uses (umsgpack on the reference side):
// nil, bool, integers of every width, float32/float64, str, bin, array and map. Extension types
// and the reserved byte 0xc1 are rejected.
//
// Three layers:
//   - reader: a non-allocating pull parser over a byte view (headers, views into the buffer);
//   - writer: a streaming encoder into a growing byte vector or into a fixed caller buffer;
//   - value + decode()/encode(): a tree for the cold paths (storage files, requests).
// Decoding never throws, never reads past the buffer and bounds the nesting depth.

#include "router/rns/bytes.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace rns::msgpack {

enum class error : std::uint8_t {
    ok = 0,
    truncated,        ///< the buffer ends inside a value
    unsupported_type, ///< 0xc1 (never used) or an extension type (fixext/ext)
    too_deep,         ///< nesting deeper than the caller's limit
    type_mismatch,    ///< reader: the next value is not of the requested type
    out_of_range,     ///< reader: integer does not fit the requested type
    trailing_data,    ///< decode: bytes left after the top-level value
};
const char* to_string(error e) noexcept;

/// Kind of the next value, from its first byte.
enum class kind : std::uint8_t { nil, boolean, uint, sint, float32, float64, str, bin, array, map, invalid };

/// Classifies a leading byte (spec: msgpack format table).
[[nodiscard]] kind kind_of(std::uint8_t lead) noexcept;

/// Non-allocating pull parser. Each read_* consumes one value (or a container header) and returns
/// false with error() set on failure; after a failure the reader stays failed.
class reader {
  public:
    explicit reader(byte_view buf) noexcept : _buf(buf) {}

    [[nodiscard]] bool at_end() const noexcept { return _pos >= _buf.size(); }
    [[nodiscard]] std::size_t position() const noexcept { return _pos; }
    [[nodiscard]] byte_view remaining() const noexcept { return _buf.subspan(_pos); }
    [[nodiscard]] error last_error() const noexcept { return _err; }
    [[nodiscard]] bool ok() const noexcept { return _err == error::ok; }
    /// Kind of the next value (kind::invalid at the end or after a failure).
    [[nodiscard]] kind peek() const noexcept;

    [[nodiscard]] bool read_nil() noexcept;
    [[nodiscard]] bool read_bool(bool& out) noexcept;
    /// Any integer encoding whose value fits.
    [[nodiscard]] bool read_int(std::int64_t& out) noexcept;
    [[nodiscard]] bool read_uint(std::uint64_t& out) noexcept;
    /// float32 or float64 (float32 is widened).
    [[nodiscard]] bool read_float(double& out) noexcept;
    /// A float or an integer, as a number (umsgpack writes Python ints for whole timestamps).
    [[nodiscard]] bool read_number(double& out) noexcept;
    /// A view into the buffer.
    [[nodiscard]] bool read_str(std::string_view& out) noexcept;
    [[nodiscard]] bool read_bin(byte_view& out) noexcept;
    [[nodiscard]] bool read_array_header(std::uint32_t& count) noexcept;
    [[nodiscard]] bool read_map_header(std::uint32_t& count) noexcept;
    /// Skips one complete value (containers included), at most max_depth levels deep.
    [[nodiscard]] bool skip(unsigned max_depth = 32) noexcept;

  private:
    byte_view _buf;
    std::size_t _pos = 0;
    error _err = error::ok;

    bool fail(error e) noexcept;
    bool need(std::size_t n) noexcept;
    std::uint64_t be(std::size_t n) noexcept; ///< reads n big-endian bytes (need() checked)
    bool read_length(std::uint8_t lead, std::uint8_t fix_base, std::uint8_t fix_mask,
                     std::uint8_t c8, std::uint8_t c16, std::uint8_t c32, std::uint32_t& out) noexcept;
    bool read_integer(bool& negative, std::uint64_t& magnitude_or_value) noexcept;
};

/// Streaming encoder. Writes the smallest encoding of each value, like umsgpack: positive ints as
/// fixint/uint8..64, negative as negative fixint/int8..64, str as fixstr/str8/16/32, bytes as
/// bin8/16/32, floats as float64 unless float32 is asked for.
class writer {
  public:
    /// Appends to out (allocates as it grows).
    explicit writer(bytes& out) noexcept : _vec(&out) {}
    /// Writes into a fixed buffer; overflow() is set (and nothing more written) when it is full.
    explicit writer(std::span<std::uint8_t> buf) noexcept : _buf(buf) {}

    writer& nil() noexcept;
    writer& boolean(bool b) noexcept;
    writer& uint(std::uint64_t v) noexcept;
    writer& sint(std::int64_t v) noexcept;
    writer& float32(float v) noexcept;
    writer& float64(double v) noexcept;
    writer& str(std::string_view s) noexcept;
    writer& bin(byte_view b) noexcept;
    writer& array_header(std::uint32_t count) noexcept;
    writer& map_header(std::uint32_t count) noexcept;
    /// Appends bytes that are already msgpack (a pre-encoded value).
    writer& raw(byte_view encoded) noexcept;

    [[nodiscard]] std::size_t size() const noexcept { return _vec ? _vec->size() : _pos; }
    [[nodiscard]] bool overflow() const noexcept { return _overflow; }

  private:
    bytes* _vec = nullptr;
    std::span<std::uint8_t> _buf;
    std::size_t _pos = 0;
    bool _overflow = false;

    bool fits(std::size_t n) noexcept; ///< fixed-buffer mode: room for n more bytes, else overflow
    void put(std::initializer_list<std::uint8_t> b) noexcept;
    void put(byte_view b) noexcept;
    void put_be(std::uint8_t lead, std::uint64_t v, std::size_t n) noexcept;
    void put_length(std::uint32_t n, std::uint8_t fix_base, std::uint32_t fix_max, std::uint8_t c8,
                    std::uint8_t c16, std::uint8_t c32) noexcept;
};

struct value;
using array = std::vector<value>;
using map = std::vector<std::pair<value, value>>; ///< in wire order; keys may be any type

struct nil_t {
    bool operator==(const nil_t&) const = default;
};

/// A decoded tree. Integers are normalised: non-negative values are uint64, negative ones int64.
struct value {
    std::variant<nil_t, bool, std::uint64_t, std::int64_t, float, double, std::string, bytes, array, map> v;

    value() = default;
    value(nil_t n) : v(n) {}
    value(bool b) : v(b) {}
    value(std::uint64_t u) : v(u) {}
    value(std::int64_t i) {
        if (i >= 0) {
            v = static_cast<std::uint64_t>(i);
        } else {
            v = i;
        }
    }
    value(int i) : value(static_cast<std::int64_t>(i)) {}
    value(float f) : v(f) {}
    value(double d) : v(d) {}
    value(std::string s) : v(std::move(s)) {}
    value(const char* s) : v(std::string(s)) {}
    value(bytes b) : v(std::move(b)) {}
    value(array a) : v(std::move(a)) {}
    value(map m) : v(std::move(m)) {}

    bool operator==(const value& o) const = default;

    [[nodiscard]] bool is_nil() const noexcept { return std::holds_alternative<nil_t>(v); }
    [[nodiscard]] const bool* as_bool() const noexcept { return std::get_if<bool>(&v); }
    [[nodiscard]] const std::string* as_str() const noexcept { return std::get_if<std::string>(&v); }
    [[nodiscard]] const bytes* as_bin() const noexcept { return std::get_if<bytes>(&v); }
    [[nodiscard]] const array* as_array() const noexcept { return std::get_if<array>(&v); }
    [[nodiscard]] const map* as_map() const noexcept { return std::get_if<map>(&v); }
    /// The integer value if it fits; false otherwise (also for non-integers).
    [[nodiscard]] bool get_int(std::int64_t& out) const noexcept;
    /// A float or an integer as a double; false for anything else.
    [[nodiscard]] bool get_number(double& out) const noexcept;
    /// For maps: the value of the first entry whose key is the string k, or nullptr.
    [[nodiscard]] const value* find(std::string_view k) const noexcept;
};

struct decode_result {
    value val;
    error err = error::ok;
    std::size_t offset = 0; ///< where decoding stopped (for errors)
    explicit operator bool() const noexcept { return err == error::ok; }
};

inline constexpr unsigned default_max_depth = 32;

/// Decodes exactly one value that must span the whole buffer.
[[nodiscard]] decode_result decode(byte_view buf, unsigned max_depth = default_max_depth);
/// Decodes one value from the reader's position (trailing bytes allowed).
[[nodiscard]] error decode_one(reader& r, value& out, unsigned max_depth = default_max_depth);

void encode(writer& w, const value& val);
[[nodiscard]] bytes encode(const value& val);

} // namespace rns::msgpack
