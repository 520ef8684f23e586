// Announce handling of the transport (spec §6.6, §6.7, §6.8): path table acceptance rules,
// rate control, rebroadcast timing with retries, echo suppression, validation drops, the cap queue.

#include "test_control_support.hpp"

#include "router/rns/announce.hpp"
#include "router/rns/destination.hpp"

#include <doctest/doctest.h>

#include <set>

using namespace rns;
using namespace rns::control;
using namespace rns::control::testing;

namespace {

const byte_array<64> node_key = [] {
    byte_array<64> k{};
    for (std::size_t i = 0; i < k.size(); ++i) {
        k[i] = static_cast<std::uint8_t>(0x40 + i);
    }
    return k;
}();

/// An endpoint that announces one destination.
struct announcer {
    identity id = identity::generate();
    hash10 nh = name_hash("ctltest", {"announce"});
    hash16 dest = destination_hash(nh, id.hash());

    /// HEADER_1, hop byte 0, emitted at `emitted` with entropy byte `salt`.
    [[nodiscard]] bytes announce(std::uint64_t emitted, std::uint8_t salt = 0, bool path_response = false) const {
        announce_params p;
        p.name_hash = nh;
        byte_array<16> entropy{};
        entropy[0] = salt;
        p.random = make_random_hash(entropy, emitted);
        p.path_response = path_response;
        return build_announce(id, p);
    }
};

/// The same announce as re-sent by transport node `via` with hop byte `hops` (HEADER_2).
bytes via_transport(const bytes& announce, const hash16& via, std::uint8_t hops, std::uint8_t context = ctx::none) {
    bytes out(announce.size() + 16);
    const std::size_t n = write_announce_rebroadcast(announce, hops, via, context, out);
    REQUIRE(n > 0);
    out.resize(n);
    return out;
}

struct node {
    recording_sink sink;
    fixed_random rng{0.2};
    transport t{node_key, sink, rng};
    iface_id a = t.add_interface(udp_iface("a"), 0.0);
    iface_id b = t.add_interface(udp_iface("b"), 0.0);
};

} // namespace

TEST_CASE("control announce: a new destination is learned with hops+1 and the sender as next hop") {
    node n;
    announcer e;
    const hash16 x = hash_of(0xaa);
    n.t.inbound(n.a, via_transport(e.announce(1000), x, 2), 100.0);
    const path_entry* p = n.t.find_path(e.dest);
    REQUIRE(p != nullptr);
    CHECK(p->hops == 3);
    CHECK(p->next_hop == x);
    CHECK(p->iface == n.a);
    CHECK(p->expires == doctest::Approx(100.0 + 604800.0));
    CHECK(n.sink.paths.at(e.dest).hops == 3); // mirrored
    // Direct (HEADER_1): the next hop is the destination itself.
    announcer d;
    n.t.inbound(n.b, d.announce(1000), 100.0);
    REQUIRE(n.t.find_path(d.dest) != nullptr);
    CHECK(n.t.find_path(d.dest)->next_hop == d.dest);
    CHECK(n.t.find_path(d.dest)->hops == 1);
}

