// Links (spec §7) driven end to end with random keys through the session object: handshake,
// RTT, traffic both ways, identify, request/response, packet proofs, keepalive, close; plus the
// spec's Appendix A link id, link id invariance under transport rewrites, the 96-byte proof form,
// MTU clamping and the reference's treatment of malformed proofs and requests.

#include "router/rns/identity.hpp"
#include "router/rns/link.hpp"
#include "router/rns/msgpack.hpp"

#include <doctest/doctest.h>

using namespace rns;

namespace {

packet_view pv(const bytes& raw) {
    auto r = parse_packet(raw);
    REQUIRE(r);
    return r.packet;
}

struct pair {
    identity dest = identity::generate();
    hash16 dest_hash{};
    std::optional<link::session> ini;
    std::optional<link::session> resp;

    explicit pair(std::uint32_t mtu = 500, std::uint32_t max_mtu = 0) {
        dest_hash[0] = 0x42;
        ini = link::session::initiate(dest_hash, dest.ed25519_public(), 10.0, mtu);
        REQUIRE(ini);
        resp = link::session::accept(pv(ini->request_packet()), dest, 10.5, max_mtu);
        REQUIRE(resp);
    }
    void establish(double proof_at = 10.25, double rtt_at = 10.75) {
        REQUIRE(ini->on_proof(pv(resp->proof_packet()), proof_at) == link::proof_error::ok);
        REQUIRE(resp->on_rtt(pv(ini->rtt_packet()), rtt_at));
    }
};

} // namespace

TEST_CASE("link: spec Appendix A link id") {
    bytes keys(64);
    for (std::size_t i = 0; i < 64; ++i) {
        keys[i] = static_cast<std::uint8_t>(0x64 + i);
    }
    auto sig = link::signalling_bytes(500, link::mode::aes256_cbc);
    REQUIRE(sig);
    CHECK(to_hex(*sig) == "2001f4");
    CHECK(to_hex(*link::signalling_bytes(8192, link::mode::aes256_cbc)) == "202000");
    bytes raw = concat({*from_hex("0200367fbea2aa2613ecf6d376d8c76148c400"), keys, *sig});
    CHECK(to_hex(link::link_id_of(pv(raw))) == "4d32f6b1903e8adb366467c8f186e5bf");
    // same id without signalling, with hops, and as HEADER_2 through a transport node (spec §7.1)
    bytes plain = concat({*from_hex("0200367fbea2aa2613ecf6d376d8c76148c400"), keys});
    CHECK(to_hex(link::link_id_of(pv(plain))) == "4d32f6b1903e8adb366467c8f186e5bf");
    bytes h2(raw.size() + 16);
    hash16 next_hop{};
    next_hop.fill(0x77);
    std::size_t n = insert_transport(raw, next_hop, h2);
    REQUIRE(n == raw.size() + 16);
    h2.resize(n);
    h2[1] = 5;
    CHECK(to_hex(link::link_id_of(pv(h2))) == "4d32f6b1903e8adb366467c8f186e5bf");
}

