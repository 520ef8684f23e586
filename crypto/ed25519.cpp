#include "crypto/ed25519.hpp"

#include <sodium.h>

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

bool ed25519_verify(const ed25519_public& pub, byte_view msg, byte_view signature) noexcept {
    if (signature.size() != crypto_sign_BYTES) {
        return false;
    }
    return crypto_sign_verify_detached(signature.data(), msg.data(), msg.size(), pub.data()) == 0;
}

} // namespace rns::crypto
