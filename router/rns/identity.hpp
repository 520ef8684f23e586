#pragma once
// A Reticulum identity (spec §2): an X25519 key for encryption and an Ed25519 key for signatures.
//
//   private key (64) = X25519 private (32) ‖ Ed25519 seed (32)   (spec §2.1, the on-disk form)
//   public key  (64) = X25519 public  (32) ‖ Ed25519 public (32)
//   hash        (16) = T(public key)
//
// Encryption to a SINGLE destination (spec §2.5) and decryption with ratchets (spec §2.6) use the
// Token cipher (crypto/token.hpp). GROUP destinations use crypto::token directly (spec §2.7).
// Private keys are wiped when the identity is destroyed.

#include "crypto/ed25519.hpp"
#include "crypto/token.hpp"
#include "crypto/x25519.hpp"
#include "router/rns/bytes.hpp"

#include <optional>
#include <span>
#include <string>

namespace rns {

using crypto::ed25519_signature;

inline constexpr std::size_t identity_key_size = 64;   ///< public or private key (spec §1.2 KEYSIZE)
inline constexpr std::size_t ratchet_key_size = 32;    ///< RATCHETSIZE
inline constexpr std::size_t ratchet_id_size = 10;     ///< spec §1.1 "ratchet id"
using ratchet_id = hash10;

/// Why Identity.decrypt (spec §2.6) produced nothing. The reference returns None in every case.
enum class decrypt_error {
    none,
    no_private_key,     ///< a public-only identity cannot decrypt
    too_short,          ///< 32 bytes or less: no room for an ephemeral key and a token
    ratchet_required,   ///< ratchets enforced and none of them decrypted the token
    key_exchange,       ///< X25519 output all zero (low-order ephemeral key)
    bad_token,          ///< the token failed (HMAC, length or padding; see token_error)
};

const char* to_string(decrypt_error e) noexcept;

struct decrypt_result {
    std::optional<bytes> plaintext;
    decrypt_error error = decrypt_error::none;
    crypto::token_error token_error{};      ///< detail when error == bad_token
    std::optional<ratchet_id> ratchet_used; ///< the ratchet that decrypted it; nullopt = identity key
    explicit operator bool() const noexcept { return plaintext.has_value(); }
};

struct identity_file_result;

/// Outcome of writing an identity file: true, or false with a message naming the file and cause.
struct identity_write_result {
    std::string error;
    explicit operator bool() const noexcept { return error.empty(); }
};

/// File name of a transport node's identity in its state directory (the reference's
/// storage/transport_identity, spec §6.16).
inline constexpr const char* transport_identity_file = "transport_identity";

class identity {
  public:
    /// A new identity from 64 fresh random bytes (X25519 private first, then the Ed25519 seed).
    [[nodiscard]] static identity generate();
    /// From the 64-byte private key form (spec §2.1); nullopt unless exactly 64 bytes.
    [[nodiscard]] static std::optional<identity> from_private_key(byte_view private_key);
    /// Reads an identity file in the reference's format (Identity.to_file: the 64-byte private key
    /// and nothing else); an error (path and cause) if it cannot be read or is not exactly 64 bytes.
    [[nodiscard]] static identity_file_result from_file(const std::string& path);
    /// Reads path, or if it does not exist generates an identity and writes it there (to_file);
    /// `created` tells which.
    [[nodiscard]] static identity_file_result from_file_or_create(const std::string& path);
    /// From a 64-byte public key (announce, LINKIDENTIFY); nullopt unless exactly 64 bytes.
    /// Any 64 bytes are accepted, as the reference does; a bad Ed25519 point fails at verify.
    [[nodiscard]] static std::optional<identity> from_public_key(byte_view public_key);

    ~identity();
    identity(const identity&);
    identity& operator=(const identity&);
    identity(identity&&) noexcept;
    identity& operator=(identity&&) noexcept;

