// Transport tables (spec §6.1-§6.5, §6.11, §6.12): dedup generations, HEADER_2 rewrites by
// remaining hops, reverse-table proofs, link requests with MTU clamping, culling and expiry,
// (the transport identity file: test_identity.cpp).

#include "test_control_support.hpp"

#include "crypto/sha256.hpp"
#include "router/rns/announce.hpp"
#include "router/rns/destination.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace rns;
using namespace rns::control;
using namespace rns::control::testing;

namespace {

const byte_array<64> node_key = [] {
    byte_array<64> k{};
    for (std::size_t i = 0; i < k.size(); ++i) {
        k[i] = static_cast<std::uint8_t>(0xc0 ^ i);
    }
    return k;
}();

struct endpoint {
    identity id = identity::generate();
    hash10 nh = name_hash("ctltest", {"tables"});
    hash16 dest = destination_hash(nh, id.hash());
    bytes announce(std::uint64_t emitted) const {
        announce_params p;
        p.name_hash = nh;
        p.random = make_random_hash(byte_array<16>{}, emitted);
        return build_announce(id, p);
    }
};

bytes via(const bytes& ann, const hash16& x, std::uint8_t hops) {
    bytes out(ann.size() + 16);
    out.resize(write_announce_rebroadcast(ann, hops, x, ctx::none, out));
    return out;
}

/// HEADER_2 packet to dest through transport node `to`, with the given type and data.
bytes h2(const hash16& to, const hash16& dest, packet_type type, byte_view data, std::uint8_t hops = 0) {
    packet_fields f;
    f.flags.header = header_type::header_2;
    f.flags.transport = transport_type::transport;
    f.flags.type = type;
    f.hops = hops;
    f.transport_id = to;
    f.destination_hash = dest;
    f.data = data;
    return build_packet(f);
}

struct node {
    recording_sink sink;
    fixed_random rng{0.0};
    transport t;
    iface_id a;
    iface_id b;
    explicit node(iface_config ca = udp_iface("a"), iface_config cb = udp_iface("b"))
        : t(node_key, sink, rng), a(t.add_interface(ca, 0)), b(t.add_interface(cb, 0)) {}
};

} // namespace

TEST_CASE("control tables: dedup keeps two generations") {
    dedup_filter f(2);
    hash32 h1{};
    h1[0] = 1;
    hash32 h2_{};
    h2_[0] = 2;
    hash32 h3{};
    h3[0] = 3;
    f.add(h1);
    f.add(h2_);
    CHECK_FALSE(f.maybe_rotate()); // 2 is not over the limit
    f.add(h3);
    CHECK(f.maybe_rotate());
    CHECK(f.contains(h1)); // previous generation still consulted
    f.add(h2_);
    f.add(h1);
    hash32 h4{};
    h4[0] = 4;
    f.add(h4);
    CHECK(f.maybe_rotate());
    CHECK_FALSE(f.contains(h3)); // two rotations later it is forgotten
    CHECK(f.contains(h4));
}

