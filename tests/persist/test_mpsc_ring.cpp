// The producer ring: FIFO per producer, nothing lost or duplicated under contention, full = false.
#include "persist/mpsc_ring.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace {
struct item {
    std::uint32_t producer;
    std::uint32_t n;
};
} // namespace

TEST_CASE("mpsc_ring: capacity rounds up, full ring refuses, FIFO order") {
    persist::mpsc_ring<item> r(5);
    CHECK(r.capacity() == 8);
    for (std::uint32_t i = 0; i < 8; ++i) {
        REQUIRE(r.try_push({0, i}));
    }
    CHECK_FALSE(r.try_push({0, 99}));
    CHECK(r.size_approx() == 8);
    item out{};
    for (std::uint32_t i = 0; i < 8; ++i) {
        REQUIRE(r.try_pop(out));
        CHECK(out.n == i);
    }
    CHECK_FALSE(r.try_pop(out));
    CHECK(r.try_push({0, 100}));
    REQUIRE(r.try_pop(out));
    CHECK(out.n == 100);
}

TEST_CASE("mpsc_ring: 4 producers x 200k items, consumer sees each exactly once in per-producer order") {
    constexpr std::uint32_t producers = 4, per = 200000;
    persist::mpsc_ring<item> r(1024);
    std::atomic<std::uint64_t> refused{0};
    std::vector<std::thread> ts;
    for (std::uint32_t p = 0; p < producers; ++p) {
        ts.emplace_back([&, p] {
            for (std::uint32_t i = 0; i < per; ++i) {
                while (!r.try_push({p, i})) {
                    refused.fetch_add(1, std::memory_order_relaxed);
                    std::this_thread::yield();
                }
            }
        });
    }
    std::vector<std::uint32_t> next(producers, 0);
    std::uint64_t got = 0;
    bool order_ok = true;
    item out{};
    while (got < std::uint64_t{producers} * per) {
        if (r.try_pop(out)) {
            order_ok = order_ok && out.producer < producers && out.n == next[out.producer];
            ++next[out.producer];
            ++got;
        }
    }
    for (auto& t : ts) {
        t.join();
    }
    CHECK(order_ok);
    for (std::uint32_t p = 0; p < producers; ++p) {
        CHECK(next[p] == per);
    }
    CHECK_FALSE(r.try_pop(out));
}
