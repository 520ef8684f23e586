// The Reticulum packet codec (spec §4) and the transport header rewrites (spec §6.4, §6.8).

#include "router/rns/packet.hpp"

#include "crypto/sha256.hpp"

#include <cstring>

namespace rns {

namespace {

// spec §4.2 offsets
constexpr std::size_t h1_dest = 2;
constexpr std::size_t h2_transport = 2;
constexpr std::size_t h2_dest = 18;
constexpr std::size_t addr_len = 16;
// The part of a HEADER_2 packet that a HEADER_1 packet lacks: the transport id.
constexpr std::size_t h2_extra = header_maxsize - header_minsize;

// flags byte of a HEADER_2 TRANSPORT packet made from any flags byte: the reference keeps only the
// low nibble (destination type, packet type), so the context flag is cleared (spec §6.8).
constexpr std::uint8_t transport_flags(std::uint8_t flags) noexcept {
    return static_cast<std::uint8_t>((1U << 6) | (1U << 4) | (flags & 0x0FU));
}

} // namespace

const char* context_name(std::uint8_t context) noexcept {
    switch (context) {
    case ctx::none: return "NONE";
    case ctx::resource: return "RESOURCE";
    case ctx::resource_adv: return "RESOURCE_ADV";
    case ctx::resource_req: return "RESOURCE_REQ";
    case ctx::resource_hmu: return "RESOURCE_HMU";
    case ctx::resource_prf: return "RESOURCE_PRF";
    case ctx::resource_icl: return "RESOURCE_ICL";
    case ctx::resource_rcl: return "RESOURCE_RCL";
    case ctx::cache_request: return "CACHE_REQUEST";
    case ctx::request: return "REQUEST";
    case ctx::response: return "RESPONSE";
    case ctx::path_response: return "PATH_RESPONSE";
    case ctx::command: return "COMMAND";
    case ctx::command_status: return "COMMAND_STATUS";
    case ctx::channel: return "CHANNEL";
    case ctx::keepalive: return "KEEPALIVE";
    case ctx::link_identify: return "LINKIDENTIFY";
    case ctx::link_close: return "LINKCLOSE";
    case ctx::link_proof: return "LINKPROOF";
    case ctx::lrrtt: return "LRRTT";
    case ctx::lrproof: return "LRPROOF";
    default: return "UNKNOWN";
    }
}

const char* to_string(parse_error e) noexcept {
    switch (e) {
    case parse_error::ok: return "ok";
    case parse_error::too_short: return "too short for its header";
    case parse_error::oversize: return "larger than the size limit";
    case parse_error::ifac_flag_set: return "IFAC flag set";
    case parse_error::hop_limit: return "hop count at or above 128";
    }
    return "unknown";
}

parse_result parse_packet(byte_view raw, std::size_t max_size, ifac_bit ifac) noexcept {
    parse_result r;
    // Two bytes are needed to know the header type and the hop count; the full header length
    // check follows once the header type is known (spec §4.2).
    if (raw.size() < 2) {
        r.error = parse_error::too_short;
        return r;
    }
    if (max_size != 0 && raw.size() > max_size) {
        r.error = parse_error::oversize;
        return r;
    }
    const std::uint8_t flags = raw[0];
    if (ifac == ifac_bit::reject && (flags & 0x80) != 0) {
        r.error = parse_error::ifac_flag_set;
        return r;
    }
    packet_view& p = r.packet;
    p.flags = packet_flags::decode(flags);
    const std::size_t need = p.is_header_2() ? header_maxsize : header_minsize;
    if (raw.size() < need) {
        r.error = parse_error::too_short;
        return r;
    }
    // spec §4.2: the reference's unpack drops a hop byte >= PATHFINDER_M.
    if (raw[1] >= pathfinder_max_hops) {
        r.error = parse_error::hop_limit;
        return r;
    }
    p.raw = raw;
    p.flags_byte = flags;
    p.hops = raw[1];
    if (p.is_header_2()) {
        p.transport_id = raw.subspan(h2_transport, addr_len);
        p.destination_hash = raw.subspan(h2_dest, addr_len);
    } else {
        p.destination_hash = raw.subspan(h1_dest, addr_len);
    }
    p.context = raw[need - 1];
    p.data = raw.subspan(need);
    return r;
}

hash32 packet_hash(const packet_view& p) noexcept {
    // spec §4.5: the low nibble of the flags, then everything after the hops / transport id.
    const std::uint8_t masked = p.flags_byte & 0x0F;
    crypto::sha256_ctx h;
    h.update(byte_view{&masked, 1});
    h.update(p.hashable_tail());
    return h.final();
}

bytes hashable_part(const packet_view& p) {
    bytes out;
    const byte_view tail = p.hashable_tail();
    out.reserve(1 + tail.size());
    out.push_back(static_cast<std::uint8_t>(p.flags_byte & 0x0F));
    out.insert(out.end(), tail.begin(), tail.end());
    return out;
}

std::size_t write_packet(const packet_fields& f, std::span<std::uint8_t> out) noexcept {
    const bool h2 = f.flags.header == header_type::header_2;
    const std::size_t header = h2 ? header_maxsize : header_minsize;
    const std::size_t n = header + f.data.size();
    if (out.size() < n) {
        return 0;
    }
    std::uint8_t* o = out.data();
    o[0] = f.flags.encode();
    o[1] = f.hops;
    std::size_t at = 2;
    if (h2) {
        std::memcpy(o + at, f.transport_id.data(), addr_len);
        at += addr_len;
    }
    std::memcpy(o + at, f.destination_hash.data(), addr_len);
    at += addr_len;
    o[at++] = f.context;
    if (!f.data.empty()) {
        std::memcpy(o + at, f.data.data(), f.data.size());
    }
    return n;
}

bytes build_packet(const packet_fields& f) {
    const bool h2 = f.flags.header == header_type::header_2;
    bytes out((h2 ? header_maxsize : header_minsize) + f.data.size());
    const std::size_t n = write_packet(f, out);
    out.resize(n);
    return out;
}

std::size_t insert_transport(byte_view in, const hash16& next_hop,
                             std::span<std::uint8_t> out) noexcept {
    const auto r = parse_packet(in, 0, ifac_bit::ignore);
    if (!r || r.packet.is_header_2()) {
        return 0;
    }
    const std::size_t n = in.size() + h2_extra;
    if (out.size() < n) {
        return 0;
    }
    // spec §6.8: flags ‖ hop byte ‖ next_hop ‖ raw[2:]
    out[0] = transport_flags(in[0]);
    out[1] = in[1];
    std::memcpy(out.data() + h2_transport, next_hop.data(), addr_len);
    std::memcpy(out.data() + h2_dest, in.data() + h1_dest, in.size() - h1_dest);
    return n;
}

std::size_t replace_transport(byte_view in, std::uint8_t hops, const hash16& next_hop,
                              std::span<std::uint8_t> out) noexcept {
    const auto r = parse_packet(in, 0, ifac_bit::ignore);
    if (!r || !r.packet.is_header_2()) {
        return 0;
    }
    const std::size_t n = in.size();
    if (out.size() < n) {
        return 0;
    }
    // spec §6.4 remaining > 1: flags kept ‖ h ‖ next_hop ‖ raw[18:]
    out[0] = in[0];
    out[1] = hops;
    std::memcpy(out.data() + h2_transport, next_hop.data(), addr_len);
    std::memcpy(out.data() + h2_dest, in.data() + h2_dest, in.size() - h2_dest);
    return n;
}

std::size_t strip_transport(byte_view in, std::uint8_t hops, std::span<std::uint8_t> out) noexcept {
    const auto r = parse_packet(in, 0, ifac_bit::ignore);
    if (!r || !r.packet.is_header_2()) {
        return 0;
    }
    const std::size_t n = in.size() - h2_extra;
    if (out.size() < n) {
        return 0;
    }
    // spec §6.4 remaining == 1: HEADER_1, BROADCAST, context flag cleared: (flags & 0x0F) ‖ h ‖ raw[18:]
    out[0] = static_cast<std::uint8_t>(in[0] & 0x0F);
    out[1] = hops;
    std::memcpy(out.data() + h1_dest, in.data() + h2_dest, in.size() - h2_dest);
    return n;
}

} // namespace rns