TEST_CASE("control tables: HEADER_2 forwarding by remaining hops, duplicates dropped") {
    node n;
    endpoint far;
    endpoint near;
    const hash16 x = hash_of(0x33);
    n.t.inbound(n.b, via(far.announce(1000), x, 2), 1.0); // 3 hops via x
    n.t.inbound(n.b, near.announce(1000), 1.0);           // 1 hop, direct
    n.sink.take();
    const bytes payload(40, 0xab);

    const bytes to_far = h2(n.t.transport_id(), far.dest, packet_type::data, payload);
    n.t.inbound(n.a, to_far, 2.0);
    auto out = n.sink.take();
    REQUIRE(out.size() == 1);
    CHECK(out[0].iface == n.b);
    CHECK(out[0].raw == h2(x, far.dest, packet_type::data, payload, 1)); // id replaced, hops+1
    // The reverse entry was created in the packet-hash table.
    auto parsed = parse_packet(to_far);
    const hash16 key = take<16>(packet_hash(parsed.packet));
    REQUIRE(n.t.find_reverse(key).has_value());
    CHECK(n.t.find_reverse(key)->received_on == n.a);
    CHECK(n.t.find_reverse(key)->outbound == n.b);

    const bytes to_near = h2(n.t.transport_id(), near.dest, packet_type::data, payload);
    n.t.inbound(n.a, to_near, 2.1);
    out = n.sink.take();
    REQUIRE(out.size() == 1);
    auto stripped = parse_packet(out[0].raw);
    REQUIRE(stripped);
    CHECK_FALSE(stripped.packet.is_header_2());
    CHECK(stripped.packet.hops == 1);
    CHECK(stripped.packet.flags.transport == transport_type::broadcast);

    n.t.inbound(n.a, to_near, 2.2); // the same packet again
    CHECK(n.sink.take().empty());
    CHECK(n.t.counters().drop_count(drop_reason::duplicate) == 1);

    // Unknown destination and over-limit hops are dropped under their own reasons.
    n.t.inbound(n.a, h2(n.t.transport_id(), hash_of(0x01), packet_type::data, payload), 2.3);
    CHECK(n.t.counters().drop_count(drop_reason::no_path) == 1);
    n.t.inbound(n.a, h2(n.t.transport_id(), near.dest, packet_type::data, payload, 128), 2.4);
    CHECK(n.t.counters().drop_count(drop_reason::hop_limit) == 1);
    const bytes junk = {0x00, 0x01, 0x02, 0x03};
    n.t.inbound(n.a, junk, 2.5);
    CHECK(n.t.counters().drop_count(drop_reason::malformed) == 1);
    CHECK(n.t.counters().ifaces[n.a].drops[static_cast<std::size_t>(drop_reason::malformed)] == 1);
}

TEST_CASE("control tables: a proof follows the reverse table only from the outbound interface") {
    node n;
    endpoint near;
    n.t.inbound(n.b, near.announce(1000), 1.0);
    const bytes payload(40, 0x5c);
    const bytes data = h2(n.t.transport_id(), near.dest, packet_type::data, payload);
    n.t.inbound(n.a, data, 2.0);
    n.sink.take();
    const hash16 key = take<16>(packet_hash(parse_packet(data).packet));
    packet_fields pf;
    pf.flags.type = packet_type::proof;
    pf.destination_hash = key;
    const bytes sig(64, 0x11);
    pf.data = sig;
    const bytes proof = build_packet(pf);

    SUBCASE("from the outbound interface: sent back with hops+1, entry consumed") {
        n.t.inbound(n.b, proof, 2.5);
        auto out = n.sink.take();
        REQUIRE(out.size() == 1);
        CHECK(out[0].iface == n.a);
        CHECK(out[0].raw[1] == 1);
        CHECK_FALSE(n.t.find_reverse(key).has_value());
        CHECK(n.t.reverse_count() == 0);
    }
    SUBCASE("from another interface: dropped, entry consumed") {
        n.t.inbound(n.a, proof, 2.5);
        CHECK(n.sink.take().empty());
        CHECK(n.t.counters().drop_count(drop_reason::proof_wrong_interface) == 1);
        CHECK_FALSE(n.t.find_reverse(key).has_value());
    }
    SUBCASE("reverse entries expire after 480 s") {
        n.t.tick(3.0);
        n.t.tick(400.0);
        CHECK(n.t.find_reverse(key).has_value());
        n.t.tick(490.0);
        CHECK_FALSE(n.t.find_reverse(key).has_value());
        CHECK(n.t.reverse_count() == 0);
    }
}

