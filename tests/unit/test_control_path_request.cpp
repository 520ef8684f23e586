// Path requests on the transport (spec §6.9): answering from the cache after the grace time on
// the requesting interface only, tag de-duplication, the next-hop rule, recursive discovery.

#include "test_control_support.hpp"

#include "router/rns/announce.hpp"
#include "router/rns/destination.hpp"

#include <doctest/doctest.h>

using namespace rns;
using namespace rns::control;
using namespace rns::control::testing;

namespace {

const byte_array<64> node_key = [] {
    byte_array<64> k{};
    for (std::size_t i = 0; i < k.size(); ++i) {
        k[i] = static_cast<std::uint8_t>(0x11 * (i % 7) + i);
    }
    return k;
}();

bytes path_request(const hash16& dest, std::optional<hash16> requestor, const hash16& tag) {
    bytes data(dest.begin(), dest.end());
    if (requestor) {
        data.insert(data.end(), requestor->begin(), requestor->end());
    }
    data.insert(data.end(), tag.begin(), tag.end());
    packet_fields f;
    f.flags.type = packet_type::data;
    f.flags.dest_type = destination_type::plain;
    f.destination_hash = transport_destinations::path_request();
    f.data = data;
    return build_packet(f);
}

struct endpoint {
    identity id = identity::generate();
    hash10 nh = name_hash("ctltest", {"pr"});
    hash16 dest = destination_hash(nh, id.hash());
    bytes announce(std::uint64_t emitted) const {
        announce_params p;
        p.name_hash = nh;
        p.random = make_random_hash(byte_array<16>{}, emitted);
        return build_announce(id, p);
    }
};

} // namespace

TEST_CASE("control path request: answered with a PATH_RESPONSE on the requesting interface after the grace") {
    recording_sink sink;
    fixed_random rng{0.0};
    transport t{node_key, sink, rng};
    const iface_id a = t.add_interface(udp_iface("a"), 0);
    const iface_id b = t.add_interface(udp_iface("b"), 0);
    endpoint e;
    const bytes ann = e.announce(1000);
    t.inbound(b, ann, 10.0);
    t.tick(10.1);
    t.tick(16.0);
    t.tick(22.0); // rebroadcasts done
    sink.take();

    const hash16 tag = hash_of(0x42);
    t.inbound(a, path_request(e.dest, std::nullopt, tag), 30.0);
    t.tick(30.3);
    CHECK(sink.take().empty()); // PATH_REQUEST_GRACE 0.4 s
    t.tick(30.45);
    auto out = sink.take();
    REQUIRE(out.size() == 1);
    CHECK(out[0].iface == a);
    bytes expect(ann.size() + 16);
    expect.resize(write_announce_rebroadcast(ann, 1, t.transport_id(), ctx::path_response, expect));
    CHECK(out[0].raw == expect);
    t.tick(40.0);
    CHECK(sink.take().empty()); // exactly once
    CHECK(t.counters().ifaces[a].path_responses_sent == 1);

    // The same tag again is a duplicate; a new tag is answered again.
    t.inbound(a, path_request(e.dest, std::nullopt, tag), 41.0);
    CHECK(t.counters().drop_count(drop_reason::path_request_duplicate) == 1);
    t.inbound(a, path_request(e.dest, hash_of(0x99), hash_of(0x43)), 42.0);
    t.tick(42.5);
    CHECK(sink.take().size() == 1);
    // A requester that is our next hop toward the destination is not answered.
    t.inbound(a, path_request(e.dest, e.dest, hash_of(0x44)), 43.0);
    t.tick(43.5);
    CHECK(sink.take().empty());
    CHECK(t.counters().drop_count(drop_reason::path_request_ignored) == 1);
}

TEST_CASE("control path request: malformed and unknown requests on a full interface are ignored") {
    recording_sink sink;
    fixed_random rng{0.0};
    transport t{node_key, sink, rng};
    const iface_id a = t.add_interface(udp_iface("a"), 0);
    t.add_interface(udp_iface("b"), 0);
    packet_fields f;
    f.flags.type = packet_type::data;
    f.flags.dest_type = destination_type::plain;
    f.destination_hash = transport_destinations::path_request();
    const bytes short_data(10, 0x01);
    f.data = short_data;
    t.inbound(a, build_packet(f), 1.0);
    const bytes tagless(16, 0x02);
    f.data = tagless;
    t.inbound(a, build_packet(f), 1.1);
    CHECK(t.counters().drop_count(drop_reason::path_request_malformed) == 2);
    t.inbound(a, path_request(hash_of(5), std::nullopt, hash_of(6)), 2.0);
    t.tick(3.0);
    CHECK(sink.take().empty()); // full mode: no recursive discovery
    CHECK(t.counters().drop_count(drop_reason::path_request_ignored) == 1);
}

TEST_CASE("control path request: a gateway interface searches recursively and answers when the announce comes") {
    recording_sink sink;
    fixed_random rng{0.0};
    transport t{node_key, sink, rng};
    const iface_id gw = t.add_interface(udp_iface("gw", iface_mode::gateway), 0);
    const iface_id up = t.add_interface(udp_iface("up"), 0);
    endpoint e;
    const hash16 tag = hash_of(0x31);
    t.inbound(gw, path_request(e.dest, std::nullopt, tag), 5.0);
    auto out = sink.take();
    REQUIRE(out.size() == 1);
    CHECK(out[0].iface == up);
    auto pr = parse_packet(out[0].raw);
    REQUIRE(pr);
    CHECK(pr.packet.hops == 0);
    CHECK(to_hex(pr.packet.data) == to_hex(e.dest) + to_hex(t.transport_id()) + to_hex(tag)); // same tag
    CHECK(t.counters().ifaces[up].path_requests_sent == 1);

    // The announce arrives upstream: an immediate PATH_RESPONSE on the gateway interface.
    const bytes ann = e.announce(1000);
    t.inbound(up, ann, 5.5);
    out = sink.take();
    REQUIRE(out.size() == 1);
    CHECK(out[0].iface == gw);
    auto resp = parse_packet(out[0].raw);
    REQUIRE(resp);
    CHECK(resp.packet.context == ctx::path_response);
    CHECK(resp.packet.is_header_2());
    CHECK(equal(resp.packet.transport_id, t.transport_id()));
    CHECK(resp.packet.hops == 1);
}

TEST_CASE("control path request: originated requests use the transport form") {
    recording_sink sink;
    seeded_random rng{3};
    transport t{node_key, sink, rng};
    t.add_interface(udp_iface("a"), 0);
    t.add_interface(udp_iface("b"), 0);
    const hash16 d = hash_of(0x5a);
    t.request_path(d, 1.0);
    auto out = sink.take();
    REQUIRE(out.size() == 2);
    CHECK(out[0].raw == out[1].raw); // one tag for all interfaces
    auto p = parse_packet(out[0].raw);
    REQUIRE(p);
    CHECK(p.packet.data.size() == 48);
    CHECK(equal(p.packet.data.first(16), d));
    CHECK(equal(p.packet.data.subspan(16, 16), t.transport_id()));
    CHECK(p.packet.flags.dest_type == destination_type::plain);
}
