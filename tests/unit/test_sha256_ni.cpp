// crypto::sha256_ni (one-shot SHA-NI): FIPS 180-2 example vectors, and every message length from 0
// to 600 bytes (all padding cases: 55/56/63/64 bytes mod 64, one to ten blocks) against libsodium's
// portable implementation, one at a time and in pairs of different lengths (sha256_ni_x2).

#include "crypto/sha256_ni.hpp"

#include "crypto/random.hpp"
#include "router/rns/bytes.hpp"

#include <doctest/doctest.h>
#include <sodium.h>

#include <string>

using namespace rns;

namespace {

hash32 sodium_sha256(byte_view b) {
    hash32 h{};
    crypto_hash_sha256(h.data(), b.data(), b.size());
    return h;
}

} // namespace

TEST_CASE("sha256_ni: FIPS 180-2 vectors and every length to 600 bytes") {
    if (!crypto::sha256_ni_available()) {
        MESSAGE("SKIPPED: this CPU has no SHA extensions; sha256_ni is never chosen here");
        return;
    }
    const std::string msg2 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    struct vec {
        std::string in;
        const char* digest;
    };
    for (const vec& v : {vec{"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
                         vec{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
                         vec{msg2, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"}}) {
        hash32 out{};
        crypto::sha256_ni(reinterpret_cast<const std::uint8_t*>(v.in.data()), v.in.size(), out.data());
        CHECK(to_hex(out) == v.digest);
    }
    bytes data(600);
    crypto::random_fill(data);
    for (std::size_t n = 0; n <= data.size(); ++n) {
        CAPTURE(n);
        hash32 one{};
        crypto::sha256_ni(data.data(), n, one.data());
        CHECK(one == sodium_sha256(byte_view(data).first(n)));
        // A pair of different block counts: the longer one finishes alone.
        const std::size_t m = data.size() - n;
        hash32 a{};
        hash32 b{};
        crypto::sha256_ni_x2(data.data(), n, a.data(), data.data() + n, m, b.data());
        CHECK(a == one);
        CHECK(b == sodium_sha256(byte_view(data).subspan(n, m)));
    }
}