TEST_CASE("control tables: link requests, MTU signalling and the link table") {
    iface_config fast_in = udp_iface("in");
    iface_config fast_out = udp_iface("out");
    fast_in.autoconfigure_mtu = true;
    fast_in.hw_mtu = 8192;
    fast_out.autoconfigure_mtu = true;
    fast_out.hw_mtu = 4096;
    endpoint e;
    bytes lr_data(64, 0x21);
    // signalling for MTU 16384, mode AES256_CBC (spec §7.1)
    lr_data.push_back(0x20);
    lr_data.push_back(0x40);
    lr_data.push_back(0x00);

    SUBCASE("clamped to the smaller HW_MTU of the two interfaces") {
        node n(fast_in, fast_out);
        n.t.inbound(n.b, e.announce(1000), 1.0);
        n.t.inbound(n.a, h2(n.t.transport_id(), e.dest, packet_type::link_request, lr_data), 2.0);
        auto out = n.sink.take();
        REQUIRE(out.size() == 1);
        auto p = parse_packet(out[0].raw);
        REQUIRE(p);
        REQUIRE(p.packet.data.size() == 67);
        CHECK(to_hex(p.packet.data.subspan(64)) == "201000"); // 4096
        REQUIRE(n.t.link_count() == 1);
        const link_entry& le = *n.t.find_link(n.sink.links.begin()->first);
        CHECK(le.remaining_hops == 1);
        CHECK(le.taken_hops == 1);
        CHECK_FALSE(le.validated);
        CHECK(le.proof_timeout == doctest::Approx(2.0 + 6.0 + 4000.0 / 10'000'000.0));
        // Unvalidated entries go at their proof timeout.
        n.t.tick(2.5);
        n.t.tick(9.0);
        CHECK(n.t.link_count() == 0);
        CHECK(n.sink.links.empty());
    }
    SUBCASE("removed when the next hop does not take part in MTU discovery; link id unchanged") {
        node n(fast_in, udp_iface("out"));
        n.t.inbound(n.b, e.announce(1000), 1.0);
        const bytes lr = h2(n.t.transport_id(), e.dest, packet_type::link_request, lr_data);
        n.t.inbound(n.a, lr, 2.0);
        auto out = n.sink.take();
        REQUIRE(out.size() == 1);
        auto p = parse_packet(out[0].raw);
        REQUIRE(p);
        CHECK(p.packet.data.size() == 64);
        // link id = T(hashable part without the signalling bytes) of either form.
        const bytes hp = hashable_part(p.packet);
        CHECK(n.sink.links.contains(crypto::truncated_hash(hp)));
    }
    SUBCASE("dropped when clamping is needed and the receiving interface has no HW_MTU") {
        iface_config no_mtu = udp_iface("in");
        no_mtu.hw_mtu = 0;
        node n(no_mtu, fast_out);
        n.t.inbound(n.b, e.announce(1000), 1.0);
        n.t.inbound(n.a, h2(n.t.transport_id(), e.dest, packet_type::link_request, lr_data), 2.0);
        CHECK(n.sink.take().empty());
        CHECK(n.t.counters().drop_count(drop_reason::lr_mtu_unclampable) == 1);
        CHECK(n.t.link_count() == 0);
    }
}

TEST_CASE("control tables: paths expire by the mode of their interface, refreshed by use") {
    node n(udp_iface("ap", iface_mode::access_point), udp_iface("b"));
    endpoint via_ap;
    endpoint via_full;
    n.t.inbound(n.a, via_ap.announce(1000), 1.0);
    n.t.inbound(n.b, via_full.announce(1000), 1.0);
    REQUIRE(n.t.path_count() == 2);
    CHECK(n.t.find_path(via_ap.dest)->expires == doctest::Approx(1.0 + 86400.0));
    n.t.tick(2.0);
    n.t.tick(86400.0 + 10.0);
    CHECK(n.t.find_path(via_ap.dest) == nullptr);
    CHECK(n.t.find_path(via_full.dest) != nullptr);
    CHECK_FALSE(n.sink.paths.contains(via_ap.dest));
    // Removing an interface removes what goes through it.
    n.t.remove_interface(n.b, 86400.0 + 20.0);
    CHECK(n.t.path_count() == 0);
    CHECK(n.sink.paths.empty());
}

