// rns::identity: the spec's worked example (Appendix A), key round trips, signatures, and
// encryption / decryption with ratchets (spec §2.5, §2.6), checked against a hand-built token.

#include "crypto/hmac.hpp"
#include "crypto/random.hpp"
#include "crypto/sha256.hpp"
#include "crypto/token.hpp"
#include "crypto/x25519.hpp"
#include "router/rns/identity.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

using namespace rns;

TEST_CASE("identity: spec Appendix A worked example (private key 00..3f)") {
    bytes prv(64);
    for (std::size_t i = 0; i < prv.size(); ++i) {
        prv[i] = static_cast<std::uint8_t>(i);
    }
    auto id = identity::from_private_key(prv);
    REQUIRE(id);
    CHECK(to_hex(id->public_key()) ==
          "8f40c5adb68f25624ae5b214ea767a6ec94d829d3d7b5e1ad1ba6f3e2138285f"
          "29acbae141bccaf0b22e1a94d34d0bc7361e526d0bfe12c89794bc9322966dd7");
    CHECK(id->hexhash() == "aca31af0441d81dbec71e82da0b4b5f5");
    CHECK(id->private_key() == *array_from_hex<64>(to_hex(prv)));
}

TEST_CASE("identity: sizes other than 64 bytes are refused") {
    for (std::size_t n : {0u, 32u, 63u, 65u}) {
        CHECK_FALSE(identity::from_private_key(bytes(n)).has_value());
        CHECK_FALSE(identity::from_public_key(bytes(n)).has_value());
    }
}

TEST_CASE("identity: generated keys round-trip through the 64-byte private form") {
    const identity a = identity::generate();
    const identity b = identity::generate();
    CHECK(a.hash() != b.hash());
    auto a2 = identity::from_private_key(a.private_key());
    REQUIRE(a2);
    CHECK(a2->public_key() == a.public_key());
    // Hash = T(public key) (spec §1.1), computed here independently.
    CHECK(a.hash() == take<16>(crypto::sha256(a.public_key())));
    auto pub = identity::from_public_key(a.public_key());
    REQUIRE(pub);
    CHECK_FALSE(pub->has_private_key());
    CHECK(pub->hash() == a.hash());
    CHECK(pub->private_key() == byte_array<64>{});
}

TEST_CASE("identity: sign and verify (spec §2.2)") {
    const identity a = identity::generate();
    const identity other = identity::generate();
    const auto pub = *identity::from_public_key(a.public_key());
    const byte_view msg = as_bytes("announce me");
    const auto sig = a.sign(msg);
    CHECK(pub.verify(sig, msg));
    CHECK_FALSE(pub.verify(sig, as_bytes("announce you")));
    CHECK_FALSE(other.verify(sig, msg));
    CHECK_FALSE(pub.verify(byte_view(sig).first(63), msg));
    // Signing is deterministic (RFC 8032): the same message gives the same bytes.
    CHECK(a.sign(msg) == sig);
    // A public-only identity cannot sign: its zero signature never verifies.
    CHECK_FALSE(pub.verify(pub.sign(msg), msg));
}

TEST_CASE("identity: encrypt equals a token built by hand from spec §2.5") {
    const identity recipient = identity::generate();
    const auto eph = crypto::random_array<32>();
    const auto iv = crypto::random_array<16>();
    const byte_view pt = as_bytes("for your eyes only");

    const auto shared = *crypto::x25519_shared(eph, recipient.x25519_public());
    const bytes key = crypto::hkdf(64, shared, recipient.hash()); // salt = identity hash
    const bytes want = concat({crypto::x25519_public_from_private(eph), crypto::token(key).encrypt(pt, iv)});
    CHECK(recipient.encrypt(pt, eph, iv) == want);

    auto r = recipient.decrypt(want);
    REQUIRE(r);
    CHECK(equal(*r.plaintext, pt));
    CHECK_FALSE(r.ratchet_used.has_value());
}

TEST_CASE("identity: random encryption round trip, every length up to the encrypted MDU") {
    const identity recipient = identity::generate();
    const auto sender_view = *identity::from_public_key(recipient.public_key());
    for (std::size_t n = 0; n <= 383; n += 17) {
        bytes pt(n);
        crypto::random_fill(pt);
        const bytes c = sender_view.encrypt(pt);
        CHECK(c.size() == 32 + crypto::token_overhead + (n / 16 + 1) * 16);
        auto r = recipient.decrypt(c);
        REQUIRE(r);
        CHECK(*r.plaintext == pt);
    }
}

TEST_CASE("identity: ratchets tried newest first, id reported, enforcement (spec §2.6)") {
    const identity recipient = identity::generate();
    const auto sender_view = *identity::from_public_key(recipient.public_key());
    std::vector<crypto::x25519_private> ratchets;
    for (int i = 0; i < 4; ++i) {
        ratchets.push_back(identity::generate_ratchet());
    }
    const auto target = identity::ratchet_public(ratchets[2]);
    // ratchet id = H(ratchet public)[0:10] (spec §1.1), computed here independently.
    const auto want_id = take<10>(crypto::sha256(target));
    CHECK(identity::ratchet_id_of(target) == want_id);

    const byte_view pt = as_bytes("ratcheted");
    const bytes c = sender_view.encrypt(pt, target);

    auto r = recipient.decrypt(c, ratchets, false);
    REQUIRE(r);
    CHECK(equal(*r.plaintext, pt));
    REQUIRE(r.ratchet_used);
    CHECK(*r.ratchet_used == want_id);

    r = recipient.decrypt(c, ratchets, true);
    CHECK(r);

    // Ratchet not retained: the identity key is tried and fails; with enforcement it is not tried.
    const std::vector<crypto::x25519_private> others{ratchets[0], ratchets[1]};
    r = recipient.decrypt(c, others, false);
    CHECK_FALSE(r);
    CHECK(r.error == decrypt_error::bad_token);
    CHECK_FALSE(r.ratchet_used);
    r = recipient.decrypt(c, others, true);
    CHECK(r.error == decrypt_error::ratchet_required);

    // An identity-key token: decrypts through the fallback unless ratchets are enforced.
    const bytes plain_c = sender_view.encrypt(pt);
    r = recipient.decrypt(plain_c, others, false);
    CHECK(r);
    CHECK_FALSE(r.ratchet_used);
    CHECK(recipient.decrypt(plain_c, others, true).error == decrypt_error::ratchet_required);
}

