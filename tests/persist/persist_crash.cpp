// Proof: crash consistency. A writer child is killed with SIGKILL at a random moment,
// at least 50 times, on the same state directory. After each kill the state is reloaded: every
// record the child saw acknowledged as durable is there (or a newer one for that destination),
// every record present is one that was submitted, nothing before the tail is corrupt, and a torn
// tail (appended on every other iteration, as a power cut would leave it) is discarded by its
// checksum. Compactions run during the loop, so kills land inside them.
#include "persist/ratchet_log.hpp"
#include "persist/store.hpp"
#include "persist/uring.hpp"
#include "test_util.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <random>
#include <thread>
#include <vector>

using namespace persist;

namespace {

constexpr std::uint64_t destinations = 20000;
constexpr double base_time = 1702000000.0;

config crash_config(const std::filesystem::path& dir) {
    config c;
    c.dir = dir;
    c.slots = 4;
    c.fsync_interval = std::chrono::milliseconds(2);
    c.compact_min_bytes = 512 * 1024;
    c.compact_ratio = 2.0;
    c.now = [] { return base_time + 1e6; }; // received = base + seq: nothing expires here
    c.log = [](std::string_view) {};
    return c;
}

/// The child: submit records start, start+1, ... forever; after each chunk report the
/// acknowledged-durable position (start + records_durable) on the pipe.
[[noreturn]] void writer(const std::filesystem::path& dir, std::uint64_t start, int out) {
    auto s = store::open(crash_config(dir));
    std::uint64_t n = start;
    std::uint64_t reported = 0;
    for (;;) {
        for (int i = 0; i < 500; ++i, ++n) {
            while (!s->submit_ratchet(test::dest_of(n % destinations), test::ratchet_of(n),
                                      base_time + static_cast<double>(n))) {
                std::this_thread::yield();
            }
        }
        std::uint64_t acked = start + s->snapshot_stats().records_durable;
        if (acked != reported) {
            reported = acked;
            if (write(out, &acked, sizeof acked) != static_cast<ssize_t>(sizeof acked)) {
                _exit(3);
            }
        }
    }
}

} // namespace