TEST_CASE("control tables: an unanswered link request to a 1-hop destination triggers rediscovery") {
    node n;
    endpoint e;
    const double t0 = 1'000'000.0;
    n.t.inbound(n.b, e.announce(1000), t0);
    n.t.tick(t0 + 0.1);
    n.t.tick(t0 + 6.0);
    n.t.tick(t0 + 12.0);
    n.sink.take();
    const bytes lr_data(64, 0x42);
    n.t.inbound(n.a, h2(n.t.transport_id(), e.dest, packet_type::link_request, lr_data), t0 + 13.0);
    REQUIRE(n.t.link_count() == 1);
    n.sink.take();
    // No proof: after 6 s (+ MTU time) the entry goes, the path is marked unresponsive and a path
    // request goes out on every interface but the one the request came from.
    std::vector<sent_packet> out;
    for (double now = t0 + 14.0; now < t0 + 30.0; now += 0.5) {
        n.t.tick(now);
        for (auto& s : n.sink.take()) {
            out.push_back(s);
        }
    }
    CHECK(n.t.link_count() == 0);
    CHECK(n.t.state_of(e.dest) == path_state::unresponsive);
    REQUIRE(out.size() == 1);
    CHECK(out[0].iface == n.b);
    auto p = parse_packet(out[0].raw);
    REQUIRE(p);
    CHECK(equal(p.packet.destination_hash, transport_destinations::path_request()));
    CHECK(equal(p.packet.data.first(16), e.dest));
}

TEST_CASE("control tables: a restored path answers path requests; bad restores are refused") {
    endpoint e;
    const bytes ann = e.announce(1000);
    path_entry pe;
    pe.timestamp = 50.0;
    pe.next_hop = e.dest;
    pe.hops = 1;
    pe.expires = 50.0 + 604800.0;
    pe.random_blobs.push_back(take<10>(byte_view(ann).subspan(19 + 64 + 10)));
    {
        node n;
        pe.iface = n.b;
        bytes wrong = ann;
        wrong[19 + 64 + 10 + 10 + 3] ^= 1; // signature
        CHECK_FALSE(n.t.restore_path(e.dest, pe, wrong, 100.0));
        path_entry gone = pe;
        gone.iface = 7;
        CHECK_FALSE(n.t.restore_path(e.dest, gone, ann, 100.0));
        CHECK(n.t.path_count() == 0);
    }
    node n;
    pe.iface = n.b;
    REQUIRE(n.t.restore_path(e.dest, pe, ann, 100.0));
    CHECK(n.sink.paths.at(e.dest).out == n.b);
    REQUIRE(n.t.find_known(e.dest) != nullptr);
    REQUIRE(n.t.cached_announce(n.t.find_path(e.dest)->announce_hash) != nullptr);
    packet_fields f;
    f.flags.type = packet_type::data;
    f.flags.dest_type = destination_type::plain;
    f.destination_hash = transport_destinations::path_request();
    const bytes data = concat({byte_view(e.dest), byte_view(hash_of(0x61))});
    f.data = data;
    n.t.inbound(n.a, build_packet(f), 101.0);
    n.t.tick(101.5);
    auto out = n.sink.take();
    REQUIRE(out.size() == 1);
    CHECK(out[0].iface == n.a);
    auto p = parse_packet(out[0].raw);
    REQUIRE(p);
    CHECK(p.packet.context == ctx::path_response);
    CHECK(p.packet.hops == 1);
}