TEST_CASE("control announce: path table acceptance rules (spec §6.6 step 5)") {
    node n;
    announcer e;
    const hash16 x = hash_of(0xaa);
    const hash16 y = hash_of(0xbb);
    n.t.inbound(n.a, via_transport(e.announce(1000, 1), x, 2), 100.0); // hops 3, emitted 1000

    SUBCASE("replay of the same announce (same blob) is ignored") {
        n.t.inbound(n.b, via_transport(e.announce(1000, 1), y, 1), 101.0);
        CHECK(n.t.find_path(e.dest)->next_hop == x);
        CHECK(n.t.counters().drop_count(drop_reason::announce_not_newer) == 1);
    }
    SUBCASE("newer emission over fewer hops replaces") {
        n.t.inbound(n.b, via_transport(e.announce(1001, 2), y, 0), 101.0);
        CHECK(n.t.find_path(e.dest)->next_hop == y);
        CHECK(n.t.find_path(e.dest)->hops == 1);
        CHECK(n.t.find_path(e.dest)->random_blobs.size() == 2);
    }
    SUBCASE("same emission second over fewer hops is ignored (no gravity)") {
        n.t.inbound(n.b, via_transport(e.announce(1000, 2), y, 0), 101.0);
        CHECK(n.t.find_path(e.dest)->next_hop == x);
    }
    SUBCASE("newer emission over more hops replaces while the path is valid") {
        n.t.inbound(n.b, via_transport(e.announce(1005, 2), y, 5), 101.0);
        CHECK(n.t.find_path(e.dest)->next_hop == y);
        CHECK(n.t.find_path(e.dest)->hops == 6);
    }
    SUBCASE("older emission over more hops is ignored") {
        n.t.inbound(n.b, via_transport(e.announce(999, 2), y, 5), 101.0);
        CHECK(n.t.find_path(e.dest)->next_hop == x);
    }
    SUBCASE("same emission over more hops is taken only when the path is unresponsive") {
        n.t.inbound(n.b, via_transport(e.announce(1000, 2), y, 5), 101.0);
        CHECK(n.t.find_path(e.dest)->next_hop == x);
        n.t.mark_path_unresponsive(e.dest);
        CHECK(n.t.state_of(e.dest) == path_state::unresponsive);
        n.t.inbound(n.b, via_transport(e.announce(1000, 3), y, 5), 102.0);
        CHECK(n.t.find_path(e.dest)->next_hop == y);
        CHECK(n.t.state_of(e.dest) == path_state::unknown);
    }
    SUBCASE("after expiry an older emission over more hops is taken, a known blob is not") {
        const double later = 100.0 + 604800.0 + 1.0;
        n.t.inbound(n.b, via_transport(e.announce(1000, 1), y, 5), later);
        CHECK(n.t.find_path(e.dest)->next_hop == x); // blob already heard
        n.t.inbound(n.b, via_transport(e.announce(900, 7), y, 5), later);
        CHECK(n.t.find_path(e.dest)->next_hop == y);
    }
}

TEST_CASE("control announce: equal emission via an interface of greater gravity replaces") {
    recording_sink sink;
    fixed_random rng{0.2};
    transport t{node_key, sink, rng};
    iface_config low = udp_iface("low");
    iface_config high = udp_iface("high");
    high.gravity = 5;
    const iface_id l = t.add_interface(low, 0);
    const iface_id h = t.add_interface(high, 0);
    announcer e;
    t.inbound(l, via_transport(e.announce(1000, 1), hash_of(1), 1), 10.0);
    t.inbound(h, via_transport(e.announce(1000, 1), hash_of(2), 1), 10.5);
    CHECK(t.find_path(e.dest)->iface == h);
    t.inbound(l, via_transport(e.announce(1000, 1), hash_of(1), 0), 11.0);
    CHECK(t.find_path(e.dest)->iface == h); // lower gravity does not take it back
}

TEST_CASE("control announce: invalid announces are dropped under their reason") {
    node n;
    announcer e;
    bytes bad = e.announce(1000);
    bad[19 + 64 + 10 + 10 + 5] ^= 0x01; // inside the signature
    n.t.inbound(n.a, bad, 1.0);
    CHECK(n.t.counters().drop_count(drop_reason::announce_bad_signature) == 1);
    CHECK(n.t.find_path(e.dest) == nullptr);

    // Another identity's announce re-addressed to e's destination: the destination hash is
    // signed, so the signature no longer verifies.
    announcer other;
    bytes forged = other.announce(1000);
    std::copy(e.dest.begin(), e.dest.end(), forged.begin() + 2);
    n.t.inbound(n.a, forged, 2.0);
    CHECK(n.t.counters().drop_count(drop_reason::announce_bad_signature) == 2);

    // A correctly signed announce whose destination hash is not T(name_hash ‖ identity hash).
    {
        const hash16 wrong = hash_of(0x77);
        const byte_array<64> pub = other.id.public_key();
        byte_array<16> entropy{};
        const random_hash rh = make_random_hash(entropy, 1000);
        const bytes signed_data = concat({byte_view(wrong), byte_view(pub), byte_view(other.nh), byte_view(rh)});
        const auto sig = other.id.sign(signed_data);
        const bytes data = concat({byte_view(pub), byte_view(other.nh), byte_view(rh), byte_view(sig)});
        packet_fields f;
        f.flags.type = packet_type::announce;
        f.destination_hash = wrong;
        f.data = data;
        n.t.inbound(n.a, build_packet(f), 2.5);
        CHECK(n.t.counters().drop_count(drop_reason::announce_invalid) == 1);
        CHECK(n.t.find_path(wrong) == nullptr);
    }

    // An announce to a PLAIN destination type is refused by the filter.
    bytes plain = e.announce(1001);
    plain[0] = static_cast<std::uint8_t>((plain[0] & ~0x0c) | 0x08);
    n.t.inbound(n.a, plain, 3.0);
    CHECK(n.t.counters().drop_count(drop_reason::plain_announce) == 1);
}

