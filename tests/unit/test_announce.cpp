// Announces (spec §5): build/validate round trips, every failure reason, the None-vs-empty
// app data rule, and the transport's re-sent form.

#include "crypto/ed25519.hpp"
#include "crypto/sha256.hpp"
#include "crypto/x25519.hpp"
#include "router/rns/announce.hpp"
#include "router/rns/destination.hpp"
#include "router/rns/identity.hpp"

#include <doctest/doctest.h>

#include <array>

using namespace rns;

namespace {

const hash10 test_name = name_hash("rnsvec", {"unit", "announce"});

bytes make(const identity& id, bool ratchet, byte_view app_data, bool path_response = false) {
    announce_params p;
    p.name_hash = test_name;
    p.random = make_random_hash(array_from_hex<16>("00112233445566778899aabbccddeeff").value(), 1700000000);
    if (ratchet) {
        p.ratchet = crypto::x25519_public_from_private(identity::generate_ratchet());
    }
    p.app_data = app_data;
    p.path_response = path_response;
    return build_announce(id, p);
}

announce_result check(const bytes& raw, const announce_checks& c = {}) {
    auto r = parse_packet(raw);
    REQUIRE(r);
    return validate_announce(r.packet, c);
}

bool blackhole_all(const hash16&, const void*) noexcept { return true; }

} // namespace

TEST_CASE("random hash: 5 bytes of H(entropy), then the time as 40-bit big-endian") {
    const auto e = array_from_hex<16>("39dcb88415ef7ba6f85be81d76344980").value();
    // announces.json valid[0]: clock 1700300037
    CHECK(to_hex(make_random_hash(e, 1700300037)) == "41f7b7730f0065588505");
    const auto r = make_random_hash(0x0102030405ULL);
    CHECK(to_hex(byte_view(r).subspan(5)) == "0102030405");
}

TEST_CASE("build then validate, with and without ratchet and app data") {
    const identity id = identity::generate();
    const bytes app{'h', 'e', 'l', 'l', 'o'};
    for (bool ratchet : {false, true}) {
        for (bool with_app : {false, true}) {
            const bytes raw = make(id, ratchet, with_app ? byte_view(app) : byte_view{});
            REQUIRE(!raw.empty());
            auto p = parse_packet(raw);
            REQUIRE(p);
            CHECK(p.packet.flags.type == packet_type::announce);
            CHECK(p.packet.flags.context_flag == ratchet);
            CHECK(p.packet.context == ctx::none);
            CHECK(equal(p.packet.destination_hash, destination_hash(test_name, id.hash())));
            const auto r = validate_announce(p.packet);
            REQUIRE(r);
            CHECK(r.identity_hash == id.hash());
            CHECK(equal(r.announce.public_key, id.public_key()));
            CHECK(equal(r.announce.name_hash, test_name));
            CHECK(r.announce.emission_timestamp() == 1700000000);
            CHECK(r.announce.ratchet.size() == (ratchet ? 32u : 0u));
            CHECK(equal(r.announce.app_data, with_app ? byte_view(app) : byte_view{}));
            // spec §5.2 step 1: None only when the data is not longer than 148 bytes.
            CHECK(r.announce.app_data_present == (ratchet || with_app));
            // The signature is over dest ‖ public key ‖ name ‖ random ‖ ratchet ‖ app data.
            const bytes msg = concat({p.packet.destination_hash, r.announce.public_key, r.announce.name_hash,
                                      r.announce.random_hash, r.announce.ratchet, r.announce.app_data});
            CHECK(id.verify(r.announce.signature, msg));
        }
    }
    const bytes pr = make(id, false, {}, true);
    auto pp = parse_packet(pr);
    REQUIRE(pp);
    CHECK(pp.packet.context == ctx::path_response);
    CHECK(validate_announce(pp.packet));
}

TEST_CASE("a public-only identity cannot announce; over-MTU announces are not built") {
    const identity id = identity::generate();
    auto pub = identity::from_public_key(id.public_key());
    REQUIRE(pub);
    CHECK(make(*pub, false, {}).empty());
    const bytes big(500 - 19 - 148 + 1, 0x41);
    CHECK(make(id, false, big).empty());
    CHECK(!make(id, false, byte_view(big).first(big.size() - 1)).empty());
}

TEST_CASE("every flipped bit of the signed part or signature is caught") {
    const identity id = identity::generate();
    const bytes app(7, 0x42);
    const bytes raw = make(id, true, app);
    for (std::size_t i = 2; i < raw.size(); ++i) {
        if (i == 18) {
            continue; // the context byte is not signed
        }
        bytes bad = raw;
        bad[i] ^= 0x01;
        const auto r = check(bad);
        CHECK(!r);
        CHECK(r.error == announce_error::bad_signature);
    }
}

