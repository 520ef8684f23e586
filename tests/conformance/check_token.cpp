// token.json: the Token cipher and Identity encryption (spec §2.3-2.7), both directions.
// - identity_encrypt / ratchet_encrypt: rebuilt byte-exact from the recorded ephemeral key and IV
//   (every intermediate too: shared key, HKDF output, key split), then decrypted by the recipient;
// - decrypt_only: decryption with ratchet lists, enforcement, and the reported ratchet id;
// - tampered: every altered token rejected;
// - symmetric: GROUP / Token encryption rebuilt byte-exact (AES-256 and AES-128) and decrypted;
// - odd_padding: what the reference's lax PKCS7 unpadding accepts and rejects, reproduced exactly;
// - hkdf: output bytes for every length / salt / context combination.

#include "crypto/hmac.hpp"
#include "crypto/token.hpp"
#include "crypto/x25519.hpp"
#include "router/rns/identity.hpp"
#include "tests/conformance/registry.hpp"

#include <vector>

namespace rns::conformance {
namespace {

template <std::size_t N>
std::optional<byte_array<N>> fixed(context& ctx, const json& v, const std::string& what) {
    const bytes b = hex(ctx, v);
    if (b.size() != N) {
        ctx.fail(what + ": expected " + std::to_string(N) + " bytes, got " + std::to_string(b.size()));
        return std::nullopt;
    }
    return take<N>(b);
}

std::string label(const char* list, int i) { return std::string(list) + "[" + std::to_string(i) + "]"; }

// Shared by identity_encrypt and ratchet_encrypt: rebuild and decrypt one public-key token.
void check_public_key_token(context& ctx, const json& c, const std::string& where, bool ratchet) {
    auto recipient = identity::from_private_key(hex(ctx, c.at("recipient_private_key")));
    auto recipient_pub = identity::from_public_key(hex(ctx, c.at("recipient_public_key")));
    auto eph = fixed<32>(ctx, c.at("ephemeral_private"), where + " ephemeral_private");
    auto iv = fixed<16>(ctx, c.at("iv"), where + " iv");
    if (!ctx.check(recipient && recipient_pub && eph && iv, where + ": malformed case")) {
        return;
    }
    const bytes plaintext = hex(ctx, c.at("plaintext"));
    const bytes want = hex(ctx, c.at("token"));
    ctx.check(equal(recipient->public_key(), recipient_pub->public_key()), where + ": recipient public key");
    ctx.check(equal(recipient_pub->hash(), hex(ctx, c.at("recipient_identity_hash"))),
              where + ": recipient identity hash");

    std::optional<crypto::x25519_public> ratchet_pub;
    std::vector<crypto::x25519_private> ratchets;
    if (ratchet) {
        auto rprv = fixed<32>(ctx, c.at("ratchet_private"), where + " ratchet_private");
        if (!rprv) {
            return;
        }
        ratchets.push_back(*rprv);
        ratchet_pub = identity::ratchet_public(*rprv);
        ctx.check(equal(*ratchet_pub, hex(ctx, c.at("ratchet_public"))), where + ": ratchet public key");
        ctx.check(equal(identity::ratchet_id_of(*ratchet_pub), hex(ctx, c.at("ratchet_id"))),
                  where + ": ratchet id");
    }

    // Intermediates of spec §2.5, so a mismatch says which step differs.
    const crypto::x25519_public target = ratchet_pub ? *ratchet_pub : recipient_pub->x25519_public();
    auto shared = crypto::x25519_shared(*eph, target);
    ctx.check(shared && equal(*shared, hex(ctx, c.at("shared_key"))), where + ": X25519 shared key");
    if (shared) {
        const auto key = identity::derive_key(*shared, recipient_pub->hash());
        ctx.check(equal(key, hex(ctx, c.at("derived_key"))), where + ": HKDF derived key");
        if (c.contains("signing_key")) {
            ctx.check(equal(byte_view(key).first(32), hex(ctx, c.at("signing_key"))) &&
                          equal(byte_view(key).subspan(32), hex(ctx, c.at("encryption_key"))),
                      where + ": signing/encryption key split");
        }
    }
    const auto& parts = c.at("token_parts");
    ctx.check(equal(want, concat({hex(ctx, parts.at("ephemeral_public")), hex(ctx, parts.at("iv")),
                                  hex(ctx, parts.at("ciphertext")), hex(ctx, parts.at("hmac"))})),
              where + ": token_parts do not concatenate to the token");
    ctx.check(equal(crypto::x25519_public_from_private(*eph), hex(ctx, parts.at("ephemeral_public"))),
              where + ": ephemeral public key");

    // Build direction: the public-only identity (what a sender has) produces the exact bytes.
    ctx.check(equal(recipient_pub->encrypt(plaintext, *eph, *iv, ratchet_pub), want),
              where + ": encrypt output differs from the reference token");

    // Parse direction: the recipient decrypts it, reporting the ratchet that did.
    auto r = recipient->decrypt(want, ratchets, false);
    ctx.check(r && equal(*r.plaintext, plaintext), where + ": recipient cannot decrypt");
    if (ratchet) {
        ctx.check(r.ratchet_used && equal(*r.ratchet_used, hex(ctx, c.at("decrypt_ratchet_id_reported"))),
                  where + ": reported ratchet id");
    } else {
        ctx.check(!r.ratchet_used, where + ": a ratchet was reported for an identity-key token");
    }
    // A public-only identity can never decrypt.
    ctx.check(!recipient_pub->decrypt(want) &&
                  recipient_pub->decrypt(want).error == decrypt_error::no_private_key,
              where + ": public-only identity decrypted");
}

void check_decrypt_only(context& ctx, const json& c, const std::string& where) {
    auto recipient = identity::from_private_key(hex(ctx, c.at("recipient_private_key")));
    if (!ctx.check(recipient.has_value(), where + ": recipient key")) {
        return;
    }
    std::vector<crypto::x25519_private> ratchets;
    for (const auto& r : c.at("ratchets")) {
        if (auto k = fixed<32>(ctx, r, where + " ratchet")) {
            ratchets.push_back(*k);
        }
    }
    const bool enforce = c.at("enforce_ratchets").get<bool>();
    auto r = recipient->decrypt(hex(ctx, c.at("token")), ratchets, enforce);
    if (c.at("plaintext").is_null()) {
        ctx.check(!r, where + ": decrypted, the reference returned None");
        if (enforce) {
            ctx.check(r.error == decrypt_error::ratchet_required, where + ": error should be ratchet_required");
        }
    } else {
        ctx.check(r && equal(*r.plaintext, hex(ctx, c.at("plaintext"))), where + ": plaintext differs");
    }
    if (c.at("ratchet_id_used").is_null()) {
        ctx.check(!r.ratchet_used, where + ": reported a ratchet id, the reference did not");
    } else {
        ctx.check(r.ratchet_used && equal(*r.ratchet_used, hex(ctx, c.at("ratchet_id_used"))),
                  where + ": ratchet id used");
    }
}

void check_tampered(context& ctx, const json& c, const std::string& where) {
    auto recipient = identity::from_private_key(hex(ctx, c.at("recipient_private_key")));
    if (!ctx.check(recipient.has_value() && c.at("plaintext").is_null(), where + ": malformed case")) {
        return;
    }
    const bytes tok = hex(ctx, c.at("token"));
    // Every case alters the token except the one that changes the recipient instead.
    const bool wrong_recipient = c.at("what").get<std::string>().find("wrong identity") != std::string::npos;
    ctx.check(wrong_recipient || !equal(tok, hex(ctx, c.at("original_token"))),
              where + ": token not actually altered");
    auto r = recipient->decrypt(tok);
    ctx.check(!r && r.error != decrypt_error::none, where + ": tampered token accepted");
}

void check_symmetric(context& ctx, const json& c, const std::string& where) {
    const bytes key = hex(ctx, c.at("key"));
    auto iv = fixed<16>(ctx, c.at("iv"), where + " iv");
    if (!iv) {
        return;
    }
    const std::string mode = c.at("mode").get<std::string>();
    ctx.check((mode == "AES_256_CBC" && key.size() == 64) || (mode == "AES_128_CBC" && key.size() == 32),
              where + ": mode " + mode + " does not match the key size");
    ctx.check(equal(concat({hex(ctx, c.at("signing_key")), hex(ctx, c.at("encryption_key"))}), key),
              where + ": signing || encryption key is not the key");
    const bytes plaintext = hex(ctx, c.at("plaintext"));
    const bytes want = hex(ctx, c.at("token"));
    const auto& parts = c.at("token_parts");
    ctx.check(equal(want, concat({hex(ctx, parts.at("iv")), hex(ctx, parts.at("ciphertext")),
                                  hex(ctx, parts.at("hmac"))})),
              where + ": token_parts do not concatenate to the token");

    const crypto::token tok(key);
    ctx.check(equal(tok.encrypt(plaintext, *iv), want), where + ": encrypt output differs");
    auto r = tok.decrypt(want);
    ctx.check(r && equal(*r.plaintext, plaintext), where + ": decrypt failed or differs");
}

// The reference's error text names the failure; map it to our enum so the reason matches too.
std::optional<crypto::token_error> expected_error(const std::string& text) {
    if (text.find("not a multiple of the block length") != std::string::npos) {
        return crypto::token_error::bad_length;
    }
    if (text.find("unpad") != std::string::npos || text.find("index out of range") != std::string::npos) {
        return crypto::token_error::bad_padding; // "index out of range": nothing to unpad
    }
    return std::nullopt;
}

void check_odd_padding(context& ctx, const json& c, const std::string& where) {
    const crypto::token tok(hex(ctx, c.at("key")));
    const json& want = c.at("rns_result");
    auto r = tok.decrypt(hex(ctx, c.at("token")));
    if (want.at("ok").get<bool>()) {
        ctx.check(r && equal(*r.plaintext, hex(ctx, want.at("plaintext"))),
                  where + ": the reference accepts this padding; plaintext must match");
    } else {
        auto err = expected_error(want.at("error").get<std::string>());
        ctx.check(err.has_value(), where + ": reference error text not understood: " + want.at("error").dump());
        ctx.check(!r && err && r.error == *err,
                  where + ": must be rejected with " + (err ? crypto::to_string(*err) : "?") + ", got " +
                      (r ? "success" : crypto::to_string(r.error)));
    }
}

void check_hkdf(context& ctx, const json& c, const std::string& where) {
    const std::size_t length = c.at("length").get<std::size_t>();
    const bytes ikm = hex(ctx, c.at("derive_from"));
    const bytes salt = hex(ctx, c.at("salt"));       // null or "" both mean 32 zero bytes
    const bytes info = hex(ctx, c.at("context"));    // null means empty
    const bytes out = crypto::hkdf(length, ikm, salt, info);
    ctx.check(equal(out, hex(ctx, c.at("okm"))), where + ": HKDF output differs");
}

void check_token(context& ctx) {
    using handler = void (*)(context&, const json&, const std::string&);
    struct section {
        const char* name;
        handler fn;
    };
    static constexpr section sections[] = {
        {"identity_encrypt", [](context& x, const json& c, const std::string& w) { check_public_key_token(x, c, w, false); }},
        {"ratchet_encrypt", [](context& x, const json& c, const std::string& w) { check_public_key_token(x, c, w, true); }},
        {"decrypt_only", check_decrypt_only},
        {"tampered", check_tampered},
        {"symmetric", check_symmetric},
        {"odd_padding", check_odd_padding},
        {"hkdf", check_hkdf},
    };
    for (const auto& s : sections) {
        if (!ctx.doc.contains(s.name) || ctx.doc.at(s.name).empty()) {
            ctx.fail(std::string("section '") + s.name + "' missing or empty");
            continue;
        }
        int i = 0;
        for (const auto& c : ctx.doc.at(s.name)) {
            ctx.begin_case();
            std::string where = label(s.name, i++);
            if (c.contains("what")) {
                where += " (" + c.at("what").get<std::string>() + ")";
            }
            s.fn(ctx, c, where);
        }
    }
    // The constants the description records.
    ctx.check(ctx.doc.at("description").at("constants").at("TOKEN_OVERHEAD").get<std::size_t>() ==
                  crypto::token_overhead,
              "TOKEN_OVERHEAD differs");
}

} // namespace

RNS_CONFORMANCE_CHECKER("token.json", check_token);

} // namespace rns::conformance