TEST_CASE("control announce: rebroadcast after the random delay, retried once, then done") {
    node n; // fixed_random 0.2 → delay 0.1 s
    announcer e;
    n.t.inbound(n.a, e.announce(1000), 100.0);
    REQUIRE(n.t.find_announce(e.dest) != nullptr);
    CHECK(n.t.find_announce(e.dest)->retransmit_at == doctest::Approx(100.1));
    n.t.tick(100.05);
    CHECK(n.sink.take().empty());
    n.t.tick(100.15);
    auto first = n.sink.take();
    REQUIRE(first.size() == 2); // both interfaces, including the one it came from
    const bytes expect = via_transport(e.announce(1000), n.t.transport_id(), 1);
    CHECK(first[0].raw == expect);
    CHECK(first[1].raw == expect);
    CHECK(first[0].iface != first[1].iface);
    n.t.tick(105.6);
    CHECK(n.sink.take().empty());
    n.t.tick(105.7); // 100.15 + 5.5 passed
    CHECK(n.sink.take().size() == 2);
    n.t.tick(112.0);
    n.t.tick(120.0);
    CHECK(n.sink.take().empty());
    CHECK(n.t.find_announce(e.dest) == nullptr);
    CHECK(n.t.counters().ifaces[n.a].announces_rebroadcast == 2);
}

TEST_CASE("control announce: echo suppression (spec §6.6 step 4)") {
    node n;
    announcer e;
    const bytes orig = e.announce(1000);
    n.t.inbound(n.a, orig, 100.0); // our entry: hops 1
    n.t.tick(100.2);
    REQUIRE(n.sink.take().size() == 2); // retries = 1 now

    SUBCASE("two neighbours at our distance rebroadcast it: our retry is cancelled") {
        n.t.inbound(n.b, via_transport(orig, hash_of(1), 1), 100.5);
        CHECK(n.t.find_announce(e.dest) != nullptr);
        n.t.inbound(n.b, via_transport(orig, hash_of(2), 1), 100.6);
        CHECK(n.t.find_announce(e.dest) == nullptr);
    }
    SUBCASE("a node one hop further passed ours on: our retry is cancelled") {
        n.t.inbound(n.b, via_transport(orig, hash_of(3), 2), 100.5);
        CHECK(n.t.find_announce(e.dest) == nullptr);
    }
    n.t.tick(106.0);
    CHECK(n.sink.take().empty());
}

TEST_CASE("control announce: rate control blocks rebroadcast but keeps the path fresh") {
    recording_sink sink;
    fixed_random rng{0.0};
    transport t{node_key, sink, rng};
    iface_config c = udp_iface("a");
    c.announce_rate_target = 60;
    c.announce_rate_grace = 1;
    const iface_id a = t.add_interface(c, 0);
    t.add_interface(udp_iface("b"), 0);
    announcer e;
    double now = 100.0;
    std::uint64_t emitted = 1000;
    // 1st: new entry. 2nd: violation 1 (≤ grace). 3rd: violation 2 > grace → blocked.
    for (int i = 0; i < 3; ++i) {
        t.inbound(a, e.announce(emitted++, static_cast<std::uint8_t>(i)), now);
        now += 1.0;
    }
    CHECK(t.counters().ifaces[a].announces_rate_limited == 1);
    CHECK(t.find_rate(e.dest)->blocked_until == doctest::Approx(101.0 + 60.0));
    CHECK(t.find_path(e.dest)->random_blobs.size() == 3); // path still updated
    // Let the entry from the second (unblocked) announce run its course.
    t.tick(now + 10);
    t.tick(now + 20);
    t.tick(now + 25);
    sink.take();
    CHECK(t.find_announce(e.dest) == nullptr);
    // While blocked, new emissions do not enter the announce table.
    t.inbound(a, e.announce(emitted++, 9), now + 30);
    CHECK(t.find_announce(e.dest) == nullptr);
    CHECK(t.counters().ifaces[a].announces_rate_limited == 2);
    // Path responses are exempt from rate control (and never rebroadcast).
    t.inbound(a, e.announce(emitted++, 10, true), now + 31);
    CHECK(t.counters().ifaces[a].announces_rate_limited == 2);
    CHECK(t.find_announce(e.dest) == nullptr);
}

