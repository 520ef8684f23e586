// Tunnels in the transport (spec §6.14, §6.12): the client's synthesis packet, its verification
// and binding on the server, paths learned through a tunnel restored when it reappears on a new
// (spawned) interface, the restore rules, expiry, and the counted drops.

#include "test_control_support.hpp"

#include "crypto/ed25519.hpp"
#include "crypto/sha256.hpp"
#include "router/rns/announce.hpp"
#include "router/rns/destination.hpp"
#include "router/rns/path_request.hpp"
#include "router/rns/tunnel.hpp"

#include <doctest/doctest.h>

using namespace rns;
using namespace rns::control;
using namespace rns::control::testing;

namespace {

byte_array<64> key_of(std::uint8_t base) {
    byte_array<64> k{};
    for (std::size_t i = 0; i < k.size(); ++i) {
        k[i] = static_cast<std::uint8_t>(base + i);
    }
    return k;
}

constexpr double eight_hours = 28800.0;

/// A tunnel server (the side that accepts TCP connections): a UDP interface and spawned ones.
struct server {
    recording_sink sink;
    fixed_random rng{0.1};
    transport t{key_of(0x10), sink, rng};
    iface_id udp = t.add_interface(udp_iface("udp"), 0.0);
    iface_id spawn(const std::string& name, double now) {
        iface_config c;
        c.name = name;
        c.bitrate = 10'000'000;
        c.autoconfigure_mtu = true;
        return t.add_interface(c, now);
    }
};

/// A tunnel client: one outgoing interface that wants a tunnel.
struct client {
    recording_sink sink;
    seeded_random rng{3};
    transport t{key_of(0x70), sink, rng};
    iface_id link = [this] {
        iface_config c;
        c.name = "TCPInterface[backbone/192.0.2.1:4242]";
        c.wants_tunnel = true;
        return t.add_interface(c, 0.0);
    }();
    /// The synthesis a (re)connection sends.
    bytes connect(double now) {
        sink.take();
        REQUIRE(t.interface_connected(link, now));
        auto out = sink.take();
        REQUIRE(out.size() == 1);
        CHECK(out[0].iface == link);
        return out[0].raw;
    }
    [[nodiscard]] hash32 expected_tunnel_id() const {
        // spec §6.14: H(public key ‖ H(utf8(str(interface)))).
        const byte_array<64> pub = t.transport_identity().public_key();
        const hash32 ih = crypto::sha256(as_bytes(t.interface_config(link).name));
        bytes cat(pub.begin(), pub.end());
        cat.insert(cat.end(), ih.begin(), ih.end());
        return crypto::sha256(cat);
    }
};

/// An endpoint behind the client, announcing one destination.
struct endpoint {
    identity id = identity::generate();
    hash10 nh = name_hash("tunneltest", {"endpoint"});
    hash16 dest = destination_hash(nh, id.hash());
    [[nodiscard]] bytes announce(std::uint64_t emitted, std::uint8_t salt = 0) const {
        announce_params p;
        p.name_hash = nh;
        byte_array<16> entropy{};
        entropy[0] = salt;
        p.random = make_random_hash(entropy, emitted);
        return build_announce(id, p);
    }
};

/// The announce as rebroadcast by transport node `via` with hop byte `hops` (HEADER_2).
bytes via_transport(const bytes& announce, const hash16& via, std::uint8_t hops) {
    bytes out(announce.size() + 16);
    out.resize(write_announce_rebroadcast(announce, hops, via, ctx::none, out));
    REQUIRE(!out.empty());
    return out;
}

/// The synthesis packet with its data changed by `edit` (the header kept).
template <typename F> bytes edited(const bytes& raw, F edit) {
    auto parsed = parse_packet(raw);
    REQUIRE(parsed);
    const std::size_t header = raw.size() - parsed.packet.data.size();
    bytes data(parsed.packet.data.begin(), parsed.packet.data.end());
    edit(data);
    bytes out(raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(header));
    out.insert(out.end(), data.begin(), data.end());
    return out;
}

} // namespace

