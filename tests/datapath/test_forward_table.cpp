// The flat forwarding table (router/datapath/forward_table.hpp): one lookup answers path and link
// (spec §6.4, §6.5 share the 16-byte key space), entries set, replaced and removed by the single
// writer are seen by readers, removed slots are reused, the size bound holds, "last used" seconds
// are collected once, and a reader on another thread never sees a torn entry while the writer
// rewrites it.

#include "router/datapath/forward_table.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <map>
#include <new>
#include <thread>

using namespace rns;
using rns::datapath::forward_table;

namespace {

struct table_fixture {
    explicit table_fixture(std::size_t entries)
        : mem(::operator new(forward_table::bytes_for(entries), std::align_val_t{64})), t(mem, entries, 0x1234) {}
    ~table_fixture() { ::operator delete(mem, std::align_val_t{64}); }
    table_fixture(const table_fixture&) = delete;
    table_fixture& operator=(const table_fixture&) = delete;
    void* mem;
    forward_table t;
};

hash16 key_n(std::uint32_t n) {
    hash16 k{};
    for (std::size_t i = 0; i < k.size(); ++i) {
        k[i] = static_cast<std::uint8_t>((n >> (8 * (i % 4))) ^ (i * 31));
    }
    return k;
}

control::fast_path_entry path_of(std::uint32_t n) {
    return {key_n(n + 1000), static_cast<std::uint8_t>(n % 7 + 1), static_cast<control::iface_id>(n % 13)};
}

} // namespace

TEST_CASE("forward_table: paths and links under one key space, one lookup") {
    table_fixture f(64);
    auto& t = f.t;
    const hash16 dest = key_n(1);
    const hash16 link_id = key_n(2);
    CHECK(t.find(dest.data()).has == 0);

    REQUIRE(t.set_path(dest, {key_n(9), 3, 4}));
    REQUIRE(t.set_link(link_id, {5, 6, 2, 1, false}));
    auto p = t.find(dest.data());
    CHECK(p.path_found());
    CHECK_FALSE(p.link_found());
    CHECK(p.path.next_hop == key_n(9));
    CHECK(p.path.hops == 3);
    CHECK(p.path.out == 4);
    auto l = t.find(link_id.data());
    CHECK(l.link_found());
    CHECK_FALSE(l.path_found());
    CHECK(l.link.nh_iface == 5);
    CHECK(l.link.received_on == 6);
    CHECK(l.link.remaining_hops == 2);
    CHECK(l.link.taken_hops == 1);
    CHECK_FALSE(l.link.validated);
    CHECK(t.path_count() == 1);
    CHECK(t.link_count() == 1);

    // A key that is both a destination and a link id keeps both entries.
    REQUIRE(t.set_link(dest, {7, 8, 1, 1, true}));
    p = t.find(dest.data());
    CHECK(p.path_found());
    CHECK(p.link_found());
    CHECK(p.link.validated);
    t.remove_path(dest);
    p = t.find(dest.data());
    CHECK_FALSE(p.path_found());
    CHECK(p.link_found());
    CHECK(t.path_count() == 0);

    // Replacement in place; removal; the key can come back.
    REQUIRE(t.set_link(link_id, {5, 6, 2, 1, true}));
    CHECK(t.find(link_id.data()).link.validated);
    t.remove_link(link_id);
    CHECK(t.find(link_id.data()).has == 0);
    REQUIRE(t.set_link(link_id, {1, 2, 3, 4, false}));
    CHECK(t.find(link_id.data()).link.nh_iface == 1);
}

