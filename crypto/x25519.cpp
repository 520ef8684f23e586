#include "crypto/x25519.hpp"

#include <sodium.h>

namespace rns::crypto {

x25519_public x25519_public_from_private(const x25519_private& prv) noexcept {
    x25519_public pub;
    crypto_scalarmult_curve25519_base(pub.data(), prv.data());
    return pub;
}

std::optional<byte_array<32>> x25519_shared(const x25519_private& prv,
                                            const x25519_public& peer) noexcept {
    byte_array<32> out;
    if (crypto_scalarmult_curve25519(out.data(), prv.data(), peer.data()) != 0) {
        return std::nullopt;
    }
    return out;
}

} // namespace rns::crypto
