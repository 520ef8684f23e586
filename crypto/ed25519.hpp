#pragma once
// Ed25519 (RFC 8032, pure, deterministic) as used by identities, announces, proofs and IFAC.

#include "crypto/bytes.hpp"

namespace rns::crypto {

using ed25519_seed = byte_array<32>;
using ed25519_public = byte_array<32>;
using ed25519_signature = byte_array<64>;

/// A signing key: the 32-byte seed expanded once (libsodium's 64-byte secret key = seed ‖ public).
class ed25519_signer {
  public:
    explicit ed25519_signer(const ed25519_seed& seed) noexcept;
    ~ed25519_signer();
    ed25519_signer(const ed25519_signer&) noexcept;
    ed25519_signer& operator=(const ed25519_signer&) noexcept;

    [[nodiscard]] ed25519_signature sign(byte_view msg) const noexcept;
    [[nodiscard]] const ed25519_public& public_key() const noexcept { return _public; }
    /// The 32-byte seed this key was made from (libsodium keeps it as the secret key's first half).
    [[nodiscard]] ed25519_seed seed() const noexcept { return take<32>(_secret); }

  private:
    byte_array<64> _secret;
    ed25519_public _public;
};

/// Verifies a signature with exactly the reference's acceptance rules; false on any failure.
///
/// The reference verifies through pyca/cryptography, i.e. OpenSSL, which (unlike libsodium)
/// accepts small-order public keys and small-order R (e.g. public key = the identity point with
/// signature R = identity, S = 0 verifies for every message). An announce the reference accepts
/// must be accepted here too, or the two disagree about which paths exist; so the verdict is
/// OpenSSL's. libsodium (about twice as fast, tools/bench/run crypto) answers first; OpenSSL is asked
/// only when libsodium refuses and a key or R encoding is one libsodium treats specially.
[[nodiscard]] bool ed25519_verify(const ed25519_public& pub, byte_view msg,
                                  byte_view signature) noexcept;

/// The two engines separately (tests and the benchmark compare them).
[[nodiscard]] bool ed25519_verify_sodium(const ed25519_public& pub, byte_view msg,
                                         byte_view signature) noexcept;
[[nodiscard]] bool ed25519_verify_openssl(const ed25519_public& pub, byte_view msg,
                                          byte_view signature) noexcept;

} // namespace rns::crypto
