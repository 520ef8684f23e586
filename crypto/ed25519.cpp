#include "crypto/ed25519.hpp"

#include <openssl/evp.h>
#include <sodium.h>

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

bool ed25519_verify(const ed25519_public& pub, byte_view msg, byte_view signature) noexcept {
    // libsodium accepts a strict subset of what OpenSSL accepts (same cofactorless equation and
    // S < L check, plus its own rejection of small-order R / A and non-canonical A), so its "yes"
    // is final and only its "no" needs OpenSSL's opinion. The result is exactly OpenSSL's.
    if (ed25519_verify_sodium(pub, msg, signature)) {
        return true;
    }
    return ed25519_verify_openssl(pub, msg, signature);
}

} // namespace rns::crypto
