#include "crypto/sha256_batch.hpp"

#include "crypto/sha256.hpp"
#include "crypto/sha256_ni.hpp"

// Low-level SHA256_* rather than EVP: see crypto/sha256.cpp.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <sodium.h>

#ifdef RNS_HAVE_IPSEC_MB
#include <intel-ipsec-mb.h>
#endif

#include <algorithm>
#include <array>
#include <ctime>
#include <mutex>

namespace rns::crypto {

const char* to_string(sha256_engine e) noexcept {
    switch (e) {
    case sha256_engine::sodium:
        return "sodium";
    case sha256_engine::openssl:
        return "openssl";
    case sha256_engine::ipsec_mb_sse:
        return "ipsec-mb-sse";
    case sha256_engine::ipsec_mb_avx2:
        return "ipsec-mb-avx2";
    case sha256_engine::sha_ni:
        return "sha-ni";
    case sha256_engine::sha_ni_x2:
        return "sha-ni-x2";
    case sha256_engine::count:
        break;
    }
    return "unknown";
}

std::optional<sha256_engine> sha256_engine_from_string(std::string_view name) noexcept {
    for (std::uint8_t i = 0; i < static_cast<std::uint8_t>(sha256_engine::count); ++i) {
        const auto e = static_cast<sha256_engine>(i);
        if (name == to_string(e)) {
            return e;
        }
    }
    return std::nullopt;
}

namespace {

void hash_sodium(std::span<const byte_view> in, std::span<hash32> out) noexcept {
    for (std::size_t i = 0; i < in.size(); ++i) {
        crypto_hash_sha256(out[i].data(), in[i].data(), in[i].size());
    }
}

void hash_openssl(std::span<const byte_view> in, std::span<hash32> out) noexcept {
    for (std::size_t i = 0; i < in.size(); ++i) {
        SHA256_CTX ctx;
        SHA256_Init(&ctx);
        SHA256_Update(&ctx, in[i].data(), in[i].size());
        SHA256_Final(out[i].data(), &ctx);
    }
}

void hash_sha_ni(std::span<const byte_view> in, std::span<hash32> out) noexcept {
    for (std::size_t i = 0; i < in.size(); ++i) {
        sha256_ni(in[i].data(), in[i].size(), out[i].data());
    }
}

void hash_sha_ni_x2(std::span<const byte_view> in, std::span<hash32> out) noexcept {
    std::size_t i = 0;
    for (; i + 2 <= in.size(); i += 2) {
        sha256_ni_x2(in[i].data(), in[i].size(), out[i].data(), in[i + 1].data(), in[i + 1].size(),
                     out[i + 1].data());
    }
    if (i < in.size()) {
        sha256_ni(in[i].data(), in[i].size(), out[i].data());
    }
}

double thread_cpu_seconds() noexcept {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

} // namespace

#ifdef RNS_HAVE_IPSEC_MB
struct sha256_batch::ipsec_state {
    IMB_MGR* mgr = nullptr;
    ~ipsec_state() {
        if (mgr != nullptr) {
            free_mb_mgr(mgr);
        }
    }
};

namespace {

IMB_MGR* make_manager(sha256_engine e) noexcept {
    IMB_MGR* m = alloc_mb_mgr(0);
    if (m == nullptr) {
        return nullptr;
    }
    if (e == sha256_engine::ipsec_mb_avx2) {
        init_mb_mgr_avx2(m); // records an error when the CPU lacks AVX2
    } else {
        init_mb_mgr_sse(m);
    }
    if (imb_get_errno(m) != 0) {
        free_mb_mgr(m);
        return nullptr;
    }
    return m;
}

// A job that did not complete (never expected: the inputs are valid) is hashed by the scalar path,
// so the output is always right.
void finish(const IMB_JOB* job, std::span<const byte_view> in, std::span<hash32> out) noexcept {
    if (job->status != IMB_STATUS_COMPLETED) {
        const auto i = reinterpret_cast<std::uintptr_t>(job->user_data);
        out[i] = sha256(in[i]);
    }
}

void hash_ipsec(IMB_MGR* m, std::span<const byte_view> in, std::span<hash32> out) noexcept {
    // Submit every packet as a hash-only job; the manager fills its lanes and returns completed
    // jobs as lanes finish; flush drains the partly filled lanes at the end of the burst.
    for (std::size_t i = 0; i < in.size(); ++i) {
        IMB_JOB* job = IMB_GET_NEXT_JOB(m);
        job->cipher_mode = IMB_CIPHER_NULL;
        job->cipher_direction = IMB_DIR_ENCRYPT;
        job->chain_order = IMB_ORDER_HASH_CIPHER;
        job->hash_alg = IMB_AUTH_SHA_256;
        job->src = in[i].data();
        job->dst = nullptr;
        job->msg_len_to_cipher_in_bytes = 0;
        job->cipher_start_src_offset_in_bytes = 0;
        job->hash_start_src_offset_in_bytes = 0;
        job->msg_len_to_hash_in_bytes = in[i].size();
        job->auth_tag_output = out[i].data();
        job->auth_tag_output_len_in_bytes = 32;
        job->user_data = reinterpret_cast<void*>(static_cast<std::uintptr_t>(i));
        for (IMB_JOB* done = IMB_SUBMIT_JOB(m); done != nullptr; done = IMB_GET_COMPLETED_JOB(m)) {
            finish(done, in, out);
        }
    }
    for (IMB_JOB* done = IMB_FLUSH_JOB(m); done != nullptr; done = IMB_FLUSH_JOB(m)) {
        finish(done, in, out);
    }
}

} // namespace
#else
struct sha256_batch::ipsec_state {};
#endif

bool sha256_batch::available(sha256_engine e) noexcept {
    switch (e) {
    case sha256_engine::sodium:
    case sha256_engine::openssl:
        return true;
    case sha256_engine::sha_ni:
    case sha256_engine::sha_ni_x2:
        return sha256_ni_available();
    case sha256_engine::ipsec_mb_sse:
    case sha256_engine::ipsec_mb_avx2: {
#ifdef RNS_HAVE_IPSEC_MB
        IMB_MGR* m = make_manager(e);
        if (m != nullptr) {
            free_mb_mgr(m);
            return true;
        }
#endif
        return false;
    }
    case sha256_engine::count:
        break;
    }
    return false;
}

sha256_batch::sha256_batch(sha256_engine e) : _engine(sha256_engine::sodium) {
    switch (e) {
    case sha256_engine::openssl:
        _engine = e;
        break;
    case sha256_engine::sha_ni:
    case sha256_engine::sha_ni_x2:
        if (sha256_ni_available()) {
            _engine = e;
        }
        break;
    case sha256_engine::ipsec_mb_sse:
    case sha256_engine::ipsec_mb_avx2:
#ifdef RNS_HAVE_IPSEC_MB
        if (IMB_MGR* m = make_manager(e)) {
            _ipsec = std::make_unique<ipsec_state>();
            _ipsec->mgr = m;
            _engine = e;
        }
#endif
        break;
    default:
        break;
    }
}

sha256_batch::~sha256_batch() = default;
sha256_batch::sha256_batch(sha256_batch&&) noexcept = default;
sha256_batch& sha256_batch::operator=(sha256_batch&&) noexcept = default;

void sha256_batch::hash(std::span<const byte_view> in, std::span<hash32> out) noexcept {
    switch (_engine) {
    case sha256_engine::openssl:
        hash_openssl(in, out);
        return;
    case sha256_engine::sha_ni:
        hash_sha_ni(in, out);
        return;
    case sha256_engine::sha_ni_x2:
        hash_sha_ni_x2(in, out);
        return;
#ifdef RNS_HAVE_IPSEC_MB
    case sha256_engine::ipsec_mb_sse:
    case sha256_engine::ipsec_mb_avx2:
        hash_ipsec(_ipsec->mgr, in, out);
        return;
#endif
    default:
        hash_sodium(in, out);
        return;
    }
}

sha256_engine sha256_batch::fastest() {
    static std::once_flag once;
    static sha256_engine best = sha256_engine::sodium;
    std::call_once(once, [] {
        // A deterministic burst like real traffic: the hashable parts (spec §4.5: the packet
        // without hops, and without the transport id for HEADER_2) of 32 packets of 64 to 500
        // bytes, HEADER_1 and HEADER_2 alternating.
        constexpr std::size_t burst = 32;
        std::array<bytes, burst> packets;
        std::array<byte_view, burst> views;
        for (std::size_t i = 0; i < burst; ++i) {
            packets[i].resize(64 + (i * 53) % 437 - (i % 2 == 0 ? 1 : 17));
            for (std::size_t j = 0; j < packets[i].size(); ++j) {
                packets[i][j] = static_cast<std::uint8_t>(i * 131 + j * 7);
            }
            views[i] = packets[i];
        }
        std::array<hash32, burst> want;
        for (std::size_t i = 0; i < burst; ++i) {
            want[i] = sha256(views[i]); // the one-message path, written separately
        }

        double best_rate = 0;
        for (std::uint8_t k = 0; k < static_cast<std::uint8_t>(sha256_engine::count); ++k) {
            sha256_batch eng(static_cast<sha256_engine>(k));
            if (eng.engine() != static_cast<sha256_engine>(k)) {
                continue; // not available here
            }
            std::array<hash32, burst> got{};
            eng.hash(views, got);
            if (got != want) {
                continue; // an engine that disagrees with the scalar path is never chosen
            }
            // Best of five 3 ms runs of this thread's CPU time: other load on the machine
            // neither counts against an engine nor favours the one measured in a quiet moment.
            double rate = 0;
            for (int round = 0; round < 5; ++round) {
                const double start = thread_cpu_seconds();
                double now = start;
                std::size_t bursts = 0;
                while (now - start < 0.003) {
                    eng.hash(views, got);
                    ++bursts;
                    now = thread_cpu_seconds();
                }
                rate = std::max(rate, static_cast<double>(bursts) / (now - start));
            }
            if (rate > best_rate) {
                best_rate = rate;
                best = eng.engine();
            }
        }
    });
    return best;
}

} // namespace rns::crypto
