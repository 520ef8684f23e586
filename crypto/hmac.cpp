#include "crypto/hmac.hpp"

#include "crypto/sha256.hpp"

// HMAC (RFC 2104) written over OpenSSL's low-level SHA-256 so that it runs on SHA-NI without a
// per-call allocation: libsodium's HMAC is portable C (about 5x slower on the Token path), and
// OpenSSL's EVP_MAC / HMAC() fetch and allocate per call. Checked against RFC 4231 in
// tests/unit/test_crypto.cpp.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <sodium.h>

#include <algorithm>
#include <array>

namespace rns::crypto {
namespace {

/// SHA-256 states that have absorbed (K0 ^ ipad) and (K0 ^ opad): one key schedule serves many
/// messages (HKDF's expand loop).
struct hmac_key {
    SHA256_CTX inner;
    SHA256_CTX outer;

    explicit hmac_key(byte_view key) noexcept {
        std::array<std::uint8_t, 64> k0{};
        if (key.size() > k0.size()) {
            const hash32 hk = sha256(key); // keys longer than the block are hashed first
            std::copy(hk.begin(), hk.end(), k0.begin());
        } else {
            std::copy(key.begin(), key.end(), k0.begin());
        }
        std::array<std::uint8_t, 64> pad;
        for (std::size_t i = 0; i < pad.size(); ++i) {
            pad[i] = static_cast<std::uint8_t>(k0[i] ^ 0x36);
        }
        SHA256_Init(&inner);
        SHA256_Update(&inner, pad.data(), pad.size());
        for (std::size_t i = 0; i < pad.size(); ++i) {
            pad[i] = static_cast<std::uint8_t>(k0[i] ^ 0x5c);
        }
        SHA256_Init(&outer);
        SHA256_Update(&outer, pad.data(), pad.size());
        sodium_memzero(k0.data(), k0.size());
        sodium_memzero(pad.data(), pad.size());
    }
    ~hmac_key() { sodium_memzero(this, sizeof *this); }
    hmac_key(const hmac_key&) = delete;
    hmac_key& operator=(const hmac_key&) = delete;

    /// HMAC over the concatenation of parts.
    hash32 mac(std::initializer_list<byte_view> parts) const noexcept {
        SHA256_CTX in = inner;
        for (auto p : parts) {
            SHA256_Update(&in, p.data(), p.size());
        }
        hash32 inner_hash;
        SHA256_Final(inner_hash.data(), &in);
        SHA256_CTX out = outer;
        SHA256_Update(&out, inner_hash.data(), inner_hash.size());
        hash32 result;
        SHA256_Final(result.data(), &out);
        sodium_memzero(&in, sizeof in);
        sodium_memzero(&out, sizeof out);
        return result;
    }
};

} // namespace

hash32 hmac_sha256(byte_view key, byte_view msg) noexcept { return hmac_key(key).mac({msg}); }

void hkdf(std::span<std::uint8_t> out, byte_view ikm, byte_view salt, byte_view info) noexcept {
    // spec §2.3: an absent or empty salt is 32 zero bytes. (HMAC pads the key with zeros to the
    // block size anyway, so the result is the same as an empty key; written out for clarity.)
    static constexpr hash32 zero_salt{};
    hash32 prk = hmac_key(salt.empty() ? byte_view{zero_salt} : salt).mac({ikm});
    const hmac_key expand(prk);
    sodium_memzero(prk.data(), prk.size());

    // B(i) = HMAC(PRK, B(i-1) ‖ info ‖ byte(i)), B(0) empty (spec §2.3).
    hash32 block{};
    std::size_t block_len = 0;
    std::size_t done = 0;
    for (std::uint32_t i = 1; done < out.size(); ++i) {
        const std::uint8_t counter = static_cast<std::uint8_t>(i);
        block = expand.mac({byte_view(block.data(), block_len), info, byte_view(&counter, 1)});
        block_len = block.size();
        const std::size_t n = std::min(block.size(), out.size() - done);
        std::copy_n(block.begin(), n, out.begin() + static_cast<std::ptrdiff_t>(done));
        done += n;
    }
    sodium_memzero(block.data(), block.size());
}

} // namespace rns::crypto