TEST_CASE("control tunnel: the client's synthesis is the packet of spec §6.14") {
    client c;
    const bytes raw = c.connect(100.0);
    auto parsed = parse_packet(raw);
    REQUIRE(parsed);
    const packet_view& p = parsed.packet;
    CHECK(p.flags.type == packet_type::data);
    CHECK(p.flags.dest_type == destination_type::plain);
    CHECK_FALSE(p.is_header_2());
    CHECK(p.context == ctx::none);
    CHECK(p.hops == 0);
    // rnstransport.tunnel.synthesize, as the reference computes it (destinations.json).
    std::string want;
    const nlohmann::json vec = load_vector("destinations.json");
    for (const auto& k : vec["cases"]) {
        if (k.value("kind", std::string()) == "transport_control_tunnel_synthesize") {
            want = k.value("destination_hash", std::string());
        }
    }
    REQUIRE(want.size() == 32);
    CHECK(to_hex(p.destination_hash) == want);
    REQUIRE(p.data.size() == 176);
    const byte_array<64> pub = c.t.transport_identity().public_key();
    CHECK(equal(p.data.first(64), pub));
    CHECK(equal(p.data.subspan(64, 32), crypto::sha256(as_bytes(c.t.interface_config(c.link).name))));
    // Ed25519 over the first 112 bytes with the key's second half (spec §2.2).
    CHECK(crypto::ed25519_verify(take<32>(byte_view(pub).subspan(32)), p.data.first(112), p.data.subspan(112)));
    CHECK_FALSE(crypto::ed25519_verify(take<32>(byte_view(pub).subspan(32)), p.data.first(111), p.data.subspan(112)));
    CHECK(c.t.counters().tunnels_synthesized == 1);
    // Every connection gets a fresh random hash, so a new packet (not a duplicate) with the
    // same tunnel id.
    const bytes again = c.connect(200.0);
    CHECK(again != raw);
    auto v1 = verify_tunnel_synthesis(p.data);
    auto v2 = verify_tunnel_synthesis(parse_packet(again).packet.data);
    REQUIRE(v1);
    REQUIRE(v2);
    CHECK(v1.tunnel.tunnel_id == c.expected_tunnel_id());
    CHECK(v2.tunnel.tunnel_id == c.expected_tunnel_id());
    CHECK(v1.tunnel.random_hash != v2.tunnel.random_hash);
}

// Recorded by running the reference (RNS 1.4.2 Transport.synthesize_tunnel with transport identity
// private key 70 71 .. af, interface str "TCPInterface[backbone/192.0.2.1:4242]", Packet.send
// captured); its tunnel_synthesize_handler accepted this packet with tunnel id 5c2d19bd...d1b5.
TEST_CASE("control tunnel: the reference's synthesis is accepted with its tunnel id, and ours is the same packet") {
    const bytes ref = hex(
        "080091bf0910267b59b0e864e0d4c91602ca0023b7bb8c91ae008711fb12846780bcdf1e065f821bdfec49f57e7c7d"
        "cd4c4823d2eb993b63143528e70dcdc7eb9ca21010dd769be95250c2c5babfad15d458e2c69144b1ca3acccd16bc74"
        "a83983f81854af49de4d1a179a09232cf24949bfe633c969de48932f0b3a692f68ff3b85fb7cafe33959fc98834cbb"
        "fe340a0256c088575811f6ef4b10d14229b941f55d91b724106e1055e43f1e7950ba3135f7d113f9a6454df2889e72"
        "02cce90dbee607");
    const hash32 ref_tunnel_id = hexa<32>("5c2d19bd87ff7e3b3675cb8580bea72e5f712bf9b3ea0c830c382f1c61b3d1b5");
    client c; // the same identity and interface name
    CHECK(c.expected_tunnel_id() == ref_tunnel_id);
    // Signatures are deterministic (spec §2.1): with the reference's random hash our packet is
    // byte for byte the reference's.
    const hash16 random_hash = hexa<16>("33c969de48932f0b3a692f68ff3b85fb");
    CHECK(build_tunnel_synthesize(c.t.transport_identity(),
                                  crypto::sha256(as_bytes(c.t.interface_config(c.link).name)), random_hash) == ref);
    server s;
    const iface_id s1 = s.spawn("spawned-1", 10.0);
    CHECK_FALSE(s.t.inbound(s1, ref, 10.0).dropped);
    REQUIRE(s.t.tunnels().find(ref_tunnel_id) != nullptr);
    CHECK(s.t.tunnels().find(ref_tunnel_id)->iface == s1);
}

