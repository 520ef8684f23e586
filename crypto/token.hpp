#pragma once
// The Token cipher (Reticulum's modified Fernet, spec §2.4):
//   token = IV(16) ‖ AES-CBC(enc_key, IV, PKCS7(plaintext)) ‖ HMAC-SHA256(sign_key, IV ‖ ciphertext)
// A 64-byte key selects AES-256 (sign = key[0:32], enc = key[32:64]); a 32-byte key AES-128 (16/16).

#include "crypto/bytes.hpp"

#include <optional>

namespace rns::crypto {

inline constexpr std::size_t token_overhead = 48; ///< IV + HMAC (spec §1.2)

enum class token_error {
    bad_key_size,
    too_short,    ///< 32 bytes or less: no room for an HMAC over anything
    bad_hmac,
    bad_length,   ///< ciphertext not a whole number of blocks
    bad_padding,  ///< pad byte above the block size, or nothing to unpad
};

const char* to_string(token_error e) noexcept;

class token {
  public:
    /// key must be 32 or 64 bytes; otherwise every operation fails with bad_key_size.
    explicit token(byte_view key) noexcept;
    ~token();
    token(const token&) noexcept;
    token& operator=(const token&) noexcept;

    /// Encrypts with a fresh random IV.
    [[nodiscard]] bytes encrypt(byte_view plaintext) const;
    /// Encrypts with the given IV (deterministic; used by tests and vectors).
    [[nodiscard]] bytes encrypt(byte_view plaintext, const byte_array<16>& iv) const;

    struct result {
        std::optional<bytes> plaintext;
        token_error error{};
        explicit operator bool() const noexcept { return plaintext.has_value(); }
    };
    [[nodiscard]] result decrypt(byte_view tok) const;

    [[nodiscard]] bool valid_key() const noexcept { return _key_len != 0; }

  private:
    byte_array<64> _key{};
    std::size_t _key_len = 0;
    byte_view sign_key() const noexcept { return byte_view(_key).first(_key_len / 2); }
    byte_view enc_key() const noexcept { return byte_view(_key).subspan(_key_len / 2, _key_len / 2); }
};

} // namespace rns::crypto
