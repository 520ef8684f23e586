// bench_crypto: per-core rates of the crypto rnsrouter needs, one thread, on this machine
// (the fast path and the control plane pick their engines from these
// measurements). Not a test: it asserts
// nothing about speed, but it does refuse to time an engine whose output is wrong.
//
// Usage: bench_crypto [seconds per measurement, default 0.5]

#include "crypto/ed25519.hpp"
#include "crypto/hmac.hpp"
#include "crypto/random.hpp"
#include "crypto/sha256.hpp"
#include "crypto/sha256_batch.hpp"
#include "crypto/token.hpp"
#include "crypto/x25519.hpp"
#include "router/rns/identity.hpp"

#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <sodium.h>

#include <array>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

using namespace rns;

double g_seconds = 0.5;
volatile std::uint8_t g_sink; // keeps results alive without printing them

/// CPU time of this thread: other processes on the machine (builds, tests) do not count against
/// the rate, so a row is a per-core rate even on a busy machine.
double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

/// Runs op (which performs `ops_per_call` operations of `bytes_per_op` bytes) for g_seconds of
/// this thread's CPU time and prints one table row.
template <typename Op>
void measure(const char* what, const char* engine, std::size_t bytes_per_op, std::size_t ops_per_call, Op&& op) {
    // Warm up caches and lazy initialisation outside the timed loop.
    for (int i = 0; i < 16; ++i) {
        op();
    }
    std::size_t calls = 0;
    const double start = thread_cpu_seconds();
    double now = start;
    while (now - start < g_seconds) {
        for (int i = 0; i < 16; ++i) {
            op();
        }
        calls += 16;
        now = thread_cpu_seconds();
    }
    const double ops = static_cast<double>(calls * ops_per_call) / (now - start);
    const double mbs = ops * static_cast<double>(bytes_per_op) / 1e6;
    std::printf("| %-24s | %-26s | %5zu | %10.0f | %8.1f | %8.3f |\n", what, engine, bytes_per_op, ops, mbs,
                1e6 / ops);
    std::fflush(stdout);
}

void fail(const char* what) {
    std::fprintf(stderr, "bench_crypto: %s produced a wrong result; not timing it\n", what);
    std::exit(1);
}

// ---- SHA-256 -------------------------------------------------------------------------------

struct evp_sha256 {
    EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~evp_sha256() {
        EVP_MD_CTX_free(ctx);
        EVP_MD_free(md);
    }
    void operator()(byte_view in, hash32& out) const {
        unsigned n = 0;
        EVP_DigestInit_ex2(ctx, md, nullptr);
        EVP_DigestUpdate(ctx, in.data(), in.size());
        EVP_DigestFinal_ex(ctx, out.data(), &n);
    }
};

void bench_sha256() {
    constexpr std::size_t burst = 32;
    for (std::size_t len : {82u, 100u, 300u, 418u, 500u}) {
        std::vector<bytes> packets(burst, bytes(len));
        std::array<byte_view, burst> views{};
        for (std::size_t i = 0; i < burst; ++i) {
            crypto::random_fill(packets[i]);
            views[i] = packets[i];
        }
        std::array<hash32, burst> out{};
        const hash32 want = crypto::sha256(views[0]);

        measure("SHA-256", "libsodium", len, 1, [&] {
            crypto_hash_sha256(out[0].data(), views[0].data(), views[0].size());
            g_sink = out[0][0];
        });
        evp_sha256 evp;
        evp(views[0], out[0]);
        if (out[0] != want) {
            fail("OpenSSL EVP SHA-256");
        }
        measure("SHA-256", "OpenSSL EVP (ctx reuse)", len, 1, [&] {
            evp(views[0], out[0]);
            g_sink = out[0][0];
        });
        measure("SHA-256", "OpenSSL SHA256() 1-shot", len, 1, [&] {
            SHA256(views[0].data(), views[0].size(), out[0].data());
            g_sink = out[0][0];
        });
        measure("SHA-256", "OpenSSL SHA256_*", len, 1, [&] {
            SHA256_CTX c;
            SHA256_Init(&c);
            SHA256_Update(&c, views[0].data(), views[0].size());
            SHA256_Final(out[0].data(), &c);
            g_sink = out[0][0];
        });
        for (std::uint8_t k = 0; k < static_cast<std::uint8_t>(crypto::sha256_engine::count); ++k) {
            const auto e = static_cast<crypto::sha256_engine>(k);
            if (!crypto::sha256_batch::available(e)) {
                std::printf("| %-24s | batch32 %-18s | %5zu | %10s | %8s | %8s |\n", "SHA-256", crypto::to_string(e),
                            len, "n/a", "n/a", "n/a");
                continue;
            }
            crypto::sha256_batch eng(e);
            eng.hash(views, out);
            for (std::size_t i = 0; i < burst; ++i) {
                if (out[i] != crypto::sha256(views[i])) {
                    fail(eng.name());
                }
            }
            const std::string label = std::string("batch32 ") + eng.name();
            measure("SHA-256", label.c_str(), len, burst, [&] {
                eng.hash(views, out);
                g_sink = out[burst - 1][0];
            });
        }
    }
}

