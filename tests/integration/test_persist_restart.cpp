// Restart through the persistence thread, at the control level (DPDK-free): paths
// and ratchets learned before a graceful stop are there after start.
//
// A transport with a persist::store learns a ratchet-carrying announce, stops gracefully (final
// snapshot + flush); a new store and a new transport on the same state directory restore it and
// must (a) have the path on the same interface with its hops, (b) have the ratchet both in the
// store and in the transport, (c) answer an endpoint path request on the requesting interface
// with a PATH_RESPONSE carrying the original announce after the grace time (spec §6.9), and
// (d) not report the unchanged ratchet again. A transport on an empty directory is the control:
// it must not answer. Skips (77) when the kernel lacks what the store needs.
#define DOCTEST_CONFIG_IMPLEMENT
#include "crypto/random.hpp"
#include "crypto/x25519.hpp"
#include "persist/store.hpp"
#include "persist/uring.hpp"
#include "router/control/persistence_bridge.hpp"
#include "router/control/random_source.hpp"
#include "router/control/transport.hpp"
#include "router/rns/announce.hpp"
#include "router/rns/destination.hpp"
#include "router/rns/identity.hpp"
#include "router/rns/packet.hpp"
#include "router/rns/path_request.hpp"

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

/// Records what the transport sends and hands ratchet notifications to the bridge, as the
/// router's control_plane does.
class bridge_sink : public transport_sink {
  public:
    void send(iface_id out, byte_view raw) override { sent.push_back({out, bytes(raw.begin(), raw.end())}); }
    void ratchet_learned(const hash16& d, const byte_array<32>& r, double now) override {
        ++ratchet_notes;
        if (bridge != nullptr) {
            bridge->ratchet_learned(d, r, now);
        }
    }
    std::vector<sent_packet> take() {
        auto out = std::move(sent);
        sent.clear();
        return out;
    }
    persistence_bridge* bridge = nullptr;
    std::vector<sent_packet> sent;
    unsigned ratchet_notes = 0;
};

struct scratch_dir {
    std::filesystem::path path;
    scratch_dir() {
        const char* t = std::getenv("TMPDIR");
        std::string tmpl = std::string(t != nullptr ? t : "/tmp") + "/rns-persist-restart-XXXXXX";
        const char* p = mkdtemp(tmpl.data());
        REQUIRE(p != nullptr);
        path = p;
    }
    ~scratch_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

const byte_array<64> node_key = [] {
    byte_array<64> k{};
    for (std::size_t i = 0; i < k.size(); ++i) {
        k[i] = static_cast<std::uint8_t>(0x5a ^ (i * 7));
    }
    return k;
}();

double unix_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

iface_config named(const char* name) {
    iface_config c;
    c.name = name;
    return c;
}

/// One node: store + bridge + transport with interfaces "a" and "b", seeded from the store.
struct node {
    std::unique_ptr<persist::store> store;
    persistence_bridge bridge;
    bridge_sink sink;
    seeded_random rng{7};
    transport t;
    iface_id a;
    iface_id b;
    restore_result restored;
    node(const std::filesystem::path& dir, double now)
        : store(open_store(dir)), bridge(*store, 300.0), t(node_key, sink, rng),
          a(t.add_interface(named("a"), now)), b(t.add_interface(named("b"), now)) {
        sink.bridge = &bridge;
        restored = bridge.restore(t, now);
        bridge.sync_identity(node_key);
    }
    static std::unique_ptr<persist::store> open_store(const std::filesystem::path& dir) {
        persist::config cfg;
        cfg.dir = dir;
        cfg.slots = 4;
        cfg.log = [](std::string_view) {};
        return persist::store::open(std::move(cfg));
    }
};

/// Sends an endpoint path request for dest on `on` and collects PATH_RESPONSEs for dest sent on
/// `on`, before and after the grace time (spec §6.9: answered after PATH_REQUEST_GRACE).
struct pr_outcome {
    std::size_t early = 0;
    std::vector<bytes> responses;
};
pr_outcome ask_path(node& n, const hash16& dest, double now) {
    n.sink.take();
    byte_array<16> tag{};
    tag.fill(0x33);
    n.t.inbound(n.a, build_path_request(dest, tag), now);
    pr_outcome o;
    n.t.tick(now + 0.1); // before the grace time
    for (const auto& s : n.sink.take()) {
        auto p = parse_packet(s.raw);
        if (p && p.packet.context == ctx::path_response) {
            ++o.early;
        }
    }
    for (double t = now + 0.5; t < now + 3.0; t += 0.25) {
        n.t.tick(t);
        for (const auto& s : n.sink.take()) {
            auto p = parse_packet(s.raw);
            if (p && s.iface == n.a && p.packet.flags.type == packet_type::announce &&
                p.packet.context == ctx::path_response && equal(p.packet.destination_hash, dest)) {
                o.responses.push_back(s.raw);
            }
        }
    }
    return o;
}

} // namespace