TEST_CASE("truncated announces are refused at every length") {
    const identity id = identity::generate();
    for (bool ratchet : {false, true}) {
        const bytes raw = make(id, ratchet, {});
        for (std::size_t n = 19; n < raw.size(); ++n) {
            auto p = parse_packet(byte_view(raw).first(n));
            REQUIRE(p);
            const auto r = validate_announce(p.packet);
            CHECK(r.error == announce_error::truncated);
        }
    }
}

TEST_CASE("destination mismatch, key collision, blackhole, wrong type") {
    const identity id = identity::generate();
    const bytes raw = make(id, false, {});
    auto p = parse_packet(raw);
    REQUIRE(p);
    const auto ok = validate_announce(p.packet);
    REQUIRE(ok);

    // A validly signed announce for a destination hash that is not T(name ‖ identity).
    const auto wrong_dest = array_from_hex<16>("00000000000000000000000000000001").value();
    const bytes sig_msg = concat({wrong_dest, ok.announce.public_key, ok.announce.name_hash, ok.announce.random_hash});
    const auto sig = id.sign(sig_msg);
    packet_fields f;
    f.flags.type = packet_type::announce;
    f.destination_hash = wrong_dest;
    const bytes data = concat({ok.announce.public_key, ok.announce.name_hash, ok.announce.random_hash, sig});
    f.data = data;
    const bytes forged = build_packet(f);
    CHECK(check(forged).error == announce_error::destination_mismatch);
    announce_checks sig_only;
    sig_only.signature_only = true;
    CHECK(check(forged, sig_only));

    const byte_array<64> same = id.public_key();
    byte_array<64> other = same;
    other[5] ^= 0xff;
    announce_checks known;
    known.known_public_key = &same;
    CHECK(check(raw, known));
    known.known_public_key = &other;
    CHECK(check(raw, known).error == announce_error::key_collision);

    announce_checks bh;
    bh.is_blackholed = blackhole_all;
    CHECK(check(raw, bh).error == announce_error::blackholed);

    bytes as_data = raw;
    as_data[0] = 0x00;
    CHECK(check(as_data).error == announce_error::not_announce);

    bytes plain = raw;
    plain[0] = 0x09; // destination type PLAIN
    auto pp = parse_packet(plain);
    REQUIRE(pp);
    CHECK(!announce_destination_type_allowed(pp.packet));
    CHECK(announce_destination_type_allowed(p.packet));
    for (auto e : {announce_error::ok, announce_error::not_announce, announce_error::truncated,
                   announce_error::oversize, announce_error::blackholed, announce_error::bad_signature,
                   announce_error::destination_mismatch, announce_error::key_collision}) {
        CHECK(std::string(to_string(e)) != "unknown");
    }
}

TEST_CASE("re-sent announce: HEADER_2 from us, context flag kept, hash kept unless the context changes") {
    const identity id = identity::generate();
    const bytes raw = make(id, true, {});
    const auto me = array_from_hex<16>("72d4639498284f5a552367993d1ba2c7").value();
    std::array<std::uint8_t, 600> out{};
    const std::size_t n = write_announce_rebroadcast(raw, 1, me, ctx::none, out);
    REQUIRE(n == raw.size() + 16);
    CHECK(out[0] == 0x71); // HEADER_2 | context flag | TRANSPORT | ANNOUNCE (capture packet #1)
    CHECK(out[1] == 1);
    CHECK(equal(byte_view(out).subspan(2, 16), me));
    auto a = parse_packet(raw);
    auto b = parse_packet(byte_view(out).first(n));
    REQUIRE((a && b));
    CHECK(packet_hash(a.packet) == packet_hash(b.packet));
    CHECK(validate_announce(b.packet));

    // From a HEADER_2 announce (another transport's rebroadcast) as a path response.
    std::array<std::uint8_t, 600> out2{};
    const std::size_t m = write_announce_rebroadcast(byte_view(out).first(n), 2, me, ctx::path_response, out2);
    REQUIRE(m == n);
    CHECK(out2[34] == ctx::path_response);
    auto c = parse_packet(byte_view(out2).first(m));
    REQUIRE(c);
    CHECK(packet_hash(c.packet) != packet_hash(a.packet));
    CHECK(validate_announce(c.packet));

    // Not an announce; too small; beyond the MTU once the transport id is added.
    bytes data_pkt = raw;
    data_pkt[0] = 0x00;
    CHECK(write_announce_rebroadcast(data_pkt, 1, me, ctx::none, out) == 0);
    CHECK(write_announce_rebroadcast(raw, 1, me, ctx::none, std::span(out).first(n - 1)) == 0);
    const bytes big(500 - 19 - 180, 0x41); // fits as HEADER_1 exactly, not as HEADER_2
    const bytes full = make(id, true, big);
    REQUIRE(full.size() == 500);
    CHECK(write_announce_rebroadcast(full, 1, me, ctx::none, out) == 0);
}
