// The registered-file pool: the table size is the hard bound, files never enter /proc/self/fd,
// waiters are served in FIFO order, and a handle dropped with a file open closes it via the ring.
#include "persist/slot_pool.hpp"
#include "persist/stats.hpp"
#include "test_util.hpp"

#include <fcntl.h>

#include <doctest/doctest.h>

#include <vector>

using namespace persist;

namespace {
struct result_client final : io_client {
    int res = 1;
    bool done = false;
    void on_complete(int r) noexcept override {
        res = r;
        done = true;
    }
};
int run(uring& ring, result_client& c) {
    while (!c.done) {
        ring.submit_and_drain(1, std::chrono::milliseconds(100));
    }
    return c.res;
}
struct waiter final : slot_waiter {
    std::vector<slot> got;
    void on_slot(slot s) noexcept override { got.push_back(std::move(s)); }
};
} // namespace

TEST_CASE("slot_pool: bound, FIFO waiters, counters") {
    uring ring(16, 2);
    slot_counters c;
    slot_pool pool(ring, 2, c);
    auto a = pool.try_acquire();
    auto b = pool.try_acquire();
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a->index() != b->index());
    CHECK_FALSE(pool.try_acquire());
    waiter w1, w2;
    pool.wait(w1);
    pool.wait(w2);
    CHECK(c.in_use == 2);
    CHECK(c.waits == 2);
    pool.dispatch();
    CHECK(w1.got.empty());
    a->reset();
    CHECK_FALSE(pool.try_acquire()); // a waiter is first in line
    pool.dispatch();
    REQUIRE(w1.got.size() == 1);
    CHECK(w2.got.empty());
    b.reset();
    pool.dispatch();
    REQUIRE(w2.got.size() == 1);
    CHECK(c.high_water == 2);
    w1.got.clear();
    w2.got.clear();
    CHECK(pool.free_count() == 2);
    CHECK(c.in_use == 0);
}

TEST_CASE("slot_pool: open-direct files stay out of /proc/self/fd; a dropped open slot is closed") {
    test::scratch_dir d("slots");
    std::string path = (d.path / "f").string();
    int fds_before = count_process_fds();
    uring ring(16, 2);
    slot_counters c;
    slot_pool pool(ring, 2, c);
    {
        auto s = pool.try_acquire();
        REQUIRE(s);
        result_client open;
        ring.prep_open(open, s->index(), path.c_str(), O_WRONLY | O_CREAT, 0600);
        REQUIRE(run(ring, open) == 0);
        s->set_open(true);
        result_client w;
        const char msg[] = "hello";
        ring.prep_write(w, s->index(), msg, 5, 0);
        CHECK(run(ring, w) == 5);
        CHECK(test::fds_pointing_into(d.path) == 0);
        CHECK(count_process_fds() == fds_before + 1); // only the ring itself
    } // dropped while open: the pool queues a close-direct
    CHECK(pool.free_count() == 1);
    ring.submit_and_drain(1, std::chrono::milliseconds(100));
    CHECK(pool.free_count() == 2);
    CHECK(std::filesystem::file_size(path) == 5);
    // Slot indices past the table do not exist: the pool size is the kernel-enforced bound.
    result_client bad;
    ring.prep_open(bad, 2, path.c_str(), O_RDONLY, 0);
    CHECK(run(ring, bad) < 0);
}
