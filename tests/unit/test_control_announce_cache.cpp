// Copies of an announce that already verified cost no signature verification (announce_cache.hpp),
// and nothing that is signed can ride on that: every single-bit change of the signed fields, the
// signature or the context flag is verified again and refused (spec §5.1, §5.2 step 3).

#include "test_control_support.hpp"

#include "crypto/random.hpp"
#include "crypto/sha256.hpp"
#include "crypto/x25519.hpp"
#include "router/control/announce_cache.hpp"
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
        k[i] = static_cast<std::uint8_t>(0x21 + i);
    }
    return k;
}();

/// A HEADER_1, hop byte 0 announce with a ratchet and app data (spec §5.1: every field present).
struct announcer {
    identity id = identity::generate();
    hash10 nh = name_hash("ctltest", {"cache"});
    hash16 dest = destination_hash(nh, id.hash());
    crypto::x25519_public ratchet = crypto::x25519_public_from_private(crypto::random_array<32>());

    [[nodiscard]] bytes announce(std::uint64_t emitted, bool with_ratchet = true) const {
        static const std::uint8_t app[] = {0x93, 0x01, 0x02, 0x03, 'a', 'p', 'p'};
        announce_params p;
        p.name_hash = nh;
        byte_array<16> entropy{};
        entropy[0] = 7;
        p.random = make_random_hash(entropy, emitted);
        if (with_ratchet) {
            p.ratchet = ratchet;
        }
        p.app_data = byte_view(app, sizeof app);
        return build_announce(id, p);
    }
};

bytes via_transport(const bytes& announce, const hash16& via, std::uint8_t hops,
                    std::uint8_t context = ctx::none) {
    bytes out(announce.size() + 16);
    const std::size_t n = write_announce_rebroadcast(announce, hops, via, context, out);
    REQUIRE(n > 0);
    out.resize(n);
    return out;
}

struct node {
    explicit node(std::size_t cache = 65536) : t(node_key, sink, rng, options(cache)) {}
    static transport_options options(std::size_t cache) {
        transport_options o;
        o.announce_cache = cache;
        return o;
    }
    recording_sink sink;
    fixed_random rng{0.2};
    transport t;
    iface_id a = t.add_interface(udp_iface("a"), 0.0);
    iface_id b = t.add_interface(udp_iface("b"), 0.0);
    iface_id c = t.add_interface(udp_iface("c"), 0.0);

    [[nodiscard]] std::uint64_t verifications() const { return t.counters().announce_verifications; }
    [[nodiscard]] std::uint64_t cached() const { return t.counters().announce_verify_cached; }
    [[nodiscard]] std::uint64_t drops(drop_reason r) const { return t.counters().drop_count(r); }
};

} // namespace

TEST_CASE("announce cache: copies heard again, on other interfaces, rebroadcast or as path responses are not verified again") {
    node n;
    announcer e;
    const bytes original = e.announce(1000);
    n.t.inbound(n.a, via_transport(original, hash_of(0xa1), 1), 10.0);
    REQUIRE(n.t.find_path(e.dest) != nullptr);
    CHECK(n.verifications() == 1);
    CHECK(n.cached() == 0);

    // The same announce: again on the same interface, on another one directly, rebroadcast by
    // another transport node with more hops, and as a path response. None of these is signed
    // differently, so none costs a verification; each is still processed under spec §6.6 (same
    // emission: the path table keeps its entry, announce_not_newer).
    const std::uint64_t not_newer = n.drops(drop_reason::announce_not_newer);
    n.t.inbound(n.a, via_transport(original, hash_of(0xa1), 1), 11.0);
    n.t.inbound(n.b, original, 12.0);
    n.t.inbound(n.c, via_transport(original, hash_of(0xb2), 4), 13.0);
    n.t.inbound(n.c, via_transport(original, hash_of(0xb2), 3, ctx::path_response), 14.0);
    CHECK(n.verifications() == 1);
    CHECK(n.cached() == 4);
    CHECK(n.drops(drop_reason::announce_not_newer) == not_newer + 4);
    CHECK(n.drops(drop_reason::announce_bad_signature) == 0);

    // A copy that changes the path as a fresh announce would (spec §6.6 step 5: the path had
    // expired, so a copy over more hops replaces it) still does so without a verification.
    n.t.tick(15.0); // first tick: the cull timer starts
    n.t.expire_path(e.dest);
    const double later = 15.0 + 604800.0 + 10.0; // past the expired path's lifetime (spec §6.12)
    n.t.tick(later);
    REQUIRE(n.t.find_path(e.dest) == nullptr);
    n.t.inbound(n.b, via_transport(original, hash_of(0xc3), 5), later + 1);
    REQUIRE(n.t.find_path(e.dest) != nullptr);
    CHECK(n.t.find_path(e.dest)->hops == 6);
    CHECK(n.t.find_path(e.dest)->next_hop == hash_of(0xc3));
    CHECK(n.verifications() == 1);
    CHECK(n.cached() == 5);

    // A new emission is a new announce: verified.
    n.t.inbound(n.a, via_transport(e.announce(1001), hash_of(0xa1), 1), later + 2);
    CHECK(n.verifications() == 2);
    CHECK(n.t.find_path(e.dest)->hops == 2);
}