TEST_CASE("identity: decrypt failures carry a reason") {
    const identity recipient = identity::generate();
    const auto pub = *identity::from_public_key(recipient.public_key());
    const bytes c = pub.encrypt(as_bytes("hello"));
    CHECK(pub.decrypt(c).error == decrypt_error::no_private_key);
    CHECK(recipient.decrypt(byte_view(c).first(32)).error == decrypt_error::too_short);
    CHECK(recipient.decrypt(bytes{}).error == decrypt_error::too_short);
    // An all-zero ephemeral key is of low order: X25519 yields zero and is refused.
    bytes zero_eph = c;
    std::fill_n(zero_eph.begin(), 32, 0);
    CHECK(recipient.decrypt(zero_eph).error == decrypt_error::key_exchange);
    bytes flipped = c;
    flipped.back() ^= 1;
    auto r = recipient.decrypt(flipped);
    CHECK(r.error == decrypt_error::bad_token);
    CHECK(r.token_error == crypto::token_error::bad_hmac);
    // Encrypting to a low-order ratchet key fails visibly instead of producing a token.
    CHECK(pub.encrypt(as_bytes("x"), crypto::x25519_public{}).empty());
}

TEST_CASE("identity: a moved-from identity holds no private key") {
    identity a = identity::generate();
    const auto pub = a.public_key();
    identity b = std::move(a);
    CHECK(b.has_private_key());
    CHECK(b.public_key() == pub);
    CHECK_FALSE(a.has_private_key()); // NOLINT(bugprone-use-after-move): checking the wipe
    CHECK(a.private_key() == byte_array<64>{});
}

TEST_CASE("identity: file round trip in the reference's 64-byte format, owner-only") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("rns_identity_test_" + to_hex(crypto::random_array<6>()));
    fs::create_directories(dir);
    const std::string path = (dir / "identity").string();

    const identity a = identity::generate();
    REQUIRE(a.to_file(path));
    CHECK_FALSE(fs::exists(path + ".tmp"));
    CHECK(fs::file_size(path) == 64);
    CHECK((fs::status(path).permissions() & (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none);
    std::ifstream raw(path, std::ios::binary);
    bytes content((std::istreambuf_iterator<char>(raw)), std::istreambuf_iterator<char>());
    CHECK(equal(content, a.private_key())); // exactly X25519 prv || Ed25519 seed (spec §2.1)

    auto b = identity::from_file(path);
    REQUIRE(b);
    CHECK(b.error.empty());
    CHECK(b.id->public_key() == a.public_key());

    // Overwriting replaces the key; wrong sizes and missing files are refused.
    const identity c = identity::generate();
    REQUIRE(c.to_file(path));
    CHECK(identity::from_file(path).id->hash() == c.hash());
    std::ofstream(path, std::ios::binary | std::ios::app) << 'x';
    auto longer = identity::from_file(path);
    CHECK_FALSE(longer);
    CHECK(longer.error == path + ": an identity file holds exactly 64 bytes, found more");
    std::ofstream(path, std::ios::binary | std::ios::trunc) << "short";
    auto shorter = identity::from_file(path);
    CHECK_FALSE(shorter);
    CHECK(shorter.error == path + ": an identity file holds exactly 64 bytes, found 5");
    const std::string missing = (dir / "missing").string();
    auto none = identity::from_file(missing);
    CHECK_FALSE(none);
    CHECK(none.error == "cannot open " + missing + ": No such file or directory");
    auto pub = identity::from_public_key(a.public_key())->to_file((dir / "pub").string());
    CHECK_FALSE(pub);
    CHECK(pub.error.find("public-only") != std::string::npos);
    auto nodir = a.to_file((dir / "no" / "such").string());
    CHECK_FALSE(nodir);
    CHECK(nodir.error.find("cannot create") == 0);
    fs::remove_all(dir);
}

TEST_CASE("identity: from_file_or_create makes the transport identity once (64 bytes, 0600), then reads it") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("rns_identity_create_" + to_hex(crypto::random_array<6>()));
    fs::create_directories(dir);
    const std::string path = (dir / transport_identity_file).string();
    auto first = identity::from_file_or_create(path);
    REQUIRE(first);
    CHECK(first.created);
    CHECK(fs::file_size(path) == 64);
    CHECK((fs::status(path).permissions() & (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none);
    auto second = identity::from_file_or_create(path);
    REQUIRE(second);
    CHECK_FALSE(second.created);
    CHECK(second.id->private_key() == first.id->private_key());
    CHECK(second.id->hash() == first.id->hash());
    // An existing file of the wrong size is refused, not replaced.
    std::ofstream(path, std::ios::binary | std::ios::trunc) << "short";
    auto bad = identity::from_file_or_create(path);
    CHECK_FALSE(bad);
    CHECK_FALSE(bad.error.empty());
    CHECK(fs::file_size(path) == 5);
    fs::remove_all(dir);
}