TEST_CASE("control announce: the announce cap queues rebroadcasts and releases fewest hops first") {
    recording_sink sink;
    fixed_random rng{0.0};
    transport t{node_key, sink, rng};
    iface_config slow = udp_iface("slow");
    slow.bitrate = 1200; // 2 %: a 200-byte announce blocks the interface for ~67 s
    const iface_id in = t.add_interface(udp_iface("in"), 0);
    const iface_id s = t.add_interface(slow, 0);
    announcer far;
    announcer near;
    t.inbound(in, via_transport(far.announce(1000), hash_of(1), 4), 10.0);
    t.tick(10.01);
    auto out = sink.take();
    CHECK(out.size() == 2); // in (uncapped at 10 Mb/s) and slow (first one passes)
    t.inbound(in, via_transport(near.announce(1000), hash_of(1), 1), 11.0);
    t.tick(11.01);
    out = sink.take();
    REQUIRE(out.size() == 1);
    CHECK(out[0].iface == in);
    CHECK(t.queued_announce_count(s) == 1);
    // The far announce's retry also queues; the near one goes first when the window opens.
    t.tick(16.0);
    sink.take();
    CHECK(t.queued_announce_count(s) >= 1);
    double now = 16.0;
    std::vector<sent_packet> slow_sent;
    while (now < 400.0) {
        now += 1.0;
        t.tick(now);
        for (auto& p : sink.take()) {
            if (p.iface == s) {
                slow_sent.push_back(p);
            }
        }
    }
    REQUIRE(slow_sent.size() >= 2);
    auto first = parse_packet(slow_sent[0].raw);
    REQUIRE(first);
    CHECK(equal(first.packet.destination_hash, near.dest));
    CHECK(t.queued_announce_count(s) == 0);
}

TEST_CASE("control announce: interface mode rules for rebroadcasts (spec §6.8)") {
    recording_sink sink;
    fixed_random rng{0.0};
    transport t{node_key, sink, rng};
    const iface_id full = t.add_interface(udp_iface("full"), 0);
    const iface_id ap = t.add_interface(udp_iface("ap", iface_mode::access_point), 0);
    const iface_id roam = t.add_interface(udp_iface("roam", iface_mode::roaming), 0);
    const iface_id bnd = t.add_interface(udp_iface("bnd", iface_mode::boundary), 0);
    const iface_id intl = t.add_interface(udp_iface("intl", iface_mode::internal), 0);
    const iface_id gw = t.add_interface(udp_iface("gw", iface_mode::gateway), 0);
    auto rebroadcast_targets = [&](iface_id from, double now) {
        t.tick(now - 1.0); // earlier announces' retries go first (they would use the cap window)
        sink.take();
        announcer e;
        t.inbound(from, e.announce(1000), now);
        t.tick(now + 0.01);
        std::set<iface_id> out;
        for (auto& s : sink.take()) {
            auto p = parse_packet(s.raw);
            if (p && equal(p.packet.destination_hash, e.dest)) { // not earlier announces' retries
                out.insert(s.iface);
            }
        }
        return out;
    };
    CHECK(rebroadcast_targets(full, 10.0) == std::set<iface_id>{full, roam, bnd, intl, gw});
    CHECK(rebroadcast_targets(roam, 20.0) == std::set<iface_id>{full, intl, gw});
    CHECK(rebroadcast_targets(bnd, 30.0) == std::set<iface_id>{full, bnd, gw});
    CHECK(rebroadcast_targets(intl, 40.0) == std::set<iface_id>{full, roam, bnd, intl, gw});
    // Access points never get rebroadcasts, even of what they brought in.
    CHECK(rebroadcast_targets(ap, 50.0) == std::set<iface_id>{full, roam, bnd, intl, gw});
    // Paths learned on an access point expire after a day, on a roaming interface after 6 h.
    announcer x;
    t.inbound(ap, x.announce(2000), 60.0);
    CHECK(t.find_path(x.dest)->expires == doctest::Approx(60.0 + 86400.0));
    announcer y;
    t.inbound(roam, y.announce(2000), 61.0);
    CHECK(t.find_path(y.dest)->expires == doctest::Approx(61.0 + 21600.0));
}