    [[nodiscard]] bool has_private_key() const noexcept { return _signer.has_value(); }
    /// The 64-byte private key (zeros for a public-only identity). The caller should wipe it.
    [[nodiscard]] byte_array<64> private_key() const noexcept;
    [[nodiscard]] byte_array<64> public_key() const noexcept;
    /// Writes the private key in the reference's file format, readable by the owner only (0600),
    /// replacing `path` atomically (temporary file, fsync, rename). An error (path and cause) on
    /// any failure or for a public-only identity.
    [[nodiscard]] identity_write_result to_file(const std::string& path) const;
    [[nodiscard]] const crypto::x25519_public& x25519_public() const noexcept { return _x25519_pub; }
    [[nodiscard]] const crypto::ed25519_public& ed25519_public() const noexcept { return _ed25519_pub; }
    /// Identity hash T(public key) (spec §1.1).
    [[nodiscard]] const hash16& hash() const noexcept { return _hash; }
    [[nodiscard]] std::string hexhash() const { return to_hex(_hash); }

    /// Ed25519 signature over msg (spec §2.2). Needs the private key: a public-only identity
    /// returns an all-zero signature, which never verifies.
    [[nodiscard]] ed25519_signature sign(byte_view msg) const noexcept;
    /// Ed25519 verification against the public key's second half (spec §2.2).
    [[nodiscard]] bool verify(byte_view signature, byte_view msg) const noexcept;

    /// Encrypts to this identity (spec §2.5): ephemeral X25519 key, HKDF with the identity hash as
    /// salt, Token. Targets ratchet_public instead of the identity's X25519 key when given.
    /// Returns ephemeral public (32) ‖ token, or empty bytes when the key exchange fails (target of
    /// low order: the reference raises there too).
    [[nodiscard]] bytes encrypt(byte_view plaintext,
                                const std::optional<crypto::x25519_public>& ratchet_public = {}) const;
    /// Deterministic form for vectors and tests: the ephemeral private key and the IV are given.
    [[nodiscard]] bytes encrypt(byte_view plaintext, const crypto::x25519_private& ephemeral_private,
                                const byte_array<16>& iv,
                                const std::optional<crypto::x25519_public>& ratchet_public = {}) const;

    /// Decrypts ephemeral public (32) ‖ token (spec §2.6). Tries each ratchet private key in the
    /// given order (newest first); the first that decrypts wins and its id is reported. When none
    /// does: fails with ratchet_required if enforce_ratchets, else falls back to the identity key.
    [[nodiscard]] decrypt_result decrypt(byte_view ciphertext,
                                         std::span<const crypto::x25519_private> ratchets = {},
                                         bool enforce_ratchets = false) const;

    /// A fresh ratchet private key (32 random bytes, kept unclamped like identity keys).
    [[nodiscard]] static crypto::x25519_private generate_ratchet();
    [[nodiscard]] static crypto::x25519_public ratchet_public(const crypto::x25519_private& prv) noexcept;
    /// H(ratchet public)[0:10] (spec §1.1).
    [[nodiscard]] static ratchet_id ratchet_id_of(const crypto::x25519_public& ratchet_pub) noexcept;

    /// HKDF(64, shared, salt = identity hash) → Token key (spec §2.5 step 4). Exposed for links'
    /// sibling derivations and for tests.
    [[nodiscard]] static byte_array<64> derive_key(const byte_array<32>& shared, const hash16& salt) noexcept;

  private:
    identity() = default;
    void wipe() noexcept;
    void set_public(const crypto::x25519_public& x, const crypto::ed25519_public& ed) noexcept;
    [[nodiscard]] std::optional<bytes> try_decrypt(const crypto::x25519_private& prv,
                                                   const crypto::x25519_public& peer, byte_view token,
                                                   decrypt_result& res) const;

    crypto::x25519_private _x25519_prv{};     ///< unclamped, as stored (spec §2.1)
    std::optional<crypto::ed25519_signer> _signer;
    crypto::x25519_public _x25519_pub{};
    crypto::ed25519_public _ed25519_pub{};
    hash16 _hash{};
};

/// An identity read from (or created in) a file, or why not.
struct identity_file_result {
    std::optional<identity> id;
    std::string error;    ///< set iff !id: the path and the cause
    bool created = false; ///< from_file_or_create wrote a new identity
    explicit operator bool() const noexcept { return id.has_value(); }
};

} // namespace rns
