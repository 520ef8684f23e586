// identity.json: key material, identity hashes and Ed25519 signatures (spec §2.1, §2.2).
// Both directions: the public half and hashes are derived from the private key and must equal the
// recorded ones; the private key must round-trip; signatures made here must equal the recorded
// bytes; the recorded signatures must verify (through a public-only identity too) and every
// negative variant must be rejected.

#include "crypto/sha256.hpp"
#include "router/rns/identity.hpp"
#include "tests/conformance/registry.hpp"

namespace rns::conformance {
namespace {

void check_signature(context& ctx, const identity& signer, const identity& verifier, const json& s,
                     const std::string& where) {
    const bytes msg = hex(ctx, s.at("message"));
    const bytes sig = hex(ctx, s.at("signature"));
    ctx.check(equal(signer.sign(msg), sig), where + ": signature bytes differ from the reference");
    const bool valid = s.at("valid").get<bool>();
    ctx.check(signer.verify(sig, msg) == valid, where + ": verify (private identity) disagrees");
    ctx.check(verifier.verify(sig, msg) == valid, where + ": verify (public-only identity) disagrees");

    for (const auto& n : s.at("negative")) {
        const std::string what = where + " / " + n.at("what").get<std::string>();
        const bytes nmsg = hex(ctx, n.at("message"));
        const bytes nsig = hex(ctx, n.at("signature"));
        const bool expect = n.at("valid").get<bool>();
        if (n.contains("other_public_key")) {
            auto other = identity::from_public_key(hex(ctx, n.at("other_public_key")));
            if (!ctx.check(other.has_value(), what + ": other public key not 64 bytes")) {
                continue;
            }
            ctx.check(other->verify(nsig, nmsg) == expect, what + ": verify disagrees");
        } else {
            ctx.check(verifier.verify(nsig, nmsg) == expect, what + ": verify disagrees");
        }
    }
}

void check_identity(context& ctx) {
    int n = 0;
    for (const auto& c : ctx.doc.at("cases")) {
        ctx.begin_case();
        const std::string where = "case " + std::to_string(n++) + " (" + c.at("kind").get<std::string>() + ")";
        const bytes prv = hex(ctx, c.at("private_key"));
        const bytes pub = hex(ctx, c.at("public_key"));

        ctx.check(equal(prv, concat({hex(ctx, c.at("x25519_private")), hex(ctx, c.at("ed25519_seed"))})),
                  where + ": private_key is not x25519_private || ed25519_seed");
        ctx.check(equal(pub, concat({hex(ctx, c.at("x25519_public")), hex(ctx, c.at("ed25519_public"))})),
                  where + ": public_key is not x25519_public || ed25519_public");

        auto id = identity::from_private_key(prv);
        auto pub_id = identity::from_public_key(pub);
        if (!ctx.check(id.has_value() && pub_id.has_value(), where + ": keys not accepted")) {
            continue;
        }
        ctx.check(id->has_private_key() && !pub_id->has_private_key(), where + ": private key presence");
        ctx.check(equal(id->private_key(), prv), where + ": private key does not round-trip");
        ctx.check(equal(id->public_key(), pub), where + ": public key derived from private differs");
        ctx.check(equal(id->x25519_public(), hex(ctx, c.at("x25519_public"))), where + ": x25519 public");
        ctx.check(equal(id->ed25519_public(), hex(ctx, c.at("ed25519_public"))), where + ": ed25519 public");
        ctx.check(equal(id->hash(), hex(ctx, c.at("identity_hash"))), where + ": identity hash");
        ctx.check(equal(pub_id->hash(), hex(ctx, c.at("identity_hash"))), where + ": hash from public key");
        ctx.check(id->hexhash() == c.at("identity_hexhash").get<std::string>(), where + ": hexhash");
        ctx.check(equal(crypto::sha256(pub), hex(ctx, c.at("public_key_full_hash"))),
                  where + ": full hash of the public key");
        ctx.check(!identity::from_private_key(byte_view(prv).first(63)).has_value() &&
                      !identity::from_public_key(byte_view(pub).first(63)).has_value(),
                  where + ": 63-byte keys must be refused");

        int k = 0;
        for (const auto& s : c.at("signatures")) {
            check_signature(ctx, *id, *pub_id, s, where + " signature " + std::to_string(k++));
        }
    }
}

} // namespace

RNS_CONFORMANCE_CHECKER("identity.json", check_identity);

} // namespace rns::conformance
