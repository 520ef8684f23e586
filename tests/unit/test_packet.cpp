// Packet codec (spec §4) and transport rewrites (spec §6.4, §6.8): strict parsing, round trips
// for every flag byte, hashing, and the rewrites' byte layout.

#include "crypto/sha256.hpp"
#include "router/rns/packet.hpp"

#include <doctest/doctest.h>

#include <array>
#include <string>

using namespace rns;

namespace {

bytes h(std::string_view s) { return *from_hex(s); }

bytes header_1(std::uint8_t flags, std::uint8_t hops, std::size_t data_len) {
    bytes b(19 + data_len);
    b[0] = flags;
    b[1] = hops;
    for (std::size_t i = 2; i < b.size(); ++i) {
        b[i] = static_cast<std::uint8_t>(i * 7);
    }
    return b;
}

} // namespace

TEST_CASE("parse: every prefix shorter than the header is refused without reading past it") {
    const bytes h1 = header_1(0x00, 0, 0);
    for (std::size_t n = 0; n < 19; ++n) {
        auto r = parse_packet(byte_view(h1).first(n));
        CHECK(r.error == parse_error::too_short);
    }
    CHECK(parse_packet(h1));
    bytes h2(35, 0);
    h2[0] = 0x50;
    for (std::size_t n = 0; n < 35; ++n) {
        // A prefix of 19..34 bytes is long enough for HEADER_1 but not for the HEADER_2 it claims.
        CHECK(parse_packet(byte_view(h2).first(n)).error == parse_error::too_short);
    }
    CHECK(parse_packet(h2));
}

TEST_CASE("parse: hop byte limit, IFAC bit and size limit") {
    CHECK(parse_packet(header_1(0x00, 127, 3)));
    CHECK(parse_packet(header_1(0x00, 128, 3)).error == parse_error::hop_limit);
    CHECK(parse_packet(header_1(0x00, 255, 3)).error == parse_error::hop_limit);
    const bytes ifac = header_1(0x81, 0, 3);
    CHECK(parse_packet(ifac).error == parse_error::ifac_flag_set);
    auto r = parse_packet(ifac, 0, ifac_bit::ignore);
    REQUIRE(r);
    CHECK(r.packet.flags.ifac);
    CHECK(r.packet.flags.type == packet_type::announce);
    const bytes big = header_1(0x00, 0, 500 - 19 + 1);
    CHECK(parse_packet(big, mtu).error == parse_error::oversize);
    CHECK(parse_packet(big));
    CHECK(parse_packet(header_1(0x00, 0, 500 - 19), mtu));
    for (auto e : {parse_error::ok, parse_error::too_short, parse_error::oversize, parse_error::ifac_flag_set,
                   parse_error::hop_limit}) {
        CHECK(std::string(to_string(e)) != "unknown");
    }
}

TEST_CASE("build and parse agree for every flag byte without the IFAC bit") {
    const bytes payload = h("00112233445566778899");
    for (unsigned fb = 0; fb < 0x80; ++fb) {
        packet_fields f;
        f.flags = packet_flags::decode(static_cast<std::uint8_t>(fb));
        CHECK(f.flags.encode() == fb);
        f.hops = static_cast<std::uint8_t>(fb % 128);
        f.transport_id = array_from_hex<16>("000102030405060708090a0b0c0d0e0f").value();
        f.destination_hash = array_from_hex<16>("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff").value();
        f.context = static_cast<std::uint8_t>(fb * 3);
        f.data = payload;
        const bytes raw = build_packet(f);
        const bool h2 = (fb & 0x40) != 0;
        REQUIRE(raw.size() == (h2 ? 35u : 19u) + payload.size());
        auto r = parse_packet(raw);
        REQUIRE(r);
        const packet_view& p = r.packet;
        CHECK(p.flags_byte == fb);
        CHECK(p.hops == f.hops);
        CHECK(p.context == f.context);
        CHECK(equal(p.destination_hash, f.destination_hash));
        CHECK(equal(p.data, payload));
        CHECK(p.transport_id.size() == (h2 ? 16u : 0u));
        if (h2) {
            CHECK(equal(p.transport_id, f.transport_id));
        }
        // spec §4.5, second code path: SHA-256 over the masked nibble and the tail, by hand.
        bytes hashable{static_cast<std::uint8_t>(fb & 0x0f)};
        hashable.insert(hashable.end(), raw.begin() + (h2 ? 18 : 2), raw.end());
        CHECK(hashable_part(p) == hashable);
        CHECK(packet_hash(p) == crypto::sha256(hashable));
    }
}