TEST_CASE("forward_table: bound, churn with backward-shift deletion, usage collected once") {
    table_fixture f(100);
    auto& t = f.t;
    for (std::uint32_t i = 0; i < 100; ++i) {
        REQUIRE(t.set_path(key_n(i), path_of(i)));
    }
    CHECK_FALSE(t.set_path(key_n(100), path_of(100))); // the bound: 100 entries
    for (std::uint32_t i = 0; i < 100; ++i) {
        const auto r = t.find(key_n(i).data());
        REQUIRE(r.path_found());
        CHECK(r.path.next_hop == path_of(i).next_hop);
        CHECK(r.path.out == path_of(i).out);
    }
    // Churn: remove and add many times over; every live key stays findable.
    for (std::uint32_t round = 0; round < 20; ++round) {
        for (std::uint32_t i = 0; i < 50; ++i) {
            t.remove_path(key_n(round * 1000 + i));
        }
        for (std::uint32_t i = 0; i < 50; ++i) {
            REQUIRE(t.set_path(key_n((round + 1) * 1000 + i), path_of(i)));
        }
    }
    for (std::uint32_t i = 0; i < 50; ++i) {
        CHECK(t.find(key_n(20 * 1000 + i).data()).path_found());
        CHECK(t.find(key_n(50 + i).data()).path_found());
        CHECK_FALSE(t.find(key_n(19 * 1000 + i).data()).path_found());
    }
    CHECK(t.path_count() == 100);

    // Workers record use; the control plane collects each once.
    const auto a = t.find(key_n(50).data());
    const auto b = t.find(key_n(51).data());
    a.at->path_used.touch(1000);
    a.at->path_used.touch(1001);
    b.at->path_used.touch(999);
    std::map<hash16, std::uint32_t> seen;
    std::size_t links_seen = 0;
    auto path_f = [&](const hash16& k, std::uint32_t s) { seen[k] = s; };
    auto link_f = [&](const hash16&, std::uint32_t) { ++links_seen; };
    // In two slices that cover the table once.
    const std::size_t half = t.slot_count() / 2;
    const std::size_t next = t.collect_usage(0, half, path_f, link_f);
    CHECK(next == half);
    CHECK(t.collect_usage(next, t.slot_count() - half, path_f, link_f) == 0);
    CHECK(seen.size() == 2);
    CHECK(seen[key_n(50)] == 1001);
    CHECK(seen[key_n(51)] == 999);
    CHECK(links_seen == 0);
    seen.clear();
    (void)t.collect_usage(0, t.slot_count(), path_f, link_f);
    CHECK(seen.empty());
}

TEST_CASE("forward_table: a reader never sees a torn entry while the writer rewrites it") {
    table_fixture f(1024);
    auto& t = f.t;
    const hash16 k = key_n(77);
    // Every version the writer publishes is self-consistent: next_hop is filled with the byte v,
    // hops == v, out == v. A reader seeing a mix of two versions fails.
    auto version = [](std::uint8_t v) {
        hash16 nh;
        nh.fill(v);
        return control::fast_path_entry{nh, v, v};
    };
    REQUIRE(t.set_path(k, version(1)));
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> torn{0};
    std::atomic<std::uint64_t> reads{0};
    std::thread reader([&] {
        while (!stop.load(std::memory_order_relaxed)) {
            const auto r = t.find(k.data());
            if (!r.path_found()) {
                torn.fetch_add(1);
                continue;
            }
            bool ok = r.path.hops == r.path.out;
            for (auto byte : r.path.next_hop) {
                ok = ok && byte == r.path.hops;
            }
            torn.fetch_add(ok ? 0 : 1);
            reads.fetch_add(1, std::memory_order_relaxed);
        }
    });
    // At least 200k rewrites, and on until the reader has looked 100k times (a loaded machine
    // may not schedule it at once).
    for (std::uint32_t i = 0; i < 200'000 || reads.load(std::memory_order_relaxed) < 100'000; ++i) {
        REQUIRE(t.set_path(k, version(static_cast<std::uint8_t>(i % 250 + 1))));
    }
    stop.store(true);
    reader.join();
    CHECK(torn.load() == 0);
    CHECK(reads.load() >= 100'000);
}
