// Packet proofs (spec §8): implicit and explicit forms, and their rejections.

#include "router/rns/identity.hpp"
#include "router/rns/proof.hpp"

#include <doctest/doctest.h>

using namespace rns;

TEST_CASE("implicit and explicit proofs build, parse and validate") {
    const identity id = identity::generate();
    const identity stranger = identity::generate();
    hash32 h{};
    for (std::size_t i = 0; i < h.size(); ++i) {
        h[i] = static_cast<std::uint8_t>(i);
    }
    for (bool explicit_proof : {false, true}) {
        const bytes raw = build_proof(id, h, explicit_proof);
        auto p = parse_packet(raw);
        REQUIRE(p);
        CHECK(p.packet.flags_byte == 0x03); // HEADER_1 SINGLE PROOF (spec §8)
        CHECK(p.packet.context == ctx::none);
        CHECK(equal(p.packet.destination_hash, byte_view(h).first(16)));
        CHECK(p.packet.data.size() == (explicit_proof ? explicit_proof_size : implicit_proof_size));
        const auto split = split_proof(p.packet.data);
        REQUIRE(split);
        CHECK(split->packet_hash.size() == (explicit_proof ? 32u : 0u));
        CHECK(id.verify(split->signature, h));
        CHECK(validate_proof(p.packet.data, h, id.ed25519_public()) == proof_error::ok);
        CHECK(validate_proof(p.packet.data, h, stranger.ed25519_public()) == proof_error::bad_signature);
        hash32 other = h;
        other[31] ^= 0x80;
        CHECK(validate_proof(p.packet.data, other, id.ed25519_public()) ==
              (explicit_proof ? proof_error::hash_mismatch : proof_error::bad_signature));
        CHECK(validate_proof(p.packet.data.first(p.packet.data.size() - 1), h, id.ed25519_public()) ==
              proof_error::bad_length);
    }
    auto pub = identity::from_public_key(id.public_key());
    REQUIRE(pub);
    CHECK(build_proof(*pub, h, false).empty());
}
