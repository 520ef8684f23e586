#pragma once
// One-shot SHA-256 (FIPS 180-4) with the x86 SHA extensions (SHA-NI), for the short messages the
// fast path hashes: a packet's hashable part (spec §4.5) is 18 to 499 bytes, one to eight blocks.
// No context, no incremental updates: the message's full blocks are compressed straight from the
// input and the padded tail from a 128-byte buffer on the stack, which is where a general API
// (OpenSSL's SHA256_Init/Update/Final) spends a large share of the time on inputs this short.
//
// Only call sha256_ni / sha256_ni_x2 when sha256_ni_available() (the CPU has SHA and SSE4.1).

#include <cstddef>
#include <cstdint>

namespace rns::crypto {

/// Whether this CPU runs sha256_ni (CPUID: SHA, SSSE3, SSE4.1).
[[nodiscard]] bool sha256_ni_available() noexcept;

/// out = SHA-256(in[0..n)).
void sha256_ni(const std::uint8_t* in, std::size_t n, std::uint8_t* out) noexcept;

/// Two independent messages at once, their rounds interleaved: the SHA-NI round instruction has a
/// latency of several cycles, which one message's dependency chain leaves idle.
void sha256_ni_x2(const std::uint8_t* in0, std::size_t n0, std::uint8_t* out0, const std::uint8_t* in1,
                  std::size_t n1, std::uint8_t* out1) noexcept;

} // namespace rns::crypto
