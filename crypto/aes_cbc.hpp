#pragma once
// AES-CBC without padding (OpenSSL libcrypto, AES-NI where present). PKCS7 is applied by the Token
// layer so that its unpadding rules match the reference exactly (spec §2.4).

#include "crypto/bytes.hpp"

#include <optional>

namespace rns::crypto {

/// Encrypts whole blocks. key is 16 (AES-128) or 32 (AES-256) bytes; in.size() % 16 == 0.
/// Returns false on a bad key size or unaligned input.
[[nodiscard]] bool aes_cbc_encrypt(byte_view key, const byte_array<16>& iv, byte_view in,
                                   std::span<std::uint8_t> out) noexcept;
[[nodiscard]] bool aes_cbc_decrypt(byte_view key, const byte_array<16>& iv, byte_view in,
                                   std::span<std::uint8_t> out) noexcept;

} // namespace rns::crypto