TEST_CASE("control tunnel: only interfaces that want a tunnel synthesize one") {
    server s;
    CHECK_FALSE(s.t.interface_connected(s.udp, 1.0));
    CHECK_FALSE(s.t.interface_connected(static_cast<iface_id>(77), 1.0));
    CHECK(s.sink.sent.empty());
    CHECK(s.t.counters().tunnels_synthesized == 0);
    client c;
    c.t.remove_interface(c.link, 5.0);
    CHECK_FALSE(c.t.interface_connected(c.link, 6.0)); // gone
}

TEST_CASE("control tunnel: a valid synthesis binds the tunnel to the receiving interface") {
    server s;
    client c;
    const iface_id s1 = s.spawn("spawned-1", 100.0);
    const auto res = s.t.inbound(s1, c.connect(100.0), 100.0);
    CHECK_FALSE(res.dropped);
    CHECK(res.sent == 0);
    REQUIRE(s.t.tunnels().size() == 1);
    const tunnel_entry* te = s.t.tunnels().find(c.expected_tunnel_id());
    REQUIRE(te != nullptr);
    CHECK(te->iface == s1);
    CHECK(te->paths.empty());
    CHECK(te->expires == doctest::Approx(100.0 + eight_hours));
    REQUIRE(s.t.tunnels().bound(s1) != nullptr);
    CHECK(*s.t.tunnels().bound(s1) == c.expected_tunnel_id());
    CHECK(s.t.counters().tunnels_established == 1);
}

TEST_CASE("control tunnel: bad signatures and malformed syntheses are dropped and counted") {
    server s;
    client c;
    const iface_id s1 = s.spawn("spawned-1", 0.0);
    const bytes good = c.connect(10.0);
    struct tamper {
        const char* what;
        std::size_t at;
    };
    // Each signed field, and the signature itself.
    for (const tamper& x : {tamper{"public key (X25519 half)", 3}, tamper{"public key (Ed25519 half)", 40},
                            tamper{"interface hash", 70}, tamper{"random hash", 100}, tamper{"signature", 150}}) {
        CAPTURE(x.what);
        const std::uint64_t before = s.t.counters().drop_count(drop_reason::tunnel_bad_signature);
        const auto r = s.t.inbound(s1, edited(good, [&](bytes& d) { d[x.at] ^= 0x01; }), 10.0);
        CHECK(r.dropped);
        CHECK(r.reason == drop_reason::tunnel_bad_signature);
        CHECK(s.t.counters().drop_count(drop_reason::tunnel_bad_signature) == before + 1);
        CHECK(s.t.counters().ifaces[s1].drops[static_cast<std::size_t>(drop_reason::tunnel_bad_signature)] ==
              before + 1);
    }
    // Signed by another key than the one it carries.
    {
        const identity other = identity::generate();
        const auto r = s.t.inbound(s1, edited(good, [&](bytes& d) {
                                       const auto sig = other.sign(byte_view(d).first(112));
                                       std::copy(sig.begin(), sig.end(), d.begin() + 112);
                                   }),
                                   10.0);
        CHECK(r.reason == drop_reason::tunnel_bad_signature);
    }
    for (std::size_t len : {0UL, 16UL, 112UL, 175UL, 177UL, 240UL}) {
        CAPTURE(len);
        const auto r = s.t.inbound(s1, edited(good, [&](bytes& d) { d.resize(len, 0x00); }), 10.0);
        CHECK(r.dropped);
        CHECK(r.reason == drop_reason::tunnel_malformed);
    }
    CHECK(s.t.counters().drop_count(drop_reason::tunnel_malformed) == 6);
    CHECK(s.t.counters().drop_count(drop_reason::tunnel_bad_signature) == 6);
    CHECK(s.t.tunnels().size() == 0);
    CHECK(s.t.tunnels().bound(s1) == nullptr);
    // The untouched packet is still accepted afterwards.
    CHECK_FALSE(s.t.inbound(s1, good, 11.0).dropped);
    CHECK(s.t.tunnels().size() == 1);
    // A copy heard two hops away is not for us (PLAIN, spec §6.3).
    bytes far = good;
    far[1] = 1;
    CHECK(s.t.inbound(s1, far, 12.0).reason == drop_reason::plain_hops);
}

