#pragma once
// SHA-256 and the truncated hashes of spec §1.1. Scalar libsodium implementation; the batched
// packet-hash engine lives in sha256_batch.hpp.

#include "router/rns/bytes.hpp"

#include <sodium.h>

namespace rns::crypto {

/// Incremental SHA-256.
class sha256_ctx {
  public:
    sha256_ctx() noexcept { crypto_hash_sha256_init(&_state); }
    sha256_ctx& update(byte_view b) noexcept {
        crypto_hash_sha256_update(&_state, b.data(), b.size());
        return *this;
    }
    hash32 final() noexcept {
        hash32 out;
        crypto_hash_sha256_final(&_state, out.data());
        return out;
    }

  private:
    crypto_hash_sha256_state _state;
};

inline hash32 sha256(byte_view b) noexcept {
    hash32 out;
    crypto_hash_sha256(out.data(), b.data(), b.size());
    return out;
}

/// SHA-256 over the concatenation of parts, without building the concatenation.
inline hash32 sha256(std::initializer_list<byte_view> parts) noexcept {
    sha256_ctx ctx;
    for (auto p : parts) {
        ctx.update(p);
    }
    return ctx.final();
}

/// T(x): the first 16 bytes of SHA-256 (spec §1.1 "truncated hash").
inline hash16 truncated_hash(byte_view b) noexcept { return take<16>(sha256(b)); }
inline hash16 truncated_hash(std::initializer_list<byte_view> parts) noexcept {
    return take<16>(sha256(parts));
}

} // namespace rns::crypto
