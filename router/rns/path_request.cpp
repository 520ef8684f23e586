// Path requests (spec §6.9).

#include "router/rns/path_request.hpp"

#include "crypto/random.hpp"
#include "crypto/sha256.hpp"
#include "router/rns/destination.hpp"

#include <algorithm>
#include <cstring>

namespace rns {

namespace {
constexpr std::size_t hash_len = 16;
}

const char* to_string(path_request_error e) noexcept {
    switch (e) {
    case path_request_error::ok: return "ok";
    case path_request_error::too_short: return "no destination hash";
    case path_request_error::no_tag: return "tagless path request";
    }
    return "unknown";
}

path_request_result parse_path_request(byte_view data) noexcept {
    path_request_result r;
    if (data.size() < hash_len) {
        r.error = path_request_error::too_short;
        return r;
    }
    r.request.destination_hash = data.first(hash_len);
    byte_view tag;
    if (data.size() > 2 * hash_len) {
        r.request.requesting_transport = data.subspan(hash_len, hash_len);
        tag = data.subspan(2 * hash_len);
    } else {
        tag = data.subspan(hash_len);
    }
    if (tag.empty()) {
        r.error = path_request_error::no_tag;
        return r;
    }
    r.request.tag = tag.first(std::min(tag.size(), path_request_tag_size));
    return r;
}

bool is_path_request(const packet_view& p) noexcept {
    return p.flags.type == packet_type::data && p.flags.dest_type == destination_type::plain &&
           equal(p.destination_hash, transport_destinations::path_request());
}

byte_array<16> make_path_request_tag(const byte_array<16>& entropy) noexcept {
    return crypto::truncated_hash(entropy);
}

byte_array<16> make_path_request_tag() noexcept {
    return make_path_request_tag(crypto::random_array<16>());
}

std::size_t write_path_request(const hash16& destination, const byte_array<16>& tag,
                               const hash16* transport_id, std::span<std::uint8_t> out) noexcept {
    std::array<std::uint8_t, 3 * hash_len> data{};
    std::size_t n = 0;
    std::memcpy(data.data(), destination.data(), hash_len);
    n += hash_len;
    if (transport_id != nullptr) {
        std::memcpy(data.data() + n, transport_id->data(), hash_len);
        n += hash_len;
    }
    std::memcpy(data.data() + n, tag.data(), hash_len);
    n += hash_len;

    packet_fields f;
    f.flags.type = packet_type::data;
    f.flags.dest_type = destination_type::plain;
    f.destination_hash = transport_destinations::path_request();
    f.data = byte_view(data).first(n);
    return write_packet(f, out);
}

bytes build_path_request(const hash16& destination, const byte_array<16>& tag,
                         const std::optional<hash16>& transport_id) {
    bytes out(path_request_max_packet);
    const std::size_t n =
        write_path_request(destination, tag, transport_id ? &*transport_id : nullptr, out);
    out.resize(n);
    return out;
}

} // namespace rns
