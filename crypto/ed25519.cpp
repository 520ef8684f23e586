#include "crypto/ed25519.hpp"

#include <openssl/evp.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <memory>

namespace rns::crypto {

ed25519_signer::ed25519_signer(const ed25519_seed& seed) noexcept {
    crypto_sign_seed_keypair(_public.data(), _secret.data(), seed.data());
}

ed25519_signer::~ed25519_signer() { sodium_memzero(_secret.data(), _secret.size()); }

ed25519_signer::ed25519_signer(const ed25519_signer&) noexcept = default;
ed25519_signer& ed25519_signer::operator=(const ed25519_signer&) noexcept = default;

ed25519_signature ed25519_signer::sign(byte_view msg) const noexcept {
    ed25519_signature sig;
    crypto_sign_detached(sig.data(), nullptr, msg.data(), msg.size(), _secret.data());
    return sig;
}

namespace {
struct pkey_free {
    void operator()(EVP_PKEY* k) const noexcept { EVP_PKEY_free(k); }
};
struct md_ctx_free {
    void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
};
} // namespace

bool ed25519_verify_openssl(const ed25519_public& pub, byte_view msg, byte_view signature) noexcept {
    if (signature.size() != 64) {
        return false;
    }
    std::unique_ptr<EVP_PKEY, pkey_free> key(
        EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, pub.data(), pub.size()));
    std::unique_ptr<EVP_MD_CTX, md_ctx_free> ctx(EVP_MD_CTX_new());
    if (!key || !ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) {
        return false;
    }
    return EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), msg.data(), msg.size()) == 1;
}

bool ed25519_verify_sodium(const ed25519_public& pub, byte_view msg, byte_view signature) noexcept {
    if (signature.size() != crypto_sign_BYTES) {
        return false;
    }
    return crypto_sign_verify_detached(signature.data(), msg.data(), msg.size(), pub.data()) == 0;
}

namespace {

// The y coordinates (little-endian, sign bit cleared) of the eight points of order dividing 8:
// y = 0 (order 4), 1 (the identity), p-1 (order 2), and two of order 8. Derived as [L]P for points
// P of the curve; libsodium's small-order blocklist rejects exactly these (and their unreduced
// aliases, caught by the y >= p test below).
constexpr std::array<std::array<std::uint8_t, 32>, 5> small_order_y = {{
    {0x00},
    {0x01},
    {0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
    {0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0,
     0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05},
    {0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f,
     0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a},
}};

/// True when libsodium's own rules (beyond the verification equation and S < L, which OpenSSL
/// shares) could refuse this point encoding: it is of small order, or its y is not reduced (>= p).
bool beyond_sodium_rules(const std::uint8_t* enc) noexcept {
    std::array<std::uint8_t, 32> y;
    std::copy_n(enc, 32, y.begin());
    y[31] &= 0x7f;
    // p = 2^255 - 19 is ed ff .. ff 7f (little-endian): y >= p iff y[31] == 7f, y[1..30] all ff,
    // y[0] >= ed.
    bool high = y[31] == 0x7f && y[0] >= 0xed;
    for (std::size_t i = 1; high && i < 31; ++i) {
        high = y[i] == 0xff;
    }
    if (high) {
        return true;
    }
    return std::any_of(small_order_y.begin(), small_order_y.end(), [&](const auto& s) { return s == y; });
}

} // namespace

bool ed25519_verify(const ed25519_public& pub, byte_view msg, byte_view signature) noexcept {
    if (signature.size() != 64) {
        return false;
    }
    // The reference's verdict is OpenSSL's. libsodium (twice as fast) computes the same
    // cofactorless equation with the same S < L check, and additionally refuses small-order or
    // unreduced A and small-order R. So: its "yes" is final; its "no" is final unless A or R is one
    // of those encodings, and only then is OpenSSL asked. Valid and ordinary invalid signatures
    // cost one libsodium verification.
    if (ed25519_verify_sodium(pub, msg, signature)) {
        return true;
    }
    if (!beyond_sodium_rules(pub.data()) && !beyond_sodium_rules(signature.data())) {
        return false;
    }
    return ed25519_verify_openssl(pub, msg, signature);
}

} // namespace rns::crypto