// ---- Ed25519 -------------------------------------------------------------------------------

void bench_ed25519() {
    // An announce signs dest hash + public key + name hash + random hash + app data: ~150 bytes.
    bytes msg(150);
    crypto::random_fill(msg);
    const auto seed = crypto::random_array<32>();
    const crypto::ed25519_signer signer(seed);
    const auto sig = signer.sign(msg);

    measure("Ed25519 sign", "libsodium", msg.size(), 1, [&] { g_sink = signer.sign(msg)[0]; });

    EVP_PKEY* prv = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size());
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    {
        std::array<std::uint8_t, 64> s{};
        std::size_t n = s.size();
        EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, prv);
        EVP_DigestSign(ctx, s.data(), &n, msg.data(), msg.size());
        if (!equal(s, sig)) {
            fail("OpenSSL Ed25519 sign");
        }
    }
    measure("Ed25519 sign", "OpenSSL EVP", msg.size(), 1, [&] {
        std::array<std::uint8_t, 64> s{};
        std::size_t n = s.size();
        EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, prv);
        EVP_DigestSign(ctx, s.data(), &n, msg.data(), msg.size());
        g_sink = s[0];
    });
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(prv);

    const auto& pub = signer.public_key();
    if (!crypto::ed25519_verify_sodium(pub, msg, sig) || !crypto::ed25519_verify_openssl(pub, msg, sig)) {
        fail("Ed25519 verify");
    }
    measure("Ed25519 verify", "libsodium", msg.size(), 1,
            [&] { g_sink = crypto::ed25519_verify_sodium(pub, msg, sig); });
    measure("Ed25519 verify", "OpenSSL EVP", msg.size(), 1,
            [&] { g_sink = crypto::ed25519_verify_openssl(pub, msg, sig); });
    measure("Ed25519 verify", "rns (sodium, OpenSSL edge)", msg.size(), 1,
            [&] { g_sink = crypto::ed25519_verify(pub, msg, sig); });
    bytes bad(sig.begin(), sig.end());
    bad[5] ^= 1;
    measure("Ed25519 verify (bad sig)", "rns (sodium, OpenSSL edge)", msg.size(), 1,
            [&] { g_sink = crypto::ed25519_verify(pub, msg, bad); });
}

// ---- X25519 --------------------------------------------------------------------------------

void bench_x25519() {
    const auto a = crypto::random_array<32>();
    const auto b_pub = crypto::x25519_public_from_private(crypto::random_array<32>());
    measure("X25519 public key", "libsodium", 32, 1, [&] { g_sink = crypto::x25519_public_from_private(a)[0]; });
    measure("X25519 shared secret", "libsodium", 32, 1, [&] { g_sink = (*crypto::x25519_shared(a, b_pub))[0]; });

    EVP_PKEY* prv = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, a.data(), a.size());
    EVP_PKEY* peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, b_pub.data(), b_pub.size());
    auto derive = [&](std::array<std::uint8_t, 32>& out) {
        EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(prv, nullptr);
        std::size_t n = out.size();
        EVP_PKEY_derive_init(ctx);
        EVP_PKEY_derive_set_peer(ctx, peer);
        EVP_PKEY_derive(ctx, out.data(), &n);
        EVP_PKEY_CTX_free(ctx);
    };
    std::array<std::uint8_t, 32> s{};
    derive(s);
    if (!equal(s, *crypto::x25519_shared(a, b_pub))) {
        fail("OpenSSL X25519");
    }
    measure("X25519 shared secret", "OpenSSL EVP", 32, 1, [&] {
        derive(s);
        g_sink = s[0];
    });
    EVP_PKEY_free(peer);
    EVP_PKEY_free(prv);
}