TEST_CASE("link: full exchange between two sessions with random keys") {
    pair p;
    CHECK(p.ini->link_id() == p.resp->link_id());
    CHECK(p.resp->state() == link::status::handshake);
    CHECK(p.ini->state() == link::status::pending);
    p.establish();
    CHECK(p.ini->state() == link::status::active);
    CHECK(p.resp->state() == link::status::active);
    CHECK(p.ini->rtt() == 0.25);
    CHECK(p.resp->rtt() == 0.25); // max(measured 0.25, received 0.25)
    CHECK(*p.ini->shared_key() == *p.resp->shared_key());
    CHECK(p.ini->derived_key() == p.resp->derived_key());
    CHECK(p.ini->mdu() == 431);
    CHECK(p.ini->keepalive() == doctest::Approx(0.25 * 360 / 1.75));
    CHECK(p.ini->stale_time() == doctest::Approx(2 * 0.25 * 360 / 1.75));

    // data both ways
    bytes msg = {'h', 'i'};
    auto d1 = p.ini->data_packet(ctx::none, msg);
    auto r1 = p.resp->decrypt(pv(d1).data);
    REQUIRE(r1);
    CHECK(*r1.plaintext == msg);
    auto d2 = p.resp->data_packet(ctx::none, msg);
    CHECK(*p.ini->decrypt(pv(d2).data).plaintext == msg);

    // packet proof from the responder for d1, validated by the initiator
    auto proof = p.resp->prove_packet(pv(d1));
    CHECK(p.ini->validate_packet_proof(pv(proof), packet_hash(pv(d1))));
    CHECK_FALSE(p.ini->validate_packet_proof(pv(proof), packet_hash(pv(d2))));
    // and the other way: the initiator signs with its per-link key
    auto proof2 = p.ini->prove_packet(pv(d2));
    CHECK(p.resp->validate_packet_proof(pv(proof2), packet_hash(pv(d2))));

    // identify
    auto me = identity::generate();
    byte_array<16> iv{};
    auto idp = p.ini->identify_packet(me, iv);
    REQUIRE_FALSE(idp.empty());
    auto learned = p.resp->on_identify(pv(idp));
    REQUIRE(learned);
    CHECK(learned->hash() == me.hash());
    CHECK(p.resp->remote_identity()->hash() == me.hash());
    CHECK(p.resp->identify_packet(me, iv).empty()); // only the initiator identifies

    // request / response
    bytes data_enc = msgpack::encode(msgpack::value(bytes{1, 2, 3}));
    auto rq = p.ini->request_packet(1700000000.5, "/echo", data_enc, iv);
    auto rq_plain = p.resp->decrypt(pv(rq).data);
    REQUIRE(rq_plain);
    auto rv = link::parse_request_plaintext(*rq_plain.plaintext);
    REQUIRE(rv);
    CHECK(rv->requested_at == 1700000000.5);
    CHECK(equal(rv->packed_data, data_enc));
    hash16 rid = link::request_id(pv(rq));
    bytes resp_enc = msgpack::encode(msgpack::value("ok"));
    auto rs = p.resp->response_packet(rid, resp_enc, iv);
    auto rs_plain = p.ini->decrypt(pv(rs).data);
    REQUIRE(rs_plain);
    auto sv = link::parse_response_plaintext(*rs_plain.plaintext);
    REQUIRE(sv);
    CHECK(equal(sv->request_id, rid));
    CHECK(equal(sv->packed_response, resp_enc));

    // keepalive bytes
    CHECK(pv(p.ini->keepalive_packet()).data[0] == 0xff);
    CHECK(pv(p.resp->keepalive_packet()).data[0] == 0xfe);

    // close: a LINKCLOSE with another link's id does not close; the right one does
    auto wrong = p.ini->data_packet(ctx::link_close, bytes(16, 0));
    CHECK_FALSE(p.resp->on_close(pv(wrong)));
    CHECK(p.resp->state() == link::status::active);
    auto close = p.ini->close_packet();
    CHECK(p.ini->state() == link::status::closed);
    CHECK(p.resp->on_close(pv(close)));
    CHECK(p.resp->state() == link::status::closed);
    CHECK_FALSE(p.resp->shared_key().has_value());
    CHECK(p.resp->derived_key().empty());
}

TEST_CASE("link: MTU signalling, clamping and the 96-byte proof form") {
    pair big(8192);
    CHECK(big.resp->mtu() == 8192);
    big.establish();
    CHECK(big.ini->mtu() == 8192);
    CHECK(big.ini->mdu() == ((8192 - 1 - 19 - 48) / 16) * 16 - 1);

    pair clamped(8192, 1064);
    CHECK(clamped.resp->mtu() == 1064);
    clamped.establish();
    CHECK(clamped.ini->mtu() == 1064);

    // A responder given the request without signalling uses 500; a 96-byte proof (no signalling)
    // is accepted and means 500.
    identity dest = identity::generate();
    hash16 dh{};
    auto ini = link::session::initiate(dh, dest.ed25519_public(), 0.0, 8192);
    REQUIRE(ini);
    bytes stripped = ini->request_packet();
    stripped.resize(stripped.size() - 3);
    auto resp = link::session::accept(pv(stripped), dest, 0.0);
    REQUIRE(resp);
    CHECK(resp->link_id() == ini->link_id());
    CHECK(resp->mtu() == 500);
    bytes signed_data = link::proof_signed_data(ini->link_id(), resp->own_x25519_public(), dest.ed25519_public(), {});
    bytes proof96 = concat({dest.sign(signed_data), resp->own_x25519_public()});
    auto res = link::validate_proof(proof96, ini->link_id(), dest.ed25519_public(), link::mode::aes256_cbc);
    CHECK(res);
    CHECK_FALSE(res.fields.confirmed_mtu.has_value());
    CHECK(ini->on_proof(pv(link::build_proof_packet(ini->link_id(), proof96)), 1.0) == link::proof_error::ok);
    CHECK(ini->mtu() == 500);
}