TEST_CASE("control tables: culling a large path table runs in slices, removal of an interface at once") {
    // Spec §6.12: a path lives 7 days after its last update on a full-mode interface. With more
    // paths than one tick's sweep covers, the expired ones go over a few ticks (each tick's work
    // is bounded), and all of them go; the announce cache drops what no path references at the
    // next cache cleaning. An interface that goes away takes its paths at once.
    const identity id = identity::generate();
    constexpr std::size_t count = 6000;
    std::vector<hash16> dests;
    std::vector<bytes> anns;
    for (std::size_t i = 0; i < count; ++i) {
        announce_params p;
        p.name_hash = name_hash("ctltest", {"cull", std::to_string(i)});
        p.random = make_random_hash(byte_array<16>{}, 1000);
        anns.push_back(build_announce(id, p));
        dests.push_back(destination_hash(p.name_hash, id.hash()));
    }
    auto fill = [&](node& n, double t0) {
        for (std::size_t i = 0; i < count; ++i) {
            path_entry pe;
            pe.timestamp = t0;
            pe.next_hop = dests[i];
            pe.hops = 1;
            pe.expires = t0 + 604800.0;
            pe.iface = n.b;
            pe.random_blobs.push_back(take<10>(byte_view(anns[i]).subspan(19 + 64 + 10)));
            REQUIRE(n.t.restore_path(dests[i], pe, anns[i], t0));
        }
        REQUIRE(n.t.path_count() == count);
    };
    const double t0 = 1'000'000.0;
    SUBCASE("expiry by ticks") {
        node n;
        fill(n, t0);
        const hash32 first_announce = n.t.find_path(dests[0])->announce_hash;
        REQUIRE(n.t.cached_announce(first_announce) != nullptr);
        n.t.tick(t0 + 1.0);
        n.t.tick(t0 + 3600.0); // culled, nothing expired yet
        CHECK(n.t.path_count() == count);
        double now = t0 + 604800.0 + 10.0;
        n.t.tick(now);
        CHECK(n.t.path_count() > 0); // one tick's slice did not cover the whole table
        CHECK(n.t.path_count() < count);
        int ticks = 1;
        while (n.t.path_count() > 0 && ticks < 1000) {
            now += 0.05;
            n.t.tick(now);
            ++ticks;
        }
        CHECK(n.t.path_count() == 0);
        CHECK(n.sink.paths.empty());
        CHECK(ticks < 100);
        // The next cache cleaning (every 300 s) drops the announces no path references.
        for (double t = now; t < now + 301.0; t += 1.0) {
            n.t.tick(t);
        }
        for (int i = 0; i < 100; ++i) {
            n.t.tick(now + 301.0 + 0.05 * i);
        }
        CHECK(n.t.cached_announce(first_announce) == nullptr);
    }
    SUBCASE("interface removed") {
        node n;
        fill(n, t0);
        n.t.tick(t0 + 1.0);
        n.t.remove_interface(n.b, t0 + 2.0);
        CHECK(n.t.path_count() == 0);
        CHECK(n.sink.paths.empty());
    }
}

TEST_CASE("control tables: a removed interface's id goes to a new interface only after the reuse delay") {
    node n;
    endpoint e;
    const double t0 = 1'000'000.0;
    const auto first_new = static_cast<iface_id>(n.t.interface_count());
    const iface_id x = n.t.add_interface(udp_iface("spawned-1"), t0);
    CHECK(x == first_new);
    n.t.inbound(x, e.announce(1000), t0 + 1.0);
    REQUIRE(n.t.find_path(e.dest) != nullptr);
    n.t.remove_interface(x, t0 + 2.0);
    CHECK(n.t.find_path(e.dest) == nullptr);
    // Too soon: a fresh id.
    const iface_id y = n.t.add_interface(udp_iface("spawned-2"), t0 + 3.0);
    CHECK(y == first_new + 1);
    CHECK(n.t.next_interface_id(t0 + 2.0 + tc::iface_reuse_after - 1.0) == first_new + 2);
    // After the delay the old id comes back, as a new interface with fresh counters.
    CHECK(n.t.next_interface_id(t0 + 2.0 + tc::iface_reuse_after) == x);
    const iface_id z = n.t.add_interface(udp_iface("spawned-3"), t0 + 2.0 + tc::iface_reuse_after);
    CHECK(z == x);
    CHECK(n.t.interface_config(z).name == "spawned-3");
    CHECK(n.t.counters().ifaces[z].announces_accepted == 0);
    CHECK(n.t.interface_count() == first_new + 2u);
    // The reused interface works: an announce on it is learned.
    endpoint e2;
    n.t.inbound(z, e2.announce(1000), t0 + 3.0 + tc::iface_reuse_after);
    CHECK(n.t.find_path(e2.dest) != nullptr);
}
