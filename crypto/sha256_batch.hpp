#pragma once
// SHA-256 of a burst of packets (the packet hash of spec §4.5, for dedup and the reverse table).
//
// Engines (DESIGN.md "Batched crypto"):
//   sodium         libsodium's portable C, one packet at a time (the scalar reference path);
//   openssl        OpenSSL libcrypto, one packet at a time; uses SHA-NI when the CPU has it;
//   ipsec_mb_sse   intel-ipsec-mb job API, SSE manager (SHA-NI where present);
//   ipsec_mb_avx2  intel-ipsec-mb job API, AVX2 manager (8-lane multi-buffer);
//   sha_ni         one-shot SHA-NI (sha256_ni.hpp), one packet at a time;
//   sha_ni_x2      one-shot SHA-NI, two packets at a time with their rounds interleaved.
// sha256_batch::fastest() measures the available engines once at start-up (after checking each
// against the scalar path) and returns the quickest; the engine's name goes into the counters.
//
// An object holds per-thread engine state (the ipsec-mb manager): make one per lcore, at start-up.
// hash() never allocates, locks or throws.
//
// The packet hash covers (flags & 0x0f) ‖ raw[2:] (HEADER_1) or ‖ raw[18:] (HEADER_2), which is not
// one contiguous range of the packet. A caller can make it one without copying: write the masked
// flag byte over the byte just before the hashed tail (raw[1] or raw[17]), hash from there, then put
// the original byte back.

#include "crypto/bytes.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

namespace rns::crypto {

enum class sha256_engine : std::uint8_t {
    sodium,
    openssl,
    ipsec_mb_sse,
    ipsec_mb_avx2,
    sha_ni,
    sha_ni_x2,
    count
};

[[nodiscard]] const char* to_string(sha256_engine e) noexcept;
[[nodiscard]] std::optional<sha256_engine> sha256_engine_from_string(std::string_view name) noexcept;

class sha256_batch {
  public:
    /// State for engine e. If e cannot run here (not built, or the CPU lacks its instructions),
    /// the object falls back to sodium; engine() tells which one it got.
    explicit sha256_batch(sha256_engine e);
    ~sha256_batch();
    sha256_batch(sha256_batch&&) noexcept;
    sha256_batch& operator=(sha256_batch&&) noexcept;
    sha256_batch(const sha256_batch&) = delete;
    sha256_batch& operator=(const sha256_batch&) = delete;

    /// out[i] = SHA-256(in[i]) for every i < in.size(); out must hold at least in.size() entries.
    void hash(std::span<const byte_view> in, std::span<hash32> out) noexcept;

    [[nodiscard]] sha256_engine engine() const noexcept { return _engine; }
    [[nodiscard]] const char* name() const noexcept { return to_string(_engine); }

    /// Whether engine e was built in and can run on this CPU.
    [[nodiscard]] static bool available(sha256_engine e) noexcept;
    /// The quickest available engine that agrees with the scalar path, measured once on bursts of
    /// 32 hashable parts (spec §4.5) of packets of 64 to 500 bytes, the sizes the fast path hashes
    /// (thread CPU time, best of 5 runs of 3 ms per engine: about 90 ms at start-up); later calls
    /// return the cached answer.
    [[nodiscard]] static sha256_engine fastest();

  private:
    struct ipsec_state;
    sha256_engine _engine;
    std::unique_ptr<ipsec_state> _ipsec; ///< only for the ipsec_mb engines
};

} // namespace rns::crypto