TEST_CASE("control announce: ingress control holds bursts of new destinations and releases them") {
    recording_sink sink;
    fixed_random rng{0.0};
    transport t{node_key, sink, rng};
    const iface_id a = t.add_interface(udp_iface("a"), 0);
    t.add_interface(udp_iface("b"), 0);
    std::vector<announcer> eps(10);
    double now = 100.0;
    for (auto& e : eps) {
        t.inbound(a, e.announce(1000), now);
        now += 0.1; // 10 Hz on an interface younger than 2 h (threshold 3 Hz)
    }
    CHECK(t.path_count() == 2); // the first two samples cannot make a frequency
    CHECK(t.held_announce_count(a) == 8);
    CHECK(t.counters().ifaces[a].announces_held == 8);
    CHECK(t.counters().drop_count(drop_reason::announce_held) == 8);
    // A known destination is not held.
    t.inbound(a, eps[0].announce(1001), now);
    CHECK(t.find_path(eps[0].dest)->random_blobs.size() == 2);
    std::size_t prev = t.held_announce_count(a);
    bool one_at_a_time = true;
    while (now < 250.0) {
        now += 1.0;
        t.tick(now);
        const std::size_t held = t.held_announce_count(a);
        one_at_a_time = one_at_a_time && prev - held <= 1;
        prev = held;
    }
    CHECK(one_at_a_time);
    CHECK(t.held_announce_count(a) == 0);
    CHECK(t.path_count() == 10);
}

TEST_CASE("control announce: a capped queue drains at the cap rate, not one announce per tick") {
    // spec §6.8 rule 7: announces may use announce_cap (2 %) of the bitrate. At 8 Mb/s a
    // ~170-byte announce occupies 0.17 ms, so the cap allows one every ~8.5 ms: about 117/s.
    recording_sink sink;
    fixed_random rng{0.0};
    transport t{node_key, sink, rng};
    iface_config in_cfg = udp_iface("in");
    in_cfg.ingress_control = false; // 300 new destinations at once are the point here
    iface_config capped = udp_iface("capped");
    capped.bitrate = 8'000'000;
    const iface_id in = t.add_interface(in_cfg, 0);
    const iface_id out = t.add_interface(capped, 0);
    std::vector<announcer> many(300);
    std::size_t announce_bytes = 0;
    for (const auto& a : many) {
        const bytes raw = via_transport(a.announce(1000), hash_of(1), 1);
        announce_bytes = std::max(announce_bytes, raw.size());
        REQUIRE_FALSE(t.inbound(in, raw, 10.0).dropped);
    }
    const double slot = static_cast<double>(announce_bytes * 8) / 8e6 / 0.02; // longest announce
    std::vector<double> sent_at;
    for (double now = 10.0; now < 13.0; now += 0.05) { // the router's 50 ms tick
        t.tick(now);
        for (const auto& p : sink.take()) {
            if (p.iface == out && parse_packet(p.raw).packet.flags.type == packet_type::announce) {
                sent_at.push_back(now);
            }
        }
    }
    REQUIRE(!sent_at.empty());
    const double first = sent_at.front();
    // By one second after the first send, the cap allowed about 1 / slot more (~117): the old
    // one-per-tick queue managed 20. Never more than the cap allows (plus the first, uncapped).
    const auto by = [&](double t_end) {
        return std::count_if(sent_at.begin(), sent_at.end(), [&](double x) { return x <= t_end; });
    };
    CHECK(by(first + 1.0) >= static_cast<long>(0.8 / slot));
    CHECK(by(first + 1.0) <= static_cast<long>(1.0 + 1.0 / (slot * 0.85)) + 1);
    CHECK(sent_at.size() == many.size()); // everything went within 3 s (300 * 8.5 ms = 2.6 s)
    CHECK(t.queued_announce_count(out) == 0);
}
