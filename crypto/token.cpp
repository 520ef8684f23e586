#include "crypto/token.hpp"

#include "crypto/aes_cbc.hpp"
#include "crypto/hmac.hpp"
#include "crypto/random.hpp"

#include <sodium.h>

namespace rns::crypto {

const char* to_string(token_error e) noexcept {
    switch (e) {
    case token_error::bad_key_size:
        return "bad key size";
    case token_error::too_short:
        return "token too short";
    case token_error::bad_hmac:
        return "HMAC mismatch";
    case token_error::bad_length:
        return "ciphertext not block aligned";
    case token_error::bad_padding:
        return "bad PKCS7 padding";
    }
    return "unknown";
}

token::token(byte_view key) noexcept {
    if (key.size() == 32 || key.size() == 64) {
        std::copy(key.begin(), key.end(), _key.begin());
        _key_len = key.size();
    }
}

token::~token() { sodium_memzero(_key.data(), _key.size()); }
token::token(const token&) noexcept = default;
token& token::operator=(const token&) noexcept = default;

bytes token::encrypt(byte_view plaintext) const {
    return encrypt(plaintext, random_array<16>());
}

bytes token::encrypt(byte_view plaintext, const byte_array<16>& iv) const {
    if (!valid_key()) {
        return {};
    }
    // PKCS7: always pad, a whole block when already aligned.
    const std::size_t pad = 16 - plaintext.size() % 16;
    bytes padded(plaintext.begin(), plaintext.end());
    padded.insert(padded.end(), pad, static_cast<std::uint8_t>(pad));

    bytes out(16 + padded.size() + 32);
    std::copy(iv.begin(), iv.end(), out.begin());
    std::span<std::uint8_t> ct(out.data() + 16, padded.size());
    if (!aes_cbc_encrypt(enc_key(), iv, padded, ct)) {
        return {};
    }
    hash32 mac = hmac_sha256(sign_key(), byte_view(out.data(), 16 + padded.size()));
    std::copy(mac.begin(), mac.end(), out.begin() + static_cast<std::ptrdiff_t>(16 + padded.size()));
    sodium_memzero(padded.data(), padded.size());
    return out;
}

token::result token::decrypt(byte_view tok) const {
    if (!valid_key()) {
        return {std::nullopt, token_error::bad_key_size};
    }
    if (tok.size() <= 32) {
        return {std::nullopt, token_error::too_short};
    }
    // Authenticate first (encrypt-then-MAC), in constant time.
    byte_view signed_part = tok.first(tok.size() - 32);
    hash32 mac = hmac_sha256(sign_key(), signed_part);
    if (sodium_memcmp(mac.data(), tok.data() + tok.size() - 32, 32) != 0) {
        return {std::nullopt, token_error::bad_hmac};
    }
    if (signed_part.size() < 16 || (signed_part.size() - 16) % 16 != 0) {
        return {std::nullopt, token_error::bad_length};
    }
    byte_array<16> iv = take<16>(signed_part);
    byte_view ct = signed_part.subspan(16);
    bytes pt(ct.size());
    if (!aes_cbc_decrypt(enc_key(), iv, ct, pt)) {
        return {std::nullopt, token_error::bad_length};
    }
    // Unpad like the reference: the last byte n must be <= 16; n bytes are removed (no check of
    // the other pad bytes). An empty plaintext has no pad byte at all.
    if (pt.empty() || pt.back() > 16) {
        return {std::nullopt, token_error::bad_padding};
    }
    pt.resize(pt.size() - pt.back());
    return {std::move(pt), token_error{}};
}

} // namespace rns::crypto
