// Tunnels across a router restart, through the real persistence thread (spec §6.14, §11): a
// tunnel with its paths is written by the final snapshot, comes back unbound at start-up, and
// when its client synthesizes it again on a new interface the paths are restored and path
// requests answered from the persisted announce, without a new announce. Persisted tunnels that
// are expired, or whose announces are damaged, are refused and counted. Skips (77) when the
// kernel lacks what the store needs.
#define DOCTEST_CONFIG_IMPLEMENT
#include "persist/store.hpp"
#include "persist/uring.hpp"
#include "router/control/persistence_bridge.hpp"
#include "router/control/random_source.hpp"
#include "router/control/transport.hpp"
#include "router/rns/announce.hpp"
#include "router/rns/destination.hpp"
#include "router/rns/packet.hpp"
#include "router/rns/path_request.hpp"
#include "router/rns/tunnel.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

using namespace rns;
using namespace rns::control;

namespace {

struct sent_packet {
    iface_id iface;
    bytes raw;
};

class capture_sink : public transport_sink {
  public:
    void send(iface_id out, byte_view raw) override { sent.push_back({out, bytes(raw.begin(), raw.end())}); }
    std::vector<sent_packet> take() {
        auto out = std::move(sent);
        sent.clear();
        return out;
    }
    std::vector<sent_packet> sent;
};

struct scratch_dir {
    std::filesystem::path path;
    scratch_dir() {
        const char* t = std::getenv("TMPDIR");
        std::string tmpl = std::string(t != nullptr ? t : "/tmp") + "/rns-tunnel-persist-XXXXXX";
        const char* p = mkdtemp(tmpl.data());
        REQUIRE(p != nullptr);
        path = p;
    }
    ~scratch_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

byte_array<64> key_of(std::uint8_t base) {
    byte_array<64> k{};
    for (std::size_t i = 0; i < k.size(); ++i) {
        k[i] = static_cast<std::uint8_t>(base ^ (i * 11));
    }
    return k;
}

double unix_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

iface_config named(const std::string& name, bool wants_tunnel = false) {
    iface_config c;
    c.name = name;
    c.wants_tunnel = wants_tunnel;
    return c;
}

/// The server side: store + bridge + transport with a UDP-like interface, seeded from the store.
struct node {
    std::unique_ptr<persist::store> store;
    persistence_bridge bridge;
    capture_sink sink;
    seeded_random rng{11};
    transport t;
    iface_id udp;
    restore_result restored;
    node(const std::filesystem::path& dir, double now)
        : store(open_store(dir)), bridge(*store, 300.0), t(key_of(0x21), sink, rng),
          udp(t.add_interface(named("udp"), now)) {
        restored = bridge.restore(t, now);
    }
    static std::unique_ptr<persist::store> open_store(const std::filesystem::path& dir) {
        persist::config cfg;
        cfg.dir = dir;
        cfg.slots = 4;
        cfg.log = [](std::string_view) {};
        return persist::store::open(std::move(cfg));
    }
};

/// The client: its synthesis packet on (re)connection.
struct client {
    capture_sink sink;
    seeded_random rng{5};
    transport t{key_of(0x77), sink, rng};
    iface_id link = t.add_interface(named("TCPInterface[server/198.51.100.7:4242]", true), 0.0);
    bytes connect(double now) {
        sink.take();
        REQUIRE(t.interface_connected(link, now));
        auto out = sink.take();
        REQUIRE(out.size() == 1);
        return out[0].raw;
    }
};

struct endpoint {
    identity id = identity::generate();
    hash10 nh = name_hash("tunnelpersist", {"endpoint"});
    hash16 dest = destination_hash(nh, id.hash());
    bytes announce(std::uint64_t emitted) const {
        announce_params p;
        p.name_hash = nh;
        p.random = make_random_hash(emitted);
        return build_announce(id, p);
    }
};

bytes via_transport(const bytes& announce, const hash16& via, std::uint8_t hops) {
    bytes out(announce.size() + 16);
    out.resize(write_announce_rebroadcast(announce, hops, via, ctx::none, out));
    REQUIRE(!out.empty());
    return out;
}

/// PATH_RESPONSEs for dest sent on `on` within 3 s of an endpoint path request received there.
std::vector<bytes> ask_path(node& n, iface_id on, const hash16& dest, double now) {
    n.sink.take();
    byte_array<16> tag{};
    tag.fill(0x5c);
    n.t.inbound(on, build_path_request(dest, tag), now);
    std::vector<bytes> out;
    for (double t = now + 0.25; t < now + 3.0; t += 0.25) {
        n.t.tick(t);
        for (const auto& s : n.sink.take()) {
            auto p = parse_packet(s.raw);
            if (p && s.iface == on && p.packet.flags.type == packet_type::announce &&
                p.packet.context == ctx::path_response && equal(p.packet.destination_hash, dest)) {
                out.push_back(s.raw);
            }
        }
    }
    return out;
}

} // namespace

TEST_CASE("tunnel persistence: a restarted router restores a reconnecting client's paths") {
    scratch_dir dir;
    client c;
    endpoint e;
    const double t0 = unix_now();
    const bytes ann = e.announce(static_cast<std::uint64_t>(t0) - 5);
    const hash32 tunnel_id = [&] {
        const bytes syn = c.connect(t0);
        auto v = verify_tunnel_synthesis(parse_packet(syn).packet.data);
        REQUIRE(v);
        return v.tunnel.tunnel_id;
    }();
    {
        node n(dir.path, t0);
        CHECK(n.restored.tunnels == 0);
        const iface_id s1 = n.t.add_interface(named("spawned-1"), t0);
        CHECK_FALSE(n.t.inbound(s1, c.connect(t0), t0).dropped);
        CHECK_FALSE(n.t.inbound(s1, via_transport(ann, c.t.transport_id(), 1), t0 + 1).dropped);
        REQUIRE(n.t.find_path(e.dest) != nullptr);
        REQUIRE(n.t.tunnels().find(tunnel_id) != nullptr);
        REQUIRE(n.bridge.shutdown(n.t)); // final snapshot, durable
        CHECK(n.bridge.counters().snapshots_submitted == 3); // paths, known, tunnels
        n.store->stop();
    }
    CHECK(std::filesystem::exists(dir.path / "tunnels.snap"));

    // Control: the same state without the tunnel file restores nothing for the client.
    {
        scratch_dir bare;
        for (const char* f : {"paths.snap", "known.snap", "identity"}) {
            if (std::filesystem::exists(dir.path / f)) {
                std::filesystem::copy_file(dir.path / f, bare.path / f);
            }
        }
        node n(bare.path, t0 + 100);
        CHECK(n.restored.tunnels == 0);
        const iface_id s2 = n.t.add_interface(named("spawned-2"), t0 + 100);
        n.t.inbound(s2, c.connect(t0 + 100), t0 + 100);
        CHECK(n.t.find_path(e.dest) == nullptr);
        CHECK(ask_path(n, n.udp, e.dest, t0 + 101).empty());
    }

    node n(dir.path, t0 + 100);
    CHECK(n.store->loaded().report.errors.empty());
    CHECK(n.restored.tunnels == 1);
    CHECK(n.restored.tunnel_paths == 1);
    CHECK(n.restored.tunnels_refused == 0);
    CHECK(n.restored.paths_refused == 1); // its interface (spawned-1) does not exist any more
    CHECK(n.t.find_path(e.dest) == nullptr);
    const tunnel_entry* te = n.t.tunnels().find(tunnel_id);
    REQUIRE(te != nullptr);
    CHECK(te->iface == no_iface);
    REQUIRE(te->paths.contains(e.dest));
    CHECK(te->paths.at(e.dest).hops == 2);
    CHECK(te->expires == doctest::Approx(t0 + 1 + 28800.0));

    // The client reconnects: a new spawned interface, the same tunnel.
    const iface_id s2 = n.t.add_interface(named("spawned-2"), t0 + 100);
    CHECK_FALSE(n.t.inbound(s2, c.connect(t0 + 100), t0 + 100).dropped);
    const path_entry* p = n.t.find_path(e.dest);
    REQUIRE(p != nullptr);
    CHECK(p->iface == s2);
    CHECK(p->hops == 2);
    CHECK(p->next_hop == c.t.transport_id());
    const auto responses = ask_path(n, n.udp, e.dest, t0 + 101);
    REQUIRE(responses.size() == 1);
    auto resp = parse_packet(responses[0]);
    REQUIRE(resp);
    auto orig = parse_packet(ann);
    CHECK(equal(resp.packet.data, orig.packet.data)); // the original announce
    CHECK(resp.packet.hops == 2);
    CHECK(validate_announce(resp.packet, {}));
}

TEST_CASE("tunnel persistence: expired tunnels and damaged announces are refused and counted") {
    scratch_dir dir;
    endpoint good;
    endpoint other;
    const double now = unix_now();
    const bytes ann = good.announce(static_cast<std::uint64_t>(now) - 50);
    auto path_of = [&](const hash16& dest, const bytes& announce) {
        persist::path_record p;
        p.destination = dest;
        p.timestamp = now - 40;
        p.next_hop = good.dest;
        p.hops = 1;
        p.expires = now + 600000;
        p.random_blobs.push_back(take<10>(byte_view(parse_packet(ann).packet.data).subspan(74, 10)));
        p.announce = announce;
        return p;
    };
    bytes flipped = ann;
    flipped[60] ^= 0x20; // inside the signed data: the signature no longer verifies
    std::vector<persist::tunnel_record> v(4);
    for (std::size_t i = 0; i < v.size(); ++i) {
        v[i].tunnel_id.fill(static_cast<std::uint8_t>(0x10 + i));
        v[i].expires = now + 3600;
    }
    v[0].paths = {path_of(good.dest, ann), path_of(other.dest, ann)}; // one good, one for the wrong destination
    v[1].paths = {path_of(good.dest, flipped)};                         // bad signature only: refused
    v[2].paths = {path_of(good.dest, ann)};
    v[2].expires = now - 10; // expired
    v[3].paths = {path_of(good.dest, bytes{1, 2, 3})};                  // not a packet
    {
        auto s = node::open_store(dir.path);
        REQUIRE(s->submit_tunnel_snapshot(v));
        REQUIRE(s->flush());
    }
    node n(dir.path, now);
    CHECK(n.restored.tunnels == 1);
    CHECK(n.restored.tunnels_refused == 3);
    CHECK(n.restored.tunnel_paths == 1);
    CHECK(n.restored.tunnel_paths_refused == 4);
    CHECK(n.bridge.counters().restored_tunnels == 1);
    CHECK(n.bridge.counters().restored_tunnel_paths_refused == 4);
    REQUIRE(n.t.tunnels().size() == 1);
    const tunnel_entry* te = n.t.tunnels().find(v[0].tunnel_id);
    REQUIRE(te != nullptr);
    CHECK(te->paths.size() == 1);
    CHECK(te->paths.contains(good.dest));
    // The good announce's key is now known (it verifies later LRPROOFs, spec §6.10).
    CHECK(n.t.find_known(good.dest) != nullptr);
    CHECK(n.t.find_known(other.dest) == nullptr);
}

int main(int argc, char** argv) {
    if (std::string why = persist::kernel_support_problem(); !why.empty()) {
        std::printf("SKIP: %s\n", why.c_str());
        return 77;
    }
    doctest::Context ctx(argc, argv);
    return ctx.run();
}
