#include "crypto/aes_cbc.hpp"

#include <openssl/evp.h>

#include <memory>

namespace rns::crypto {
namespace {

// Fetched once: OpenSSL 3 otherwise looks the algorithm up in its provider tables on every
// EVP_CipherInit_ex with the legacy EVP_aes_*_cbc() handles. Kept for the process lifetime.
const EVP_CIPHER* cipher_for(std::size_t key_len) noexcept {
    static EVP_CIPHER* const aes128 = EVP_CIPHER_fetch(nullptr, "AES-128-CBC", nullptr);
    static EVP_CIPHER* const aes256 = EVP_CIPHER_fetch(nullptr, "AES-256-CBC", nullptr);
    switch (key_len) {
    case 16:
        return aes128;
    case 32:
        return aes256;
    default:
        return nullptr;
    }
}

struct ctx_free {
    void operator()(EVP_CIPHER_CTX* c) const noexcept { EVP_CIPHER_CTX_free(c); }
};

bool run(bool encrypt, byte_view key, const byte_array<16>& iv, byte_view in,
         std::span<std::uint8_t> out) noexcept {
    const EVP_CIPHER* cipher = cipher_for(key.size());
    if (cipher == nullptr || in.size() % 16 != 0 || out.size() < in.size()) {
        return false;
    }
    if (in.empty()) {
        return true;
    }
    std::unique_ptr<EVP_CIPHER_CTX, ctx_free> ctx(EVP_CIPHER_CTX_new());
    if (!ctx || EVP_CipherInit_ex(ctx.get(), cipher, nullptr, key.data(), iv.data(),
                                  encrypt ? 1 : 0) != 1) {
        return false;
    }
    EVP_CIPHER_CTX_set_padding(ctx.get(), 0);
    int n = 0;
    if (EVP_CipherUpdate(ctx.get(), out.data(), &n, in.data(), static_cast<int>(in.size())) != 1) {
        return false;
    }
    int tail = 0;
    if (EVP_CipherFinal_ex(ctx.get(), out.data() + n, &tail) != 1) {
        return false;
    }
    return static_cast<std::size_t>(n + tail) == in.size();
}

} // namespace

bool aes_cbc_encrypt(byte_view key, const byte_array<16>& iv, byte_view in,
                     std::span<std::uint8_t> out) noexcept {
    return run(true, key, iv, in, out);
}

bool aes_cbc_decrypt(byte_view key, const byte_array<16>& iv, byte_view in,
                     std::span<std::uint8_t> out) noexcept {
    return run(false, key, iv, in, out);
}

} // namespace rns::crypto
