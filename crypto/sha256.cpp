#include "crypto/sha256.hpp"

// OpenSSL 3 deprecates the low-level SHA256_* calls in favour of EVP, but EVP re-initialises a
// provider context per message and SHA256() one-shot allocates one; either costs more than hashing
// a 300-byte packet (tools/bench/run crypto). The low-level calls run the same SHA-NI code on a stack
// context, with no allocation.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <new>

namespace rns::crypto {
namespace {

static_assert(sizeof(SHA256_CTX) == 112 && alignof(SHA256_CTX) <= 8, "sha256_ctx storage");

SHA256_CTX* state(std::array<unsigned char, 112>& s) noexcept {
    return std::launder(reinterpret_cast<SHA256_CTX*>(s.data()));
}

} // namespace

sha256_ctx::sha256_ctx() noexcept {
    SHA256_Init(new (_state.data()) SHA256_CTX);
}

sha256_ctx& sha256_ctx::update(byte_view b) noexcept {
    SHA256_Update(state(_state), b.data(), b.size());
    return *this;
}

hash32 sha256_ctx::final() noexcept {
    hash32 out;
    SHA256_Final(out.data(), state(_state));
    return out;
}

hash32 sha256(byte_view b) noexcept {
    SHA256_CTX c;
    SHA256_Init(&c);
    SHA256_Update(&c, b.data(), b.size());
    hash32 out;
    SHA256_Final(out.data(), &c);
    return out;
}

hash32 sha256(std::initializer_list<byte_view> parts) noexcept {
    SHA256_CTX c;
    SHA256_Init(&c);
    for (auto p : parts) {
        SHA256_Update(&c, p.data(), p.size());
    }
    hash32 out;
    SHA256_Final(out.data(), &c);
    return out;
}

} // namespace rns::crypto
