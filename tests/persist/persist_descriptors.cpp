// Proof: descriptor stability. One million ratchet updates for 100,000 destinations from
// two producer threads, with RLIMIT_NOFILE lowered to 64: every update is persisted (checked by
// reloading), the /proc/self/fd count is identical before and after, no state file is ever in it,
// and nothing fails.
#include "persist/store.hpp"
#include "persist/uring.hpp"
#include "test_util.hpp"

#include <sys/resource.h>

#include <cstdio>
#include <thread>

using namespace persist;

namespace {
constexpr std::uint64_t destinations = 100000;
constexpr std::uint64_t updates = 1000000;
constexpr double base_time = 1702000000.0;

int fail(const char* what) {
    std::printf("FAIL: %s\n", what);
    return 1;
}
} // namespace

int main() {
    if (std::string why = persist::kernel_support_problem(); !why.empty()) {
        std::printf("SKIP: %s\n", why.c_str());
        return 77;
    }
    rlimit lim{64, 64};
    if (setrlimit(RLIMIT_NOFILE, &lim) != 0) {
        return fail("setrlimit(RLIMIT_NOFILE, 64)");
    }
    test::scratch_dir d("fds");
    config cfg;
    cfg.dir = d.path;
    cfg.slots = 16;
    cfg.now = [] { return base_time + updates; };
    const int fds_before = count_process_fds();
    int fds_running = 0;
    int max_fds = 0;
    int state_fds_seen = 0;
    stats st;
    {
        auto s = store::open(cfg);
        fds_running = count_process_fds();
        std::atomic<std::uint64_t> refused{0};
        // Producer p owns the destinations with d % 2 == p, so each destination's order is kept.
        auto producer = [&](std::uint64_t p) {
            for (std::uint64_t n = p; n < updates; n += 2) {
                while (!s->submit_ratchet(test::dest_of(n % destinations), test::ratchet_of(n),
                                          base_time + static_cast<double>(n))) {
                    refused.fetch_add(1, std::memory_order_relaxed);
                    std::this_thread::yield();
                }
            }
        };
        std::thread a(producer, 0), b(producer, 1);
        while (s->snapshot_stats().records_durable < updates * 9 / 10) {
            max_fds = std::max(max_fds, count_process_fds());
            state_fds_seen += test::fds_pointing_into(d.path);
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        a.join();
        b.join();
        if (!s->flush(std::chrono::milliseconds(60000))) {
            return fail("flush");
        }
        st = s->snapshot_stats();
        std::printf("refused (ring full, retried): %llu\n", static_cast<unsigned long long>(refused.load()));
    }
    const int fds_after = count_process_fds();
    std::printf("fds: before open %d, running %d (max sampled %d), after stop %d; state files in fd table: %d\n",
                fds_before, fds_running, max_fds, fds_after, state_fds_seen);
    std::printf("records durable %llu, written %llu, bytes %llu, fsyncs %llu, compactions %llu, "
                "p50 %llu us, p99 %llu us, slots high-water %u/%u\n",
                static_cast<unsigned long long>(st.records_durable),
                static_cast<unsigned long long>(st.records_written),
                static_cast<unsigned long long>(st.bytes_written), static_cast<unsigned long long>(st.fsyncs),
                static_cast<unsigned long long>(st.compactions),
                static_cast<unsigned long long>(st.write_latency_p50_us),
                static_cast<unsigned long long>(st.write_latency_p99_us), st.slots_high_water, st.slots_total);
    int rc = 0;
    if (fds_after != fds_before || max_fds != fds_running || state_fds_seen != 0) {
        rc = fail("descriptor count changed or a state file entered /proc/self/fd");
    }
    if (st.records_durable != updates) {
        rc = fail("not every update was acknowledged durable");
    }
    for (auto f : st.failures) {
        if (f != 0) {
            rc = fail("a disk operation failed");
        }
    }
    if (st.slots_high_water > st.slots_total) {
        rc = fail("slot bound exceeded");
    }
    // Reload: the latest update of every destination is there.
    auto s = store::open(cfg);
    const auto& l = s->loaded();
    if (l.ratchets.size() != destinations || l.report.corrupt_records != 0 || l.report.torn_tail_bytes != 0) {
        rc = fail("reload: wrong count or damaged segment");
    }
    std::uint64_t wrong = 0;
    for (const auto& r : l.ratchets) {
        std::uint64_t dest = 0;
        for (std::size_t k = 0; k < 8; ++k) {
            dest |= static_cast<std::uint64_t>(r.destination[8 + k]) << (8 * k);
        }
        std::uint64_t last = dest + updates - destinations; // the last update n with n % 100000 == dest
        if (r.ratchet != test::ratchet_of(last) || r.received != base_time + static_cast<double>(last)) {
            ++wrong;
        }
    }
    if (wrong != 0) {
        std::printf("%llu destinations with a wrong ratchet\n", static_cast<unsigned long long>(wrong));
        rc = fail("reload: content");
    }
    std::printf(rc == 0 ? "PASS: descriptor stability\n" : "FAILED\n");
    return rc;
}