TEST_CASE("control tunnel: paths learned through a tunnel come back when it reappears on a new interface") {
    server s;
    client c;
    endpoint e;
    const double t0 = 1000.0;
    const iface_id s1 = s.spawn("spawned-1", t0);
    s.t.inbound(s1, c.connect(t0), t0);
    // The client rebroadcasts an announce of a destination two hops behind it.
    const hash16 client_id = c.t.transport_id();
    CHECK_FALSE(s.t.inbound(s1, via_transport(e.announce(900), client_id, 2), t0 + 1).dropped);
    const path_entry* p = s.t.find_path(e.dest);
    REQUIRE(p != nullptr);
    CHECK(p->iface == s1);
    const tunnel_entry* te = s.t.tunnels().find(c.expected_tunnel_id());
    REQUIRE(te != nullptr);
    REQUIRE(te->paths.contains(e.dest));
    CHECK(te->paths.at(e.dest).hops == 3);
    CHECK(te->expires == doctest::Approx(t0 + 1 + eight_hours)); // extended by the path

    // The connection drops: the spawned interface goes, and its paths with it.
    s.t.remove_interface(s1, t0 + 10);
    CHECK(s.t.find_path(e.dest) == nullptr);
    CHECK(s.sink.paths.count(e.dest) == 0);
    // Time passes (the announce cache cleaning runs) while the client is away.
    for (double now = t0 + 10; now <= t0 + 700; now += 5) {
        s.t.tick(now);
    }
    CHECK(s.t.tunnels().find(c.expected_tunnel_id())->iface == no_iface);

    // The client reconnects: a new spawned interface, the same tunnel id.
    const iface_id s2 = s.spawn("spawned-2", t0 + 705);
    CHECK_FALSE(s.t.inbound(s2, c.connect(t0 + 705), t0 + 705).dropped);
    CHECK(s.t.counters().tunnels_reappeared == 1);
    CHECK(s.t.counters().tunnel_paths_restored == 1);
    p = s.t.find_path(e.dest);
    REQUIRE(p != nullptr);
    CHECK(p->iface == s2);
    CHECK(p->hops == 3);
    CHECK(p->next_hop == client_id);
    CHECK(p->timestamp == doctest::Approx(t0 + 705));
    REQUIRE(s.sink.paths.count(e.dest) == 1); // the fast path was told
    CHECK(s.sink.paths[e.dest].out == s2);
    CHECK(s.t.tunnels().find(c.expected_tunnel_id())->iface == s2);

    // Without a new announce, a path request from the UDP side is answered from the cache
    // (spec §6.9), and the HEADER_2 data to the destination goes out on the new interface.
    s.sink.take();
    s.t.inbound(s.udp, build_path_request(e.dest, hash_of(0x31)), t0 + 706);
    s.t.tick(t0 + 706.5);
    auto out = s.sink.take();
    REQUIRE(out.size() == 1);
    CHECK(out[0].iface == s.udp);
    auto resp = parse_packet(out[0].raw);
    REQUIRE(resp);
    CHECK(resp.packet.context == ctx::path_response);
    CHECK(equal(resp.packet.destination_hash, e.dest));
    CHECK(resp.packet.hops == 3);
}

