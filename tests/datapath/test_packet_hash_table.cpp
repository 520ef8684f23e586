// The packet-hash table (router/datapath/packet_hash_table.hpp) against the rules it implements:
// spec §6.3 (a hash is a duplicate while it is in the current or the previous generation), §6.4
// (reverse entry per forwarded packet), §6.11 (a proof takes the entry, once), §6.12 (reverse
// entries live 480 s), the size bound (oldest first, counted), and the concurrency contract:
// several threads remembering the same hashes accept each exactly once, and a reverse entry
// written by one thread is found by another.

#include "router/datapath/packet_hash_table.hpp"

#include "crypto/sha256.hpp"
#include "router/rns/bytes.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <new>
#include <thread>
#include <vector>

using namespace rns;
using rns::datapath::packet_hash_table;

namespace {

/// A table on heap memory (the router uses hugepages).
struct table_fixture {
    explicit table_fixture(std::size_t slots, std::uint64_t rotate_at = 500'000, unsigned writers = 2)
        : mem(static_cast<std::byte*>(::operator new(packet_hash_table::bytes_for(slots), std::align_val_t{64}))),
          t(mem, slots, rotate_at, writers) {}
    ~table_fixture() { ::operator delete(mem, std::align_val_t{64}); }
    table_fixture(const table_fixture&) = delete;
    table_fixture& operator=(const table_fixture&) = delete;
    std::byte* mem;
    packet_hash_table t;
};

/// Packet hashes as the router computes them: SHA-256 (spec §4.5) of distinct inputs.
hash32 hash_n(std::uint32_t n) {
    std::uint8_t in[4];
    std::memcpy(in, &n, sizeof in);
    return crypto::sha256(byte_view(in, sizeof in));
}

constexpr std::uint32_t t0 = 1'800'000'000; // a wall-clock second

} // namespace

TEST_CASE("packet_hash_table: first sighting accepted, duplicates refused, two generations") {
    table_fixture f(1 << 12, /*rotate_at=*/100);
    auto& t = f.t;
    const hash32 a = hash_n(1);
    CHECK_FALSE(t.contains(a.data()));
    CHECK(t.insert(a.data(), t0, 0));
    CHECK(t.contains(a.data()));
    CHECK_FALSE(t.insert(a.data(), t0, 1)); // the same packet on another worker
    // The truncated hash (a proof's destination) finds the same entry.
    CHECK(t.contains(take<16>(a).data()));

    // Fill the first generation past rotate_at: a rotates into the previous generation and is
    // still a duplicate; one more generation later it is forgotten (spec §6.3).
    for (std::uint32_t i = 100; i < 202; ++i) {
        CHECK(t.insert(hash_n(i).data(), t0, 0));
    }
    CHECK(t.maybe_rotate());
    CHECK(t.contains(a.data()));
    CHECK_FALSE(t.maybe_rotate()); // nothing new since
    for (std::uint32_t i = 1000; i < 1102; ++i) {
        CHECK(t.insert(hash_n(i).data(), t0, 0));
    }
    CHECK(t.maybe_rotate());
    CHECK_FALSE(t.contains(a.data()));
    CHECK(t.insert(a.data(), t0, 0)); // new again
    CHECK(t.contains(hash_n(1000).data()));
    CHECK(t.sum(&packet_hash_table::writer_counters::evicted) == 0);
}

TEST_CASE("packet_hash_table: reverse entries are written, taken once, and expire after 480 s") {
    table_fixture f(1 << 12);
    auto& t = f.t;
    const hash32 h = hash_n(7);
    const hash16 key = take<16>(h);
    CHECK(t.insert(h.data(), t0, 0));
    t.set_reverse(h.data(), 3, 5, t0, 0);
    auto found = t.find_reverse(key.data(), t0 + 10);
    REQUIRE(found);
    CHECK(found->received_on == 3);
    CHECK(found->outbound == 5);
    CHECK(found->time == t0);

    SUBCASE("a proof takes it; a second proof finds nothing; the hash stays remembered") {
        auto taken = t.take_reverse(key.data(), t0 + 1, 1);
        REQUIRE(taken);
        CHECK(taken->received_on == 3);
        CHECK(taken->outbound == 5);
        CHECK_FALSE(t.take_reverse(key.data(), t0 + 1, 0));
        CHECK_FALSE(t.find_reverse(key.data(), t0 + 1));
        CHECK(t.contains(h.data()));
    }
    SUBCASE("480 s later it is still there, 481 s later it is gone") {
        CHECK(t.find_reverse(key.data(), t0 + 480));
        CHECK_FALSE(t.find_reverse(key.data(), t0 + 481));
        CHECK_FALSE(t.take_reverse(key.data(), t0 + 481, 0));
    }
    SUBCASE("a reverse entry without a remembered hash (spec §6.2 step 6 exemption)") {
        const hash32 g = hash_n(8);
        t.set_reverse(g.data(), 1, 2, t0, 0);
        CHECK_FALSE(t.contains(g.data()));
        CHECK(t.find_reverse(take<16>(g).data(), t0));
        CHECK(t.insert(g.data(), t0, 0)); // remembering it later is a first sighting
        CHECK(t.find_reverse(take<16>(g).data(), t0)); // and keeps the reverse entry
    }
    SUBCASE("an interface that goes away takes its reverse entries along") {
        t.forget_interface(5);
        CHECK_FALSE(t.find_reverse(key.data(), t0));
    }
}

TEST_CASE("packet_hash_table: when full, the oldest entries go first and are counted") {
    // The smallest table: one bucket, so every hash's window is the whole table.
    table_fixture f(1, /*rotate_at=*/1'000'000);
    auto& t = f.t;
    const auto n = static_cast<std::uint32_t>(t.capacity());
    REQUIRE(n == packet_hash_table::window);
    // n reverse entries at increasing times fill the table.
    for (std::uint32_t i = 0; i < n; ++i) {
        t.set_reverse(hash_n(i).data(), 1, 2, t0 + i, 0);
    }
    CHECK(t.sum(&packet_hash_table::writer_counters::evicted) == 0);
    for (std::uint32_t i = 0; i < n; ++i) {
        CHECK(t.find_reverse(take<16>(hash_n(i)).data(), t0 + 20));
    }
    // Four more: the four oldest are the victims.
    for (std::uint32_t i = n; i < n + 4; ++i) {
        t.set_reverse(hash_n(i).data(), 1, 2, t0 + i, 0);
    }
    CHECK(t.sum(&packet_hash_table::writer_counters::evicted) == 4);
    CHECK(t.sum(&packet_hash_table::writer_counters::evicted_reverse) == 4);
    for (std::uint32_t i = 0; i < 4; ++i) {
        CHECK_FALSE(t.find_reverse(take<16>(hash_n(i)).data(), t0 + 40));
    }
    for (std::uint32_t i = 4; i < n + 4; ++i) {
        CHECK(t.find_reverse(take<16>(hash_n(i)).data(), t0 + 40));
    }
    // A remembered hash of the current generation takes the place of the oldest reverse entry.
    CHECK(t.insert(hash_n(500).data(), t0 + 40, 0));
    CHECK(t.contains(hash_n(500).data()));
    CHECK_FALSE(t.find_reverse(take<16>(hash_n(4)).data(), t0 + 40));
    // Expired entries are reused without counting an eviction.
    const auto before = t.sum(&packet_hash_table::writer_counters::evicted);
    for (std::uint32_t i = 1000; i < 1000 + n - 1; ++i) {
        t.set_reverse(hash_n(i).data(), 1, 2, t0 + 2000, 0);
    }
    CHECK(t.sum(&packet_hash_table::writer_counters::evicted) == before);
    CHECK(t.contains(hash_n(500).data()));
}

TEST_CASE("packet_hash_table: two threads remembering the same hashes accept each exactly once") {
    constexpr std::uint32_t n = 200'000;
    // Filled to a tenth: one bucket per hash evicts nothing at that load (see the header).
    table_fixture f(1 << 21, /*rotate_at=*/10'000'000, /*writers=*/3);
    auto& t = f.t;
    std::vector<hash32> hashes;
    hashes.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        hashes.push_back(hash_n(i));
    }
    std::vector<std::uint8_t> won[2] = {std::vector<std::uint8_t>(n), std::vector<std::uint8_t>(n)};
    std::atomic<int> ready{0};
    auto run = [&](unsigned who) {
        ready.fetch_add(1);
        while (ready.load() < 2) {
        }
        for (std::uint32_t i = 0; i < n; ++i) {
            won[who][i] = t.insert(hashes[i].data(), t0, who) ? 1 : 0;
        }
    };
    std::thread a(run, 0U);
    std::thread b(run, 1U);
    a.join();
    b.join();
    std::uint32_t twice = 0;
    std::uint32_t never = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
        twice += won[0][i] + won[1][i] == 2 ? 1 : 0;
        never += won[0][i] + won[1][i] == 0 ? 1 : 0;
    }
    CHECK(twice == 0);
    CHECK(never == 0);
    CHECK(t.sum(&packet_hash_table::writer_counters::inserted) == n);
    CHECK(t.sum(&packet_hash_table::writer_counters::evicted) == 0);
}