TEST_CASE("announce cache: one bit changed anywhere in the signed fields, the signature or the context flag is verified and refused") {
    for (const bool with_ratchet : {true, false}) {
        CAPTURE(with_ratchet);
        node n;
        announcer e;
        const bytes original = e.announce(1000, with_ratchet);
        n.t.inbound(n.a, original, 10.0);
        REQUIRE(n.t.find_path(e.dest) != nullptr);
        REQUIRE(n.verifications() == 1);
        n.t.inbound(n.b, original, 11.0);
        REQUIRE(n.cached() == 1); // the original is in the cache

        // HEADER_1 (spec §4.2): flags, hops, destination hash [2, 18), context, data [19, end).
        // The destination hash and all of the data are signed or are the signature (spec §5.1).
        std::uint64_t expected_verifications = 1;
        std::uint64_t expected_refused = 0;
        for (std::size_t at = 2; at < original.size(); ++at) {
            if (at == 18) {
                continue; // the context byte: not signed (PATH_RESPONSE copies share the key)
            }
            for (unsigned bit = 0; bit < 8; ++bit) {
                bytes copy = original;
                copy[at] = static_cast<std::uint8_t>(copy[at] ^ (1U << bit));
                const inbound_result r = n.t.inbound(n.c, copy, 12.0);
                ++expected_verifications;
                ++expected_refused;
                CAPTURE(at);
                CAPTURE(bit);
                REQUIRE(r.dropped);
                REQUIRE(r.reason == drop_reason::announce_bad_signature);
                REQUIRE(n.verifications() == expected_verifications);
            }
        }
        CHECK(n.drops(drop_reason::announce_bad_signature) == expected_refused);

        // The context flag decides how the data splits (spec §5.1): with it cleared, a ratchet
        // announce's bytes give another signed message; set on one without a ratchet, the data
        // is either too short for the ratchet layout or splits wrongly. Never accepted.
        bytes flipped = original;
        flipped[0] = static_cast<std::uint8_t>(flipped[0] ^ 0x20);
        const inbound_result r = n.t.inbound(n.c, flipped, 13.0);
        CHECK(r.dropped);
        CHECK((r.reason == drop_reason::announce_bad_signature || r.reason == drop_reason::announce_invalid));
        CHECK(n.cached() == 1);

        // The path is the original's, from interface a, untouched by any of the copies.
        CHECK(n.t.find_path(e.dest)->iface == n.a);
        CHECK(n.t.find_path(e.dest)->hops == 1);
    }
}

TEST_CASE("announce cache: off (0) verifies every copy") {
    node n(0);
    announcer e;
    const bytes original = e.announce(1000);
    n.t.inbound(n.a, original, 10.0);
    n.t.inbound(n.b, original, 11.0);
    n.t.inbound(n.c, via_transport(original, hash_of(0xb2), 2), 12.0);
    CHECK(n.verifications() == 3);
    CHECK(n.cached() == 0);
}

TEST_CASE("announce cache: bounded, the oldest key of a set goes first") {
    verified_announces v(verified_announces::ways); // one set
    CHECK(v.capacity() == verified_announces::ways);
    auto key = [](std::uint8_t i) {
        hash32 k{};
        k[0] = 0; // same set (there is only one)
        k[31] = static_cast<std::uint8_t>(i + 1);
        return k;
    };
    for (std::uint8_t i = 0; i < verified_announces::ways; ++i) {
        v.insert(key(i));
    }
    for (std::uint8_t i = 0; i < verified_announces::ways; ++i) {
        CHECK(v.contains(key(i)));
    }
    v.insert(key(0)); // already present: nothing moves
    v.insert(key(verified_announces::ways));
    CHECK_FALSE(v.contains(key(0)));
    for (std::uint8_t i = 1; i <= verified_announces::ways; ++i) {
        CHECK(v.contains(key(i)));
    }
    CHECK_FALSE(v.contains(hash32{}));

    verified_announces off(0);
    off.insert(key(1));
    CHECK_FALSE(off.enabled());
    CHECK_FALSE(off.contains(key(1)));
}

TEST_CASE("announce cache: the key covers the flag, destination and data, not hops, header form or context") {
    announcer e;
    const bytes original = e.announce(1000);
    auto key = [](const bytes& raw) {
        const auto r = parse_packet(raw);
        REQUIRE(r);
        return verified_announces::key_of(r.packet);
    };
    const hash32 k = key(original);
    CHECK(key(via_transport(original, hash_of(0x11), 7)) == k);
    CHECK(key(via_transport(original, hash_of(0x22), 1, ctx::path_response)) == k);
    // An independent computation of the same key: SHA-256(flag ‖ destination ‖ data).
    const std::uint8_t flag = 1; // the announce carries a ratchet
    CHECK(crypto::sha256({byte_view(&flag, 1), byte_view(original).subspan(2, 16),
                          byte_view(original).subspan(19)}) == k);
}
