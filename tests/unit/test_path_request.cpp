// Path requests (spec §6.9): the two request forms, the receiver's tag rules, and refusal of
// tagless or short requests.

#include "crypto/sha256.hpp"
#include "router/rns/destination.hpp"
#include "router/rns/path_request.hpp"

#include <doctest/doctest.h>

#include <array>

using namespace rns;

namespace {
const auto dest = array_from_hex<16>("be4d449293c7f3c1d62ea8d57e3ba7b6").value();
const auto tag = array_from_hex<16>("06009a896023e0111d437e79a8961ba7").value();
const auto tid = array_from_hex<16>("72d4639498284f5a552367993d1ba2c7").value();
} // namespace

TEST_CASE("endpoint form: capture packet #8 byte for byte") {
    const bytes raw = build_path_request(dest, tag);
    CHECK(to_hex(raw) == "08006b9f66014d9853faab220fba47d0276100be4d449293c7f3c1d62ea8d57e3ba7b6"
                         "06009a896023e0111d437e79a8961ba7");
    auto p = parse_packet(raw);
    REQUIRE(p);
    CHECK(is_path_request(p.packet));
    const auto r = parse_path_request(p.packet.data);
    REQUIRE(r);
    CHECK(equal(r.request.destination_hash, dest));
    CHECK(r.request.requesting_transport.empty());
    CHECK(equal(r.request.tag, tag));
}

TEST_CASE("transport form carries the requesting transport id") {
    const bytes raw = build_path_request(dest, tag, tid);
    REQUIRE(raw.size() == path_request_max_packet);
    auto p = parse_packet(raw);
    REQUIRE(p);
    const auto r = parse_path_request(p.packet.data);
    REQUIRE(r);
    CHECK(equal(r.request.requesting_transport, tid));
    CHECK(equal(r.request.tag, tag));
    std::array<std::uint8_t, 66> small{};
    CHECK(write_path_request(dest, tag, &tid, small) == 0);
}

TEST_CASE("receiver tag rules") {
    bytes data(dest.begin(), dest.end());
    CHECK(parse_path_request(byte_view(data).first(15)).error == path_request_error::too_short);
    CHECK(parse_path_request(data).error == path_request_error::no_tag);
    data.push_back(0x01); // 1-byte tag
    auto r = parse_path_request(data);
    REQUIRE(r);
    CHECK(r.request.tag.size() == 1);
    // 20 bytes after the destination: [16:32] is read as a transport id, the tag is the rest.
    bytes twenty(dest.begin(), dest.end());
    for (int i = 0; i < 20; ++i) {
        twenty.push_back(static_cast<std::uint8_t>(i));
    }
    r = parse_path_request(twenty);
    REQUIRE(r);
    CHECK(r.request.requesting_transport.size() == 16);
    CHECK(to_hex(r.request.tag) == "10111213");
    // Longer tags are cut to 16 bytes.
    bytes longer = build_path_request(dest, tag, tid);
    longer.insert(longer.end(), 8, 0xee);
    auto p = parse_packet(longer);
    REQUIRE(p);
    r = parse_path_request(p.packet.data);
    REQUIRE(r);
    CHECK(equal(r.request.tag, tag));
}

TEST_CASE("drawn tags are T(entropy); not every PLAIN packet is a path request") {
    const auto e = array_from_hex<16>("deae1676a5818e6a4717864c8fe832d4").value();
    CHECK(to_hex(make_path_request_tag(e)) == "e4d9ec47249400c0bd46013675259a39"); // path_request.json
    CHECK(make_path_request_tag() != make_path_request_tag());
    packet_fields f;
    f.flags.dest_type = destination_type::plain;
    f.destination_hash = transport_destinations::tunnel_synthesize();
    const bytes other = build_packet(f);
    auto p = parse_packet(other);
    REQUIRE(p);
    CHECK(!is_path_request(p.packet));
}
