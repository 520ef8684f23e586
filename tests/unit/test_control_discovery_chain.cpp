// Path discovery across two transport nodes (spec §6.9 step 4, §6.6 step 6), A — r1 — r2 — B at
// the control level: r2 knows B, r1 has never heard of it. A's request on r1's gateway interface
// is re-originated toward r2 with r1's transport id and the same tag, r2 answers from its path
// table after the grace time, and r1 hands the PATH_RESPONSE to A at once, learning the path
// itself without rebroadcasting it. The DPDK test dpdk_probe_chain runs the same over real packets.

#include "test_control_support.hpp"

#include "router/rns/announce.hpp"
#include "router/rns/destination.hpp"
#include "router/rns/path_request.hpp"

#include <doctest/doctest.h>

using namespace rns;
using namespace rns::control;
using namespace rns::control::testing;

namespace {

byte_array<64> node_key(std::uint8_t seed) {
    byte_array<64> k{};
    for (std::size_t i = 0; i < k.size(); ++i) {
        k[i] = static_cast<std::uint8_t>(seed * 31 + i * 7);
    }
    return k;
}

/// A's request, non-transport form (spec §6.9): dest ‖ tag.
bytes endpoint_path_request(const hash16& dest, const hash16& tag) {
    const bytes data = concat({byte_view(dest), byte_view(tag)});
    packet_fields f;
    f.flags.type = packet_type::data;
    f.flags.dest_type = destination_type::plain;
    f.destination_hash = transport_destinations::path_request();
    f.data = data;
    return build_packet(f);
}

hash16 tag_of(std::uint8_t b) {
    hash16 h{};
    h.fill(b);
    return h;
}

} // namespace

TEST_CASE("control discovery chain: a path unknown to r1 is found through r2 and answered to A") {
    recording_sink s1;
    recording_sink s2;
    fixed_random rng1{0.0};
    fixed_random rng2{0.0};
    transport r1{node_key(1), s1, rng1};
    transport r2{node_key(2), s2, rng2};
    REQUIRE(r1.transport_id() != r2.transport_id());
    const iface_id r1_gw = r1.add_interface(udp_iface("to A", iface_mode::gateway), 0);
    const iface_id r1_up = r1.add_interface(udp_iface("to r2"), 0);
    const iface_id r2_down = r2.add_interface(udp_iface("to r1"), 0);
    const iface_id r2_b = r2.add_interface(udp_iface("to B"), 0);

    // B announces; r2 rebroadcasts it, but r1 is not attached yet and hears nothing of it.
    const identity b_id = identity::generate();
    const hash10 b_name = name_hash("ctltest", {"chain"});
    const hash16 b_dest = destination_hash(b_name, b_id.hash());
    announce_params ap;
    ap.name_hash = b_name;
    ap.random = make_random_hash(byte_array<16>{}, 1000);
    const bytes b_announce = build_announce(b_id, ap);
    r2.inbound(r2_b, b_announce, 10.0);
    r2.tick(10.1);
    r2.tick(16.0);
    r2.tick(22.0);
    REQUIRE(r2.find_path(b_dest) != nullptr);
    CHECK(r2.announce_table_count() == 0);
    s2.take();
    REQUIRE(r1.find_path(b_dest) == nullptr);

    // A asks r1: unknown, gateway mode → the request goes on toward r2 (and nowhere else).
    const hash16 tag = tag_of(0x71);
    r1.inbound(r1_gw, endpoint_path_request(b_dest, tag), 30.0);
    auto out1 = s1.take();
    REQUIRE(out1.size() == 1);
    CHECK(out1[0].iface == r1_up);
    const auto fwd = parse_packet(out1[0].raw);
    REQUIRE(fwd);
    CHECK(fwd.packet.flags.dest_type == destination_type::plain);
    CHECK(equal(fwd.packet.destination_hash, transport_destinations::path_request()));
    CHECK(to_hex(fwd.packet.data) == to_hex(b_dest) + to_hex(r1.transport_id()) + to_hex(tag));
    CHECK(r1.counters().ifaces[r1_up].path_requests_sent == 1);

    // A asks again (new tag) while the search is waiting: no second request upstream.
    r1.inbound(r1_gw, endpoint_path_request(b_dest, tag_of(0x72)), 30.1);
    CHECK(s1.take().empty());
    CHECK(r1.counters().drop_count(drop_reason::path_request_ignored) == 1);

    // r2 gets r1's request (r1 is not r2's next hop toward B) and answers after the grace time,
    // on the interface it came from only, with its own transport id and hop count 1.
    r2.inbound(r2_down, out1[0].raw, 30.0);
    r2.tick(30.3);
    CHECK(s2.take().empty());
    r2.tick(30.45);
    auto out2 = s2.take();
    REQUIRE(out2.size() == 1);
    CHECK(out2[0].iface == r2_down);
    const auto resp2 = parse_packet(out2[0].raw);
    REQUIRE(resp2);
    CHECK(resp2.packet.flags.type == packet_type::announce);
    CHECK(resp2.packet.is_header_2());
    CHECK(equal(resp2.packet.transport_id, r2.transport_id()));
    CHECK(resp2.packet.context == ctx::path_response);
    CHECK(resp2.packet.hops == 1);
    CHECK(r2.counters().ifaces[r2_down].path_responses_sent == 1);

    // r1 takes the path (2 hops via r2) and passes the response to A at once, as its own.
    r1.inbound(r1_up, out2[0].raw, 30.5);
    auto out3 = s1.take();
    REQUIRE(out3.size() == 1);
    CHECK(out3[0].iface == r1_gw);
    const auto resp1 = parse_packet(out3[0].raw);
    REQUIRE(resp1);
    CHECK(resp1.packet.flags.type == packet_type::announce);
    CHECK(resp1.packet.is_header_2());
    CHECK(equal(resp1.packet.transport_id, r1.transport_id()));
    CHECK(resp1.packet.context == ctx::path_response);
    CHECK(resp1.packet.hops == 2); // A counts 3 on receipt
    CHECK(equal(resp1.packet.destination_hash, b_dest));
    const auto b_orig = parse_packet(b_announce);
    REQUIRE(b_orig);
    CHECK(equal(resp1.packet.data, b_orig.packet.data)); // B's signed announce, untouched
    const path_entry* p = r1.find_path(b_dest);
    REQUIRE(p != nullptr);
    CHECK(p->hops == 2);
    CHECK(p->next_hop == r2.transport_id());
    CHECK(p->iface == r1_up);
    CHECK(r1.counters().ifaces[r1_gw].path_responses_sent == 1);

    // A path response is not rebroadcast: r1 stays silent afterwards.
    r1.tick(31.0);
    r1.tick(37.0);
    r1.tick(44.0);
    CHECK(s1.take().empty());
    CHECK(r1.announce_table_count() == 0);

    // The next request from A is answered from r1's own table after the grace time.
    r1.inbound(r1_gw, endpoint_path_request(b_dest, tag_of(0x73)), 50.0);
    CHECK(s1.take().empty());
    r1.tick(50.45);
    auto out4 = s1.take();
    REQUIRE(out4.size() == 1);
    CHECK(out4[0].iface == r1_gw);
    const auto resp3 = parse_packet(out4[0].raw);
    REQUIRE(resp3);
    CHECK(resp3.packet.context == ctx::path_response);
    CHECK(resp3.packet.hops == 2);
    CHECK(equal(resp3.packet.transport_id, r1.transport_id()));
    CHECK(r1.counters().ifaces[r1_up].path_requests_sent == 1); // nothing more asked upstream
}