TEST_CASE("persist restart: a restored router has the path and the ratchet and answers path requests") {
    REQUIRE(crypto::init());
    scratch_dir dir;
    const identity id = identity::generate();
    const hash10 nh = name_hash("persisttest", {"restart"});
    const hash16 dest = destination_hash(nh, id.hash());
    const byte_array<32> ratchet = crypto::x25519_public_from_private(crypto::random_array<32>());
    const double t0 = unix_now();
    auto make_announce = [&](std::uint64_t emitted) {
        announce_params p;
        p.name_hash = nh;
        p.random = make_random_hash(emitted);
        p.ratchet = ratchet;
        const std::string app = "restart-app-data";
        p.app_data = as_bytes(app);
        return build_announce(id, p);
    };
    const bytes ann = make_announce(static_cast<std::uint64_t>(t0));
    REQUIRE_FALSE(ann.empty());
    auto original = parse_packet(ann);
    REQUIRE(original);
    const bytes original_data(original.packet.data.begin(), original.packet.data.end());

    {
        node n(dir.path, t0);
        CHECK(n.restored.paths == 0);
        const auto res = n.t.inbound(n.b, ann, t0);
        CHECK_FALSE(res.dropped);
        REQUIRE(n.t.find_path(dest) != nullptr);
        CHECK(n.sink.ratchet_notes == 1);
        CHECK(n.bridge.counters().ratchets_submitted == 1);
        CHECK(n.bridge.counters().ratchets_dropped == 0);
        n.t.tick(t0 + 0.1);
        REQUIRE(n.bridge.shutdown(n.t)); // graceful stop: final snapshot, durable
        CHECK(n.bridge.counters().snapshots_submitted == 2);
        n.store->stop();
    }

    // The control: an empty state directory knows nothing and answers nothing.
    {
        scratch_dir empty;
        node n(empty.path, t0 + 5);
        CHECK(n.t.find_path(dest) == nullptr);
        const auto o = ask_path(n, dest, t0 + 5);
        CHECK(o.responses.empty());
    }

    node n(dir.path, t0 + 10);
    const persist::loaded_state& st = n.store->loaded();
    CHECK(st.report.errors.empty());
    REQUIRE(st.identity.has_value());
    CHECK(*st.identity == node_key);
    CHECK(n.restored.paths == 1);
    CHECK(n.restored.paths_refused == 0);
    CHECK(n.restored.known == 1);
    CHECK(n.restored.ratchets == 1);

    const path_entry* pe = n.t.find_path(dest);
    REQUIRE(pe != nullptr);
    CHECK(pe->iface == n.b);
    CHECK(pe->hops == 1);
    CHECK(equal(pe->next_hop, dest));
    const known_destination* k = n.t.find_known(dest);
    REQUIRE(k != nullptr);
    CHECK(equal(k->public_key, id.public_key()));
    REQUIRE(k->app_data.has_value());
    CHECK(equal(*k->app_data, as_bytes("restart-app-data")));

    const auto stored = n.store->ratchet_for(dest, t0 + 10);
    REQUIRE(stored.has_value());
    CHECK(stored->ratchet == ratchet);
    CHECK(stored->received == doctest::Approx(t0));
    const byte_array<32>* tr = n.t.find_ratchet(dest);
    REQUIRE(tr != nullptr);
    CHECK(*tr == ratchet);

    const auto o = ask_path(n, dest, t0 + 11);
    CHECK(o.early == 0);
    REQUIRE(o.responses.size() == 1);
    auto resp = parse_packet(o.responses[0]);
    REQUIRE(resp);
    CHECK(resp.packet.hops == 1);
    // The answer is the original announce (same signed data, so the same ratchet and app_data).
    CHECK(equal(resp.packet.data, original_data));
    CHECK(validate_announce(resp.packet, {}));

    // The restored ratchet table: a newer announce with the same ratchet is not reported again.
    n.t.inbound(n.b, make_announce(static_cast<std::uint64_t>(t0) + 20), t0 + 20);
    CHECK(n.t.find_path(dest) != nullptr);
    CHECK(n.sink.ratchet_notes == 0);
    CHECK(n.bridge.counters().ratchets_submitted == 0);
}

int main(int argc, char** argv) {
    if (std::string why = persist::kernel_support_problem(); !why.empty()) {
        std::printf("SKIP: %s\n", why.c_str());
        return 77;
    }
    doctest::Context ctx(argc, argv);
    return ctx.run();
}