TEST_CASE("control tunnel: a stored path is restored over an equal path, not over a closer or newer one") {
    server s;
    client c;
    endpoint newer;  // heard meanwhile with a newer emission (and fewer hops)
    endpoint closer; // heard meanwhile with the same emission over fewer hops
    endpoint equal_; // heard meanwhile with the same emission and the same hops
    const double t0 = 5000.0;
    const hash16 client_id = c.t.transport_id();
    const iface_id s1 = s.spawn("spawned-1", t0);
    s.t.inbound(s1, c.connect(t0), t0);
    s.t.inbound(s1, via_transport(newer.announce(4000), client_id, 3), t0 + 1);
    s.t.inbound(s1, via_transport(closer.announce(4000), client_id, 4), t0 + 2);
    s.t.inbound(s1, via_transport(equal_.announce(4000), client_id, 2), t0 + 3);
    REQUIRE(s.t.tunnels().find(c.expected_tunnel_id())->paths.size() == 3);
    s.t.remove_interface(s1, t0 + 10);

    s.t.inbound(s.udp, via_transport(newer.announce(4100, 1), hash_of(0x51), 1), t0 + 20);
    s.t.inbound(s.udp, via_transport(closer.announce(4000), hash_of(0x52), 1), t0 + 21);
    s.t.inbound(s.udp, via_transport(equal_.announce(4000), hash_of(0x53), 2), t0 + 22);
    for (const endpoint* e : {&newer, &closer, &equal_}) {
        REQUIRE(s.t.find_path(e->dest) != nullptr);
        REQUIRE(s.t.find_path(e->dest)->iface == s.udp);
    }

    const iface_id s2 = s.spawn("spawned-2", t0 + 30);
    s.t.inbound(s2, c.connect(t0 + 30), t0 + 30);
    // Fewer or equal hops and an emission not older: restored (spec §6.14).
    CHECK(s.t.find_path(equal_.dest)->iface == s2);
    CHECK(s.t.find_path(equal_.dest)->next_hop == client_id);
    // Newer emission elsewhere, or the tunnel path has more hops than a live path: kept as is.
    CHECK(s.t.find_path(newer.dest)->iface == s.udp);
    CHECK(s.t.find_path(closer.dest)->iface == s.udp);
    CHECK(s.t.find_path(closer.dest)->hops == 2);
    CHECK(s.t.counters().tunnel_paths_restored == 1);
    CHECK(s.t.counters().tunnel_paths_deprecated == 2);
    const tunnel_entry* te = s.t.tunnels().find(c.expected_tunnel_id());
    REQUIRE(te != nullptr);
    CHECK(te->paths.contains(equal_.dest));
    CHECK_FALSE(te->paths.contains(newer.dest));
    CHECK_FALSE(te->paths.contains(closer.dest));
}

TEST_CASE("control tunnel: a stored path without a current one is restored only before its own expiry") {
    // Learned on a roaming interface, the path expires after 6 h (spec §6.6 step 6), before the
    // 8 h a tunnel path is kept (spec §1.3): a reconnection after 5 h restores it, after 7 h not.
    for (const double away : {5 * 3600.0, 7 * 3600.0}) {
        CAPTURE(away);
        server s;
        client c;
        endpoint e;
        const double t0 = 1000.0;
        iface_config roaming;
        roaming.name = "spawned-roaming";
        roaming.mode = iface_mode::roaming;
        const iface_id s1 = s.t.add_interface(roaming, t0);
        s.t.inbound(s1, c.connect(t0), t0);
        s.t.inbound(s1, via_transport(e.announce(900), c.t.transport_id(), 1), t0 + 1);
        REQUIRE(s.t.find_path(e.dest)->expires == doctest::Approx(t0 + 1 + 6 * 3600.0));
        s.t.remove_interface(s1, t0 + 2);
        const iface_id s2 = s.spawn("spawned-2", t0 + away);
        s.t.inbound(s2, c.connect(t0 + away), t0 + away);
        const bool restored = away < 6 * 3600.0;
        CHECK((s.t.find_path(e.dest) != nullptr) == restored);
        CHECK(s.t.counters().tunnel_paths_restored == (restored ? 1U : 0U));
        CHECK(s.t.tunnels().find(c.expected_tunnel_id())->paths.contains(e.dest) == restored);
    }
}

