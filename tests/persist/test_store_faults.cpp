// Fault injection inside the process: write and fsync errors (EIO) and the state directory
// disappearing. Each failure is counted, logged once per kind, every slot returns, and writing
// resumes; nothing acknowledged is lost. (Disk full on a real tmpfs: persist_disk_full.)
#include "persist/store.hpp"
#include "persist/uring.hpp"
#include "test_util.hpp"

#include <doctest/doctest.h>

#include <mutex>
#include <thread>

using namespace persist;

namespace {

struct log_capture {
    std::mutex m;
    std::vector<std::string> lines;
    std::size_t count(std::string_view needle) {
        std::lock_guard lock(m);
        std::size_t n = 0;
        for (const auto& l : lines) {
            n += l.find(needle) != std::string::npos ? 1 : 0;
        }
        return n;
    }
};

config fault_config(const std::filesystem::path& dir, log_capture& log, fault_injector* f) {
    config c;
    c.dir = dir;
    c.fsync_interval = std::chrono::milliseconds(5);
    c.retry_interval = std::chrono::milliseconds(20);
    c.health_interval = std::chrono::milliseconds(20);
    c.faults = f;
    c.now = [] { return 1702000000.0 + 5000; };
    c.log = [&log](std::string_view l) {
        std::lock_guard lock(log.m);
        log.lines.emplace_back(l);
    };
    return c;
}

std::uint64_t fails(const stats& s, failure_kind k) { return s.failures[static_cast<std::size_t>(k)]; }

void submit_range(store& s, std::uint64_t from, std::uint64_t to) {
    for (std::uint64_t i = from; i < to; ++i) {
        while (!s.submit_ratchet(test::dest_of(i % 300), test::ratchet_of(i), 1702000000.0 + static_cast<double>(i))) {
            std::this_thread::yield();
        }
    }
}

void check_reloaded(const std::filesystem::path& dir, std::uint64_t total) {
    config c;
    c.dir = dir;
    c.log = [](std::string_view) {};
    c.now = [] { return 1702000000.0 + 5000; };
    auto s = store::open(c);
    const auto& l = s->loaded();
    CHECK(l.report.corrupt_records == 0);
    REQUIRE(l.ratchets.size() == std::min<std::uint64_t>(total, 300));
    for (const auto& r : l.ratchets) {
        std::uint64_t d = 0;
        for (std::size_t k = 0; k < 8; ++k) {
            d |= static_cast<std::uint64_t>(r.destination[8 + k]) << (8 * k);
        }
        std::uint64_t last = d + ((total - 1 - d) / 300) * 300; // last update of destination d
        CHECK(r.ratchet == test::ratchet_of(last));
    }
}

} // namespace

TEST_CASE("faults: injected EIO on writes and fsyncs is counted, logged once, and writing resumes") {
    test::scratch_dir d("eio");
    log_capture log;
    fault_injector f;
    {
        auto s = store::open(fault_config(d.path, log, &f));
        submit_range(*s, 0, 500);
        REQUIRE(s->flush());
        f.fail_writes = 4;
        submit_range(*s, 500, 1000);
        REQUIRE(s->flush(std::chrono::milliseconds(20000)));
        f.fail_fsyncs = 3;
        submit_range(*s, 1000, 1500);
        REQUIRE(s->flush(std::chrono::milliseconds(20000)));
        stats st = s->snapshot_stats();
        CHECK(fails(st, failure_kind::io_error) == 7);
        CHECK(f.fail_writes == 0);
        CHECK(f.fail_fsyncs == 0);
        CHECK(st.slots_in_use == 1); // every slot back except the open segment
        CHECK(st.records_durable == 1500);
        CHECK(st.compactions >= 2); // recovery rewrites the segment from memory
        // Two episodes (writes, then fsyncs), each logged once and each followed by a resume.
        CHECK(log.count("(io_error)") == 2);
        CHECK(log.count("writing resumed") == 2);
    }
    check_reloaded(d.path, 1500);
}

TEST_CASE("faults: the state directory disappears; it is recreated and everything rewritten") {
    test::scratch_dir d("rmdir");
    log_capture log;
    auto dir = d.path / "state";
    identity_key id{};
    id.fill(0x42);
    {
        auto s = store::open(fault_config(dir, log, nullptr));
        submit_range(*s, 0, 600);
        REQUIRE(s->submit_identity(id));
        REQUIRE(s->submit_path_snapshot({path_record{}}));
        REQUIRE(s->flush());
        std::filesystem::remove_all(dir);
        submit_range(*s, 600, 900); // keeps accepting while the directory is gone
        for (int i = 0; i < 500 && fails(s->snapshot_stats(), failure_kind::state_dir_missing) == 0; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        REQUIRE(fails(s->snapshot_stats(), failure_kind::state_dir_missing) >= 1);
        REQUIRE(s->flush(std::chrono::milliseconds(20000)));
        CHECK(std::filesystem::exists(dir / "ratchets.seg"));
        CHECK(std::filesystem::exists(dir / "identity"));
        CHECK(std::filesystem::exists(dir / "paths.snap"));
        CHECK(log.count("(state_dir_missing)") == 1);
        CHECK(s->snapshot_stats().slots_in_use == 1);
        CHECK(test::fds_pointing_into(dir) == 0);
    }
    check_reloaded(dir, 900);
    config c;
    c.dir = dir;
    c.log = [](std::string_view) {};
    c.now = [] { return 1702000000.0 + 5000; };
    auto s = store::open(c);
    REQUIRE(s->loaded().identity);
    CHECK(*s->loaded().identity == id);
    CHECK(s->loaded().paths.size() == 1);
}

TEST_CASE("faults: the state directory is replaced by an empty one; everything is rewritten into it") {
    test::scratch_dir d("replaced");
    log_capture log;
    auto dir = d.path / "state";
    {
        auto s = store::open(fault_config(dir, log, nullptr));
        submit_range(*s, 0, 400);
        REQUIRE(s->submit_known_destinations({known_destination{}}));
        REQUIRE(s->flush());
        std::filesystem::remove_all(dir);
        std::filesystem::create_directory(dir); // a new inode before the next check
        for (int i = 0; i < 500 && fails(s->snapshot_stats(), failure_kind::state_dir_missing) == 0; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        REQUIRE(fails(s->snapshot_stats(), failure_kind::state_dir_missing) == 1);
        REQUIRE(s->flush(std::chrono::milliseconds(20000)));
        CHECK(std::filesystem::exists(dir / "ratchets.seg"));
        CHECK(std::filesystem::exists(dir / "known.snap"));
        std::this_thread::sleep_for(std::chrono::milliseconds(100)); // several more checks: no repeat
        CHECK(fails(s->snapshot_stats(), failure_kind::state_dir_missing) == 1);
    }
    check_reloaded(dir, 400);
}
