// Field-by-field comparison of a parsed packet with the reference's record (spec §4).

#include "tests/conformance/packet_json.hpp"

#include "crypto/sha256.hpp"

namespace rns::conformance {
namespace {

const char* header_type_name(header_type h) {
    return h == header_type::header_1 ? "HEADER_1" : "HEADER_2";
}
const char* transport_type_name(transport_type t) {
    return t == transport_type::broadcast ? "BROADCAST" : "TRANSPORT";
}
const char* destination_type_name(destination_type d) {
    switch (d) {
    case destination_type::single: return "SINGLE";
    case destination_type::group: return "GROUP";
    case destination_type::plain: return "PLAIN";
    case destination_type::link: return "LINK";
    }
    return "?";
}
const char* packet_type_name(packet_type t) {
    switch (t) {
    case packet_type::data: return "DATA";
    case packet_type::announce: return "ANNOUNCE";
    case packet_type::link_request: return "LINKREQUEST";
    case packet_type::proof: return "PROOF";
    }
    return "?";
}

} // namespace

std::optional<packet_view> parse_or_fail(context& ctx, byte_view raw, const std::string& label) {
    auto r = parse_packet(raw, 0, ifac_bit::ignore);
    if (!ctx.check(static_cast<bool>(r), label + ": does not parse (" + to_string(r.error) + ")")) {
        return std::nullopt;
    }
    return r.packet;
}

std::optional<bytes> check_packet_json(context& ctx, const json& packet, const std::string& label) {
    const bytes raw = hex(ctx, packet.at("raw"));
    const json& want = packet.at("parsed");
    const auto r = parse_packet(raw, 0, ifac_bit::ignore);
    if (!want.at("unpack_ok").get<bool>()) {
        ctx.check(!r, label + ": the reference rejects this packet, we accepted it");
        return std::nullopt;
    }
    if (!ctx.check(static_cast<bool>(r), label + ": does not parse (" + to_string(r.error) + ")")) {
        return std::nullopt;
    }
    const int before = ctx.failures;
    const packet_view& p = r.packet;
    auto eq = [&](bool ok, const char* field) { ctx.check(ok, label + ": " + field + " differs"); };
    eq(p.flags_byte == want.at("flags").get<int>(), "flags");
    eq(p.hops == want.at("hops").get<int>(), "hops");
    eq(static_cast<int>(p.flags.header) == want.at("header_type").get<int>(), "header_type");
    eq(header_type_name(p.flags.header) == want.at("header_type_name").get<std::string>(),
       "header_type_name");
    eq(static_cast<int>(p.flags.context_flag) == want.at("context_flag").get<int>(), "context_flag");
    eq(static_cast<int>(p.flags.transport) == want.at("transport_type").get<int>(), "transport_type");
    eq(transport_type_name(p.flags.transport) == want.at("transport_type_name").get<std::string>(),
       "transport_type_name");
    eq(static_cast<int>(p.flags.dest_type) == want.at("destination_type").get<int>(),
       "destination_type");
    eq(destination_type_name(p.flags.dest_type) ==
           want.at("destination_type_name").get<std::string>(),
       "destination_type_name");
    eq(static_cast<int>(p.flags.type) == want.at("packet_type").get<int>(), "packet_type");
    eq(packet_type_name(p.flags.type) == want.at("packet_type_name").get<std::string>(),
       "packet_type_name");
    if (want.at("transport_id").is_null()) {
        eq(p.transport_id.empty(), "transport_id (should be absent)");
    } else {
        eq(equal(p.transport_id, hex(ctx, want.at("transport_id"))), "transport_id");
    }
    eq(equal(p.destination_hash, hex(ctx, want.at("destination_hash"))), "destination_hash");
    eq(p.context == want.at("context").get<int>(), "context");
    eq(context_name(p.context) == want.at("context_name").get<std::string>(), "context_name");
    eq(equal(p.data, hex(ctx, want.at("data"))), "data");
    eq(equal(hashable_part(p), hex(ctx, want.at("hashable_part"))), "hashable_part");
    const hash32 h = packet_hash(p);
    eq(equal(h, hex(ctx, want.at("packet_hash"))), "packet_hash");
    // Second code path for the hash: SHA-256 of the recorded hashable part.
    eq(equal(crypto::sha256(hex(ctx, want.at("hashable_part"))), h), "packet_hash vs hashable_part");
    eq(equal(byte_view(h).first(16), hex(ctx, want.at("truncated_hash"))), "truncated_hash");

    // Build direction: the recorded fields give back the recorded bytes.
    packet_fields f;
    f.flags = packet_flags::decode(static_cast<std::uint8_t>(want.at("flags").get<int>()));
    f.hops = static_cast<std::uint8_t>(want.at("hops").get<int>());
    if (!want.at("transport_id").is_null()) {
        f.transport_id = take<16>(hex(ctx, want.at("transport_id")));
    }
    f.destination_hash = take<16>(hex(ctx, want.at("destination_hash")));
    f.context = static_cast<std::uint8_t>(want.at("context").get<int>());
    const bytes data = hex(ctx, want.at("data"));
    f.data = data;
    eq(equal(build_packet(f), raw), "rebuilt packet");
    if (ctx.failures != before) {
        return std::nullopt;
    }
    return raw;
}

} // namespace rns::conformance