// ---- Token and Identity encryption ---------------------------------------------------------

void bench_token() {
    bytes pt(400);
    crypto::random_fill(pt);
    bytes key(64);
    crypto::random_fill(key);
    const crypto::token tok(key);
    const auto iv = crypto::random_array<16>();
    const bytes t = tok.encrypt(pt, iv);
    if (auto r = tok.decrypt(t); !r || *r.plaintext != pt) {
        fail("Token");
    }
    measure("Token encrypt", "AES-256-CBC+HMAC", pt.size(), 1, [&] { g_sink = tok.encrypt(pt, iv)[20]; });
    measure("Token decrypt", "AES-256-CBC+HMAC", pt.size(), 1, [&] { g_sink = tok.decrypt(t).plaintext->at(0); });
    measure("HMAC-SHA256", "rns (OpenSSL SHA256_*)", 416, 1,
            [&] { g_sink = crypto::hmac_sha256(byte_view(key).first(32), byte_view(t).first(416))[0]; });
    measure("HMAC-SHA256", "libsodium", 416, 1, [&] {
        hash32 mac;
        crypto_auth_hmacsha256_state st;
        crypto_auth_hmacsha256_init(&st, key.data(), 32);
        crypto_auth_hmacsha256_update(&st, t.data(), 416);
        crypto_auth_hmacsha256_final(&st, mac.data());
        g_sink = mac[0];
    });

    const identity recipient = identity::generate();
    const auto sender = *identity::from_public_key(recipient.public_key());
    const bytes c = sender.encrypt(pt);
    if (auto r = recipient.decrypt(c); !r || *r.plaintext != pt) {
        fail("Identity encrypt/decrypt");
    }
    measure("Identity encrypt", "X25519+HKDF+Token", pt.size(), 1, [&] { g_sink = sender.encrypt(pt)[40]; });
    measure("Identity decrypt", "X25519+HKDF+Token", pt.size(), 1,
            [&] { g_sink = recipient.decrypt(c).plaintext->at(0); });
}

} // namespace

int main(int argc, char** argv) {
    if (!rns::crypto::init()) {
        std::fprintf(stderr, "bench_crypto: libsodium failed to initialise\n");
        return 1;
    }
    const std::string only = argc > 2 ? argv[2] : "";
    if (argc > 1) {
        g_seconds = std::atof(argv[1]);
        if (g_seconds <= 0 || (!only.empty() && only != "sha256" && only != "ed25519" &&
                               only != "x25519" && only != "token")) {
            std::fprintf(stderr, "usage: %s [seconds per measurement] [sha256|ed25519|x25519|token]\n", argv[0]);
            return 2;
        }
    }
    std::printf("bench_crypto: one thread, rates per second of its own CPU time, %.2f s per row;\n"
                "%s; libsodium %s\n", g_seconds,
                OpenSSL_version(OPENSSL_VERSION), sodium_version_string());
    std::printf("sha256_batch start-up choice: %s\n\n", rns::crypto::to_string(rns::crypto::sha256_batch::fastest()));
    std::printf("| %-24s | %-26s | %5s | %10s | %8s | %8s |\n", "operation", "engine", "bytes", "ops/s", "MB/s", "us/op");
    std::printf("|%s|%s|%s|%s|%s|%s|\n", std::string(26, '-').c_str(), std::string(28, '-').c_str(),
                std::string(7, '-').c_str(), std::string(12, '-').c_str(), std::string(10, '-').c_str(),
                std::string(10, '-').c_str());
    // One group only when asked (tools/bench announces measures the raw verify rate this way).
    if (only.empty() || only == "sha256") {
        bench_sha256();
    }
    if (only.empty() || only == "ed25519") {
        bench_ed25519();
    }
    if (only.empty() || only == "x25519") {
        bench_x25519();
    }
    if (only.empty() || only == "token") {
        bench_token();
    }
    return 0;
}