TEST_CASE("link: malformed proofs and requests are refused the way the reference refuses them") {
    pair p;
    bytes proof = p.resp->proof_packet();
    auto data = pv(proof).data;
    // wrong sizes leave the link pending
    for (std::size_t cut : {1u, 2u, 4u}) {
        bytes shorter(proof.begin(), proof.end() - static_cast<std::ptrdiff_t>(cut));
        CHECK(p.ini->on_proof(pv(shorter), 1.0) != link::proof_error::ok);
    }
    CHECK(p.ini->state() == link::status::pending);
    // a proof signed for another link id
    auto other = link::validate_proof(data, hash16{}, p.dest.ed25519_public(), link::mode::aes256_cbc);
    CHECK(other.error == link::proof_error::bad_signature);
    // a different signalled mode closes the link (the reference raises inside validate_proof)
    bytes mode_changed = proof;
    mode_changed[mode_changed.size() - 3] = static_cast<std::uint8_t>((mode_changed[mode_changed.size() - 3] & 0x1f) | (2 << 5));
    // a transport node cannot rebuild the signalling of a disabled mode and drops it
    CHECK(link::verify_proof_in_transit(pv(mode_changed).data, p.ini->link_id(), p.dest.ed25519_public()) ==
          link::proof_error::mode_not_enabled);
    CHECK(link::verify_proof_in_transit(data, p.ini->link_id(), p.dest.ed25519_public()) == link::proof_error::ok);
    CHECK(link::verify_proof_in_transit(data.first(98), p.ini->link_id(), p.dest.ed25519_public()) ==
          link::proof_error::bad_size);
    bytes flipped(data.begin(), data.end());
    flipped[70] ^= 0x01; // responder key
    CHECK(link::verify_proof_in_transit(flipped, p.ini->link_id(), p.dest.ed25519_public()) ==
          link::proof_error::bad_signature);
    CHECK(p.ini->on_proof(pv(mode_changed), 1.0) == link::proof_error::mode_mismatch);
    CHECK(p.ini->state() == link::status::closed);
    CHECK(p.ini->on_proof(pv(proof), 1.0) == link::proof_error::wrong_state);

    // requests: only 64 or 67 bytes, only enabled modes
    for (std::size_t n : {0u, 63u, 65u, 66u, 68u}) {
        bytes req = link::build_request_packet(hash16{}, bytes(n, 0x01));
        CHECK(link::parse_request(pv(req)).error == link::request_error::bad_size);
    }
    bytes not_lr = link::build_data_packet(hash16{}, ctx::none, bytes(64, 1));
    CHECK(link::parse_request(pv(not_lr)).error == link::request_error::not_link_request);
    identity public_only = *identity::from_public_key(p.dest.public_key());
    CHECK_FALSE(link::session::accept(pv(p.ini->request_packet()), public_only, 0.0));
    // RTT that is not a msgpack number tears the responder's link down
    pair q;
    REQUIRE(q.ini->on_proof(pv(q.resp->proof_packet()), 1.0) == link::proof_error::ok);
    auto bad_rtt = q.ini->data_packet(ctx::lrrtt, msgpack::encode(msgpack::value("x")));
    CHECK_FALSE(q.resp->on_rtt(pv(bad_rtt), 2.0));
    CHECK(q.resp->state() == link::status::closed);
}

TEST_CASE("link: timers follow spec §7.4") {
    CHECK(link::keepalive_interval(0.0) == 5.0);
    CHECK(link::keepalive_interval(100.0) == 360.0);
    CHECK(link::keepalive_interval(1.0) == doctest::Approx(205.71428571428572));
    CHECK(link::establishment_timeout(0) == 366.0);
    CHECK(link::establishment_timeout(3) == 378.0);
    CHECK(link::mdu_for_mtu(500) == 431);
}
