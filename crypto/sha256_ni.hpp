#pragma once
// One-shot SHA-256 (FIPS 180-4) with the x86 SHA extensions (SHA-NI), for the short messages the
// fast path hashes: a packet's hashable part (spec §4.5) is 18 to 499 bytes, one to eight blocks.
// No context, no incremental updates: the message's full blocks are compressed straight from the
// input and the padded tail from a 128-byte buffer on the stack, which is where a general API
// (OpenSSL's SHA256_Init/Update/Final) spends a large share of the time on inputs this short.
//
// Measured (tools/bench/run crypto, bursts of 32, thread CPU time, AMD EPYC with SHA-NI, a loaded
// 2-core machine, so only the ratios mean much): 82-byte inputs (the hashable part of a 64-byte
// payload data packet) 0.058 us per hash sha-ni-x2, 0.087 sha-ni, 0.107 OpenSSL SHA256_*, 0.145
// ipsec-mb SSE; 500 bytes 0.198 / 0.335 / 0.339 / 0.257. Interleaving two messages pays at every
// size; the start-up measurement (sha256_batch::fastest) picks the engine.
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