TEST_CASE("write_packet refuses a buffer that is too small") {
    packet_fields f;
    const bytes payload(10, 0xaa);
    f.data = payload;
    std::array<std::uint8_t, 64> out{};
    CHECK(write_packet(f, std::span(out).first(28)) == 0);
    CHECK(write_packet(f, std::span(out).first(29)) == 29);
}

TEST_CASE("packet hash of a reference packet (packets.json flags_matrix[0])") {
    const bytes raw = h("0000701be3e977cd2f730f6693603d2a372100");
    auto r = parse_packet(raw);
    REQUIRE(r);
    CHECK(to_hex(packet_hash(r.packet)) == "9cb6a8a4158eaa087e2e44466d053de68f965678e9539c62d24bb520e81181e4");
}

TEST_CASE("transport rewrites: layout, hash kept, wrong header refused") {
    const auto next = array_from_hex<16>("a63caebf51859a672bde642d01263738").value();
    // A HEADER_1 DATA packet with the context flag set: insertion keeps only the low nibble.
    const bytes h1 = header_1(0x20, 3, 40);
    std::array<std::uint8_t, 600> a{};
    const std::size_t n = insert_transport(h1, next, a);
    REQUIRE(n == h1.size() + 16);
    CHECK(a[0] == 0x50);
    CHECK(a[1] == 3);
    CHECK(equal(byte_view(a).subspan(2, 16), next));
    CHECK(equal(byte_view(a).subspan(18, n - 18), byte_view(h1).subspan(2)));
    auto p1 = parse_packet(h1);
    auto p2 = parse_packet(byte_view(a).first(n));
    REQUIRE(p1);
    REQUIRE(p2);
    CHECK(packet_hash(p1.packet) == packet_hash(p2.packet));
    std::array<std::uint8_t, 600> scratch{};
    CHECK(insert_transport(byte_view(a).first(n), next, scratch) == 0);
    std::array<std::uint8_t, 600> too_small{};
    CHECK(insert_transport(h1, next, std::span(too_small).first(h1.size() + 15)) == 0);

    // remaining > 1: new transport id and hop byte, flags kept.
    const auto other = array_from_hex<16>("67d5722664bf45221ecda923f5a5a60f").value();
    std::array<std::uint8_t, 600> b{};
    const std::size_t m = replace_transport(byte_view(a).first(n), 4, other, b);
    REQUIRE(m == n);
    CHECK(b[0] == a[0]);
    CHECK(b[1] == 4);
    CHECK(equal(byte_view(b).subspan(2, 16), other));
    CHECK(equal(byte_view(b).subspan(18, m - 18), byte_view(a).subspan(18, n - 18)));
    CHECK(replace_transport(h1, 4, other, b) == 0);

    // remaining == 1: back to HEADER_1 BROADCAST, the context flag cleared (spec §6.4).
    bytes h2_ctx(byte_view(a).begin(), byte_view(a).begin() + static_cast<std::ptrdiff_t>(n));
    h2_ctx[0] |= 0x20;
    std::array<std::uint8_t, 600> c{};
    const std::size_t k = strip_transport(h2_ctx, 5, c);
    REQUIRE(k == h1.size());
    CHECK(c[0] == 0x00);
    CHECK(c[1] == 5);
    CHECK(equal(byte_view(c).subspan(2, k - 2), byte_view(h1).subspan(2)));
    CHECK(strip_transport(h1, 5, c) == 0);
    // Unparseable input is refused by all three.
    const bytes junk = h("5000");
    CHECK(insert_transport(junk, next, c) == 0);
    CHECK(replace_transport(junk, 1, next, c) == 0);
    CHECK(strip_transport(junk, 1, c) == 0);
}

TEST_CASE("the context byte is hashed, the header type and hops are not") {
    const bytes a = header_1(0x00, 0, 8);
    bytes b = header_1(0x00, 0, 8);
    b.at(18) ^= 1; // context
    const bytes c = header_1(0x00, 9, 8); // hops
    auto pa = parse_packet(a);
    auto pb = parse_packet(b);
    auto pc = parse_packet(c);
    REQUIRE((pa && pb && pc));
    CHECK(packet_hash(pa.packet) != packet_hash(pb.packet));
    CHECK(packet_hash(pa.packet) == packet_hash(pc.packet));
}

TEST_CASE("context names follow the reference's spelling") {
    CHECK(std::string(context_name(ctx::none)) == "NONE");
    CHECK(std::string(context_name(ctx::path_response)) == "PATH_RESPONSE");
    CHECK(std::string(context_name(ctx::link_identify)) == "LINKIDENTIFY");
    CHECK(std::string(context_name(ctx::lrproof)) == "LRPROOF");
    CHECK(std::string(context_name(0x42)) == "UNKNOWN");
}