TEST_CASE("packet_hash_table: a reverse entry written by one thread is found by another") {
    constexpr std::uint32_t n = 100'000;
    table_fixture f(1 << 20, 10'000'000, 3);
    auto& t = f.t;
    std::vector<hash32> hashes;
    hashes.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        hashes.push_back(hash_n(i));
    }
    // The writer forwards packet i (remember, reverse entry) and then "transmits" it: publishes
    // i. The reader plays the proof coming back on another core: it takes the entry of every
    // published packet, as a proof that cannot come back before its packet left.
    std::atomic<std::uint32_t> sent{0};
    std::uint32_t found = 0;
    std::uint32_t right = 0;
    std::thread writer([&] {
        for (std::uint32_t i = 0; i < n; ++i) {
            (void)t.insert(hashes[i].data(), t0, 0);
            t.set_reverse(hashes[i].data(), static_cast<std::uint16_t>(i % 7),
                          static_cast<std::uint16_t>(i % 11), t0, 0);
            sent.store(i + 1, std::memory_order_release);
        }
    });
    std::thread reader([&] {
        std::uint32_t next = 0;
        while (next < n) {
            const std::uint32_t upto = sent.load(std::memory_order_acquire);
            for (; next < upto; ++next) {
                const auto e = t.take_reverse(hashes[next].data(), t0 + 1, 1);
                if (e) {
                    ++found;
                    right += e->received_on == next % 7 && e->outbound == next % 11 ? 1 : 0;
                }
            }
        }
    });
    writer.join();
    reader.join();
    CHECK(found == n);
    CHECK(right == n);
    CHECK(t.sum(&packet_hash_table::writer_counters::reverse_taken) == n);
}
