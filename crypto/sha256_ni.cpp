#include "crypto/sha256_ni.hpp"

#include <cpuid.h>
#include <immintrin.h>

#include <cstring>

// The SHA-NI code is compiled for these instructions only (function attribute), so the rest of the
// build keeps its baseline; callers check sha256_ni_available() first.
#define RNS_SHA_NI_TARGET __attribute__((target("sha,ssse3,sse4.1")))

namespace rns::crypto {

bool sha256_ni_available() noexcept {
    unsigned a = 0;
    unsigned b = 0;
    unsigned c = 0;
    unsigned d = 0;
    if (__get_cpuid(1, &a, &b, &c, &d) == 0) {
        return false;
    }
    const bool ssse3 = (c & bit_SSSE3) != 0;
    const bool sse41 = (c & bit_SSE4_1) != 0;
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d) == 0) {
        return false;
    }
    return ssse3 && sse41 && (b & bit_SHA) != 0;
}

namespace {

// FIPS 180-4 §4.2.2.
alignas(16) constexpr std::uint32_t k256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

// FIPS 180-4 §5.3.3.
constexpr std::uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

// A message as the blocks the compression function reads: `full` blocks straight from the input,
// then one or two padded blocks (FIPS 180-4 §5.1.1) from `tail`.
struct message {
    const std::uint8_t* in;
    std::size_t full;
    std::size_t blocks;
    alignas(16) std::uint8_t tail[128];

    message(const std::uint8_t* p, std::size_t n) noexcept : in(p), full(n / 64) {
        const std::size_t rest = n % 64;
        const std::size_t tail_len = rest + 9 <= 64 ? 64 : 128;
        std::memset(tail, 0, tail_len);
        if (rest != 0) {
            std::memcpy(tail, p + full * 64, rest);
        }
        tail[rest] = 0x80;
        const std::uint64_t bits = static_cast<std::uint64_t>(n) * 8;
        for (int i = 0; i < 8; ++i) {
            tail[tail_len - 1 - i] = static_cast<std::uint8_t>(bits >> (8 * i));
        }
        blocks = full + tail_len / 64;
    }
    [[nodiscard]] const std::uint8_t* block(std::size_t i) const noexcept {
        return i < full ? in + 64 * i : tail + 64 * (i - full);
    }
};

// The state in the layout the SHA-NI round instruction wants: ABEF and CDGH.
struct lane {
    __m128i abef;
    __m128i cdgh;
};

RNS_SHA_NI_TARGET inline lane initial_lane() noexcept {
    const __m128i dcba = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h0)), 0xb1);
    const __m128i efgh = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h0 + 4)), 0x1b);
    return {_mm_alignr_epi8(dcba, efgh, 8), _mm_blend_epi16(efgh, dcba, 0xf0)};
}

RNS_SHA_NI_TARGET inline void store_lane(const lane& l, std::uint8_t* out) noexcept {
    const __m128i feba = _mm_shuffle_epi32(l.abef, 0x1b);
    const __m128i dchg = _mm_shuffle_epi32(l.cdgh, 0xb1);
    const __m128i dcba = _mm_blend_epi16(feba, dchg, 0xf0);
    const __m128i hgfe = _mm_alignr_epi8(dchg, feba, 8);
    // The state words are big-endian in the digest (FIPS 180-4 §6.2.2 step 4).
    const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm_shuffle_epi8(dcba, swap));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 16), _mm_shuffle_epi8(hgfe, swap));
}

// Four rounds (group g of 16) of one block: w holds the message schedule's last four groups of
// four words, w[g % 4] gets group g (FIPS 180-4 §6.2.2 step 1; SHA256MSG1/MSG2 compute the
// sigma terms).
RNS_SHA_NI_TARGET inline void rounds4(lane& l, __m128i (&w)[4], const std::uint8_t* block, int g) noexcept {
    const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i x;
    if (g < 4) {
        x = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(block + 16 * g)), swap);
    } else {
        // W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16], four at a time.
        const __m128i prev = w[(g + 3) % 4];
        x = _mm_sha256msg1_epu32(w[g % 4], w[(g + 1) % 4]);
        x = _mm_add_epi32(x, _mm_alignr_epi8(prev, w[(g + 2) % 4], 4));
        x = _mm_sha256msg2_epu32(x, prev);
    }
    w[g % 4] = x;
    __m128i wk = _mm_add_epi32(x, _mm_load_si128(reinterpret_cast<const __m128i*>(k256 + 4 * g)));
    l.cdgh = _mm_sha256rnds2_epu32(l.cdgh, l.abef, wk);
    wk = _mm_shuffle_epi32(wk, 0x0e);
    l.abef = _mm_sha256rnds2_epu32(l.abef, l.cdgh, wk);
}

RNS_SHA_NI_TARGET inline void compress(lane& l, const std::uint8_t* block) noexcept {
    const lane saved = l;
    __m128i w[4];
#pragma GCC unroll 16
    for (int g = 0; g < 16; ++g) {
        rounds4(l, w, block, g);
    }
    l.abef = _mm_add_epi32(l.abef, saved.abef);
    l.cdgh = _mm_add_epi32(l.cdgh, saved.cdgh);
}

RNS_SHA_NI_TARGET inline void compress2(lane& a, const std::uint8_t* block_a, lane& b,
                                        const std::uint8_t* block_b) noexcept {
    const lane saved_a = a;
    const lane saved_b = b;
    __m128i wa[4];
    __m128i wb[4];
#pragma GCC unroll 16
    for (int g = 0; g < 16; ++g) {
        rounds4(a, wa, block_a, g);
        rounds4(b, wb, block_b, g);
    }
    a.abef = _mm_add_epi32(a.abef, saved_a.abef);
    a.cdgh = _mm_add_epi32(a.cdgh, saved_a.cdgh);
    b.abef = _mm_add_epi32(b.abef, saved_b.abef);
    b.cdgh = _mm_add_epi32(b.cdgh, saved_b.cdgh);
}

} // namespace

RNS_SHA_NI_TARGET void sha256_ni(const std::uint8_t* in, std::size_t n, std::uint8_t* out) noexcept {
    const message msg(in, n);
    lane l = initial_lane();
    for (std::size_t i = 0; i < msg.blocks; ++i) {
        compress(l, msg.block(i));
    }
    store_lane(l, out);
}

RNS_SHA_NI_TARGET void sha256_ni_x2(const std::uint8_t* in0, std::size_t n0, std::uint8_t* out0,
                                    const std::uint8_t* in1, std::size_t n1, std::uint8_t* out1) noexcept {
    const message m0(in0, n0);
    const message m1(in1, n1);
    lane l0 = initial_lane();
    lane l1 = initial_lane();
    std::size_t i = 0;
    for (; i < m0.blocks && i < m1.blocks; ++i) {
        compress2(l0, m0.block(i), l1, m1.block(i));
    }
    for (std::size_t j = i; j < m0.blocks; ++j) {
        compress(l0, m0.block(j));
    }
    for (std::size_t j = i; j < m1.blocks; ++j) {
        compress(l1, m1.block(j));
    }
    store_lane(l0, out0);
    store_lane(l1, out1);
}

} // namespace rns::crypto
