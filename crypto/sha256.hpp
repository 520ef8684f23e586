#pragma once
// SHA-256 and the truncated hashes of spec §1.1, one message at a time. OpenSSL's implementation
// (SHA-NI where the CPU has it: several times libsodium's portable C, see tools/bench/run crypto); the
// batched packet-hash engines live in sha256_batch.hpp.

#include "crypto/bytes.hpp"

#include <array>
#include <initializer_list>

namespace rns::crypto {

/// Incremental SHA-256.
class sha256_ctx {
  public:
    sha256_ctx() noexcept;
    sha256_ctx& update(byte_view b) noexcept;
    hash32 final() noexcept;

  private:
    // OpenSSL's SHA256_CTX (112 bytes), kept opaque so that this header does not pull in OpenSSL.
    alignas(8) std::array<unsigned char, 112> _state;
};

hash32 sha256(byte_view b) noexcept;

/// SHA-256 over the concatenation of parts, without building the concatenation.
hash32 sha256(std::initializer_list<byte_view> parts) noexcept;

/// T(x): the first 16 bytes of SHA-256 (spec §1.1 "truncated hash").
inline hash16 truncated_hash(byte_view b) noexcept { return take<16>(sha256(b)); }
inline hash16 truncated_hash(std::initializer_list<byte_view> parts) noexcept {
    return take<16>(sha256(parts));
}

} // namespace rns::crypto