int main(int argc, char** argv) {
    if (std::string why = persist::kernel_support_problem(); !why.empty()) {
        std::printf("SKIP: %s\n", why.c_str());
        return 77;
    }
    int iterations = argc > 1 ? std::atoi(argv[1]) : 60;
    test::scratch_dir d("crash");
    std::mt19937_64 rng(std::random_device{}());
    // acked_min[dest]: the newest sequence number acknowledged for that destination so far.
    std::vector<std::int64_t> acked_min(destinations, -1);
    std::uint64_t next = 0;
    std::uint64_t acked_total = 0;
    int torn = 0, failures = 0, reload_compactions = 0;
    for (int it = 0; it < iterations; ++it) {
        int fds[2];
        if (pipe(fds) != 0) {
            std::printf("FAIL: pipe\n");
            return 1;
        }
        pid_t pid = fork();
        if (pid == 0) {
            close(fds[0]);
            writer(d.path, next, fds[1]);
        }
        close(fds[1]);
        std::uint64_t acked = next, v = 0;
        // Four kills in five land while records flow (after the first acknowledgement); the
        // fifth at a random moment from the start (loading, start-up repair, first compaction).
        if (it % 5 != 4) {
            pollfd p{fds[0], POLLIN, 0};
            if (poll(&p, 1, 30000) == 1 && read(fds[0], &v, sizeof v) == static_cast<ssize_t>(sizeof v)) {
                acked = v;
            }
        }
        std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(1000, 200000)(rng)));
        kill(pid, SIGKILL);
        int status = 0;
        waitpid(pid, &status, 0);
        while (read(fds[0], &v, sizeof v) == static_cast<ssize_t>(sizeof v)) {
            acked = v;
        }
        close(fds[0]);
        if (!WIFSIGNALED(status)) {
            std::printf("FAIL: writer exited by itself (status %d)\n", status);
            return 1;
        }
        for (std::uint64_t n = (acked > next + destinations ? acked - destinations : next); n < acked; ++n) {
            acked_min[n % destinations] = static_cast<std::int64_t>(n);
        }
        acked_total += acked - next;

        // kill -9 cannot tear a write (the kernel finishes the syscall), a power cut can: on every
        // other iteration append what a torn append leaves behind, either a cut-off valid record
        // or garbage, and require the reload to discard exactly that many bytes.
        std::size_t torn_expected = 0;
        auto seg = d.path / "ratchets.seg";
        if (it % 2 == 1 && std::filesystem::exists(seg)) {
            std::uint8_t rec[128];
            std::size_t k = 0;
            if (it % 4 == 1) {
                encode_segment_record(record_type::ratchet,
                                      {test::dest_of(0), test::ratchet_of(next), base_time}, rec);
                k = std::uniform_int_distribution<std::size_t>(1, segment_record_size - 1)(rng);
            } else {
                for (auto& b : rec) {
                    b = static_cast<std::uint8_t>(rng());
                }
                k = std::uniform_int_distribution<std::size_t>(1, sizeof rec)(rng);
            }
            FILE* f = std::fopen(seg.c_str(), "ab");
            std::fwrite(rec, 1, k, f);
            std::fclose(f);
            torn_expected = k;
        }

        // Reload and check.
        std::uint64_t max_seen = next;
        {
            auto s = store::open(crash_config(d.path));
            const auto& l = s->loaded();
            if (std::getenv("PERSIST_CRASH_VERBOSE") != nullptr) {
                std::printf("it %d: acked %llu, loaded %zu ratchets from %zu records, torn %zu bytes\n", it,
                            static_cast<unsigned long long>(acked), l.ratchets.size(), l.report.ratchet_records,
                            l.report.torn_tail_bytes);
            }
            if (l.report.torn_tail_bytes > 0) {
                ++torn;
            }
            if (l.report.torn_tail_bytes != torn_expected) {
                std::printf("FAIL it %d: torn tail of %zu bytes, expected %zu\n", it, l.report.torn_tail_bytes,
                            torn_expected);
                ++failures;
            }
            if (l.report.corrupt_records != 0 || !l.report.errors.empty()) {
                std::printf("FAIL it %d: corrupt records %zu, errors %zu\n", it, l.report.corrupt_records,
                            l.report.errors.size());
                ++failures;
            }
            std::vector<bool> present(destinations, false);
            for (const auto& r : l.ratchets) {
                auto seq = static_cast<std::uint64_t>(r.received - base_time);
                std::uint64_t dest = 0;
                for (std::size_t k = 0; k < 8; ++k) {
                    dest |= static_cast<std::uint64_t>(r.destination[8 + k]) << (8 * k);
                }
                bool ok = dest < destinations && seq % destinations == dest && r.ratchet == test::ratchet_of(seq) &&
                          static_cast<std::int64_t>(seq) >= acked_min[dest];
                if (!ok) {
                    ++failures;
                    if (failures < 10) {
                        std::printf("FAIL it %d: dest %llu holds seq %llu, acknowledged up to %lld\n", it,
                                    static_cast<unsigned long long>(dest), static_cast<unsigned long long>(seq),
                                    static_cast<long long>(acked_min[dest < destinations ? dest : 0]));
                    }
                }
                if (dest < destinations) {
                    present[dest] = true;
                    // What was read back is now the floor for the next round.
                    acked_min[dest] = std::max<std::int64_t>(acked_min[dest], static_cast<std::int64_t>(seq));
                }
                max_seen = std::max(max_seen, seq + 1);
            }
            for (std::uint64_t k = 0; k < destinations; ++k) {
                if (acked_min[k] >= 0 && !present[k]) {
                    ++failures;
                    if (failures < 10) {
                        std::printf("FAIL it %d: acknowledged destination %llu missing\n", it,
                                    static_cast<unsigned long long>(k));
                    }
                }
            }
            if (!s->flush()) { // the reload's own repair (compaction of a torn segment) completes
                ++failures;
            }
            reload_compactions += static_cast<int>(s->snapshot_stats().compactions);
        }
        next = std::max(acked, max_seen);
    }
    std::printf("%d kills, %llu acknowledged records checked, %d torn tails discarded, %d repairs, %d failures\n",
                iterations, static_cast<unsigned long long>(acked_total), torn, reload_compactions, failures);
    if (iterations < 50 || failures != 0 || acked_total < 10000) { // a run that checked nothing proves nothing
        std::printf("FAILED\n");
        return 1;
    }
    std::printf("PASS: crash consistency\n");
    return 0;
}