TEST_CASE("control tunnel: tunnels expire after 8 h, tunnel paths after 8 h unrefreshed") {
    server s;
    client c;
    endpoint first;
    endpoint second;
    const double t0 = 2000.0;
    const iface_id s1 = s.spawn("spawned-1", t0);
    s.t.inbound(s1, c.connect(t0), t0);
    s.t.inbound(s1, via_transport(first.announce(1900), c.t.transport_id(), 1), t0 + 1);
    s.t.inbound(s1, via_transport(second.announce(1900), c.t.transport_id(), 1), t0 + 4 * 3600);
    const hash32 id = c.expected_tunnel_id();
    // The cull runs every 5 s (spec §6.12).
    s.t.tick(t0 + 5);
    s.t.tick(t0 + 1 + eight_hours - 10);
    REQUIRE(s.t.tunnels().find(id) != nullptr);
    CHECK(s.t.tunnels().find(id)->paths.size() == 2);
    s.t.tick(t0 + 1 + eight_hours + 6); // `first` is older than TUNNEL_PATH_TIMEOUT
    REQUIRE(s.t.tunnels().find(id) != nullptr);
    CHECK_FALSE(s.t.tunnels().find(id)->paths.contains(first.dest));
    CHECK(s.t.tunnels().find(id)->paths.contains(second.dest));
    CHECK(s.t.counters().tunnel_paths_expired == 1);
    // The tunnel lasts 8 h after its last path: gone after that.
    s.t.tick(t0 + 4 * 3600 + eight_hours - 10);
    CHECK(s.t.tunnels().find(id) != nullptr);
    s.t.tick(t0 + 4 * 3600 + eight_hours + 6);
    CHECK(s.t.tunnels().find(id) == nullptr);
    CHECK(s.t.counters().tunnels_expired == 1);
    // The interface is still up and bound to the expired id: a path learned now cannot be
    // recorded in the tunnel (counted), but it is learned as usual.
    endpoint third;
    const auto r = s.t.inbound(s1, via_transport(third.announce(40000), c.t.transport_id(), 1), t0 + 13 * 3600);
    CHECK_FALSE(r.dropped);
    CHECK(s.t.find_path(third.dest) != nullptr);
    CHECK(s.t.counters().drop_count(drop_reason::tunnel_unknown) == 1);
    // A new synthesis on it makes a fresh tunnel.
    s.t.inbound(s1, c.connect(t0 + 13 * 3600 + 1), t0 + 13 * 3600 + 1);
    REQUIRE(s.t.tunnels().find(id) != nullptr);
    CHECK(s.t.counters().tunnels_established == 2);
}

TEST_CASE("control tunnel: a tunnel path superseded by a newer active path is culled") {
    server s;
    client c;
    endpoint e;
    const double t0 = 3000.0;
    const iface_id s1 = s.spawn("spawned-1", t0);
    s.t.inbound(s1, c.connect(t0), t0);
    s.t.inbound(s1, via_transport(e.announce(2900), c.t.transport_id(), 2), t0 + 1);
    s.t.tick(t0 + 2);
    // A newer emission arrives over UDP with fewer hops: the active path moves.
    s.t.inbound(s.udp, via_transport(e.announce(2950, 1), hash_of(0x61), 1), t0 + 3);
    REQUIRE(s.t.find_path(e.dest)->iface == s.udp);
    s.t.tick(t0 + 10);
    CHECK_FALSE(s.t.tunnels().find(c.expected_tunnel_id())->paths.contains(e.dest));
    CHECK(s.t.counters().tunnel_paths_expired == 1);
}

TEST_CASE("control tunnel: the table is bounded") {
    recording_sink sink;
    fixed_random rng{0.1};
    transport_options o;
    o.max_tunnels = 2;
    transport t{key_of(0x10), sink, rng, o};
    std::vector<iface_id> ifs;
    for (int i = 0; i < 3; ++i) {
        ifs.push_back(t.add_interface(udp_iface("s" + std::to_string(i)), 0.0));
    }
    for (int i = 0; i < 3; ++i) {
        client c;
        c.t.remove_interface(c.link, 0.0);
        iface_config cfg;
        cfg.name = "client-" + std::to_string(i);
        cfg.wants_tunnel = true;
        const iface_id l = c.t.add_interface(cfg, 0.0);
        REQUIRE(c.t.interface_connected(l, 1.0));
        const bytes raw = c.sink.take().at(0).raw;
        const auto r = t.inbound(ifs[static_cast<std::size_t>(i)], raw, 1.0);
        CHECK(r.dropped == (i == 2));
    }
    CHECK(t.tunnels().size() == 2);
    CHECK(t.counters().drop_count(drop_reason::tunnel_table_full) == 1);
}
