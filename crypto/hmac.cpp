#include "crypto/hmac.hpp"

#include <sodium.h>

#include <algorithm>

namespace rns::crypto {

hash32 hmac_sha256(byte_view key, byte_view msg) noexcept {
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key.data(), key.size());
    crypto_auth_hmacsha256_update(&st, msg.data(), msg.size());
    hash32 out;
    crypto_auth_hmacsha256_final(&st, out.data());
    sodium_memzero(&st, sizeof st);
    return out;
}

void hkdf(std::span<std::uint8_t> out, byte_view ikm, byte_view salt, byte_view info) noexcept {
    static constexpr hash32 zero_salt{};
    hash32 prk = hmac_sha256(salt.empty() ? byte_view{zero_salt} : salt, ikm);

    hash32 block{};
    std::size_t block_len = 0; // B(0) is empty
    std::size_t done = 0;
    for (std::uint32_t i = 1; done < out.size(); ++i) {
        crypto_auth_hmacsha256_state st;
        crypto_auth_hmacsha256_init(&st, prk.data(), prk.size());
        crypto_auth_hmacsha256_update(&st, block.data(), block_len);
        crypto_auth_hmacsha256_update(&st, info.data(), info.size());
        const std::uint8_t counter = static_cast<std::uint8_t>(i);
        crypto_auth_hmacsha256_update(&st, &counter, 1);
        crypto_auth_hmacsha256_final(&st, block.data());
        block_len = block.size();
        std::size_t n = std::min(block.size(), out.size() - done);
        std::copy_n(block.begin(), n, out.begin() + static_cast<std::ptrdiff_t>(done));
        done += n;
    }
    sodium_memzero(prk.data(), prk.size());
    sodium_memzero(block.data(), block.size());
}

} // namespace rns::crypto
