#include "persist/ratchet_log.hpp"

#include "persist/crc32c.hpp"

#include <bit>
#include <cstring>

namespace persist {

namespace {

constexpr char magic[16] = {'R', 'N', 'S', 'R', 'O', 'U', 'T', 'E', 'R', '-', 'R', 'A', 'T', '-', '1', '\n'};

void put_u32(std::uint8_t* p, std::uint32_t v) noexcept {
    for (int i = 0; i < 4; ++i) {
        p[i] = static_cast<std::uint8_t>(v >> (8 * i));
    }
}
std::uint32_t get_u32(const std::uint8_t* p) noexcept {
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i) {
        v = (v << 8) | p[i];
    }
    return v;
}
void put_f64(std::uint8_t* p, double d) noexcept {
    auto v = std::bit_cast<std::uint64_t>(d);
    for (int i = 0; i < 8; ++i) {
        p[i] = static_cast<std::uint8_t>(v >> (8 * i));
    }
}
double get_f64(const std::uint8_t* p) noexcept {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) {
        v = (v << 8) | p[i];
    }
    return std::bit_cast<double>(v);
}

} // namespace

void encode_segment_header(std::uint8_t* out) noexcept {
    std::memset(out, 0, segment_header_size);
    std::memcpy(out, magic, sizeof magic);
    put_u32(out + 16, 1); // format version
    put_u32(out + 60, crc32c({out, 60}));
}

// Record layout: [0] type, [1..3] zero, [4..19] destination, [20..51] ratchet,
// [52..59] received (IEEE-754 little endian), [60..63] CRC32C of bytes 0..59.
void encode_segment_record(record_type type, const ratchet_record& r, std::uint8_t* out) noexcept {
    std::memset(out, 0, segment_record_size);
    out[0] = static_cast<std::uint8_t>(type);
    std::memcpy(out + 4, r.destination.data(), 16);
    if (type == record_type::ratchet) {
        std::memcpy(out + 20, r.ratchet.data(), 32);
        put_f64(out + 52, r.received);
    }
    put_u32(out + 60, crc32c({out, 60}));
}

segment_scan scan_segment(rns::byte_view file, ratchet_map& map, double now, double expiry) noexcept {
    segment_scan s;
    if (file.size() < segment_header_size || std::memcmp(file.data(), magic, sizeof magic) != 0 ||
        get_u32(file.data() + 60) != crc32c(file.first(60)) || get_u32(file.data() + 16) != 1) {
        s.torn_tail_bytes = file.size();
        return s;
    }
    s.header_ok = true;
    s.valid_end = segment_header_size;
    std::size_t bad_since_valid = 0;
    for (std::size_t off = segment_header_size; off + segment_record_size <= file.size();
         off += segment_record_size) {
        const std::uint8_t* p = file.data() + off;
        bool ok = get_u32(p + 60) == crc32c({p, 60}) &&
                  (p[0] == static_cast<std::uint8_t>(record_type::ratchet) ||
                   p[0] == static_cast<std::uint8_t>(record_type::forget));
        if (!ok) {
            ++bad_since_valid;
            continue;
        }
        // A bad record with a good one after it cannot be a torn append: it is corruption.
        s.corrupt_records += bad_since_valid;
        bad_since_valid = 0;
        ++s.records;
        s.valid_end = off + segment_record_size;
        ratchet_record r;
        std::memcpy(r.destination.data(), p + 4, 16);
        if (p[0] == static_cast<std::uint8_t>(record_type::forget)) {
            map.erase(r.destination);
            continue;
        }
        std::memcpy(r.ratchet.data(), p + 20, 32);
        r.received = get_f64(p + 52);
        map[r.destination] = r;
    }
    s.torn_tail_bytes = file.size() - s.valid_end;
    for (auto it = map.begin(); it != map.end();) {
        if (it->second.received + expiry < now) {
            it = map.erase(it);
            ++s.expired;
        } else {
            ++it;
        }
    }
    return s;
}

} // namespace persist
