// The store end to end: restart brings back ratchets, paths, known destinations and identity;
// lookups and expiry; backpressure when every slot is busy; counters.
#include "persist/store.hpp"
#include "test_util.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <thread>

using namespace persist;

namespace {

std::vector<path_record> some_paths(std::size_t n, std::uint64_t salt) {
    std::vector<path_record> v;
    for (std::size_t i = 0; i < n; ++i) {
        path_record p;
        p.destination = test::dest_of(i);
        p.timestamp = 1702000000.0 + static_cast<double>(salt);
        p.next_hop = test::dest_of(1000 + i);
        p.hops = static_cast<std::uint8_t>(1 + i % 5);
        p.expires = p.timestamp + 604800;
        p.random_blobs.push_back(rns::byte_array<10>{static_cast<std::uint8_t>(salt)});
        p.interface_hash = test::ratchet_of(7);
        p.announce_hash = test::ratchet_of(i + salt);
        p.announce.assign(170, static_cast<std::uint8_t>(i));
        v.push_back(std::move(p));
    }
    return v;
}

config base_config(const std::filesystem::path& dir) {
    config c;
    c.dir = dir;
    c.fsync_interval = std::chrono::milliseconds(5);
    c.log = [](std::string_view) {};
    c.now = [] { return 1702000000.0 + 5000; }; // the records' era: nothing expires unless a test says so
    return c;
}

} // namespace

TEST_CASE("store: graceful stop and start brings back ratchets, paths, known destinations, identity") {
    test::scratch_dir d("restart");
    auto paths = some_paths(50, 1);
    std::vector<known_destination> known(3);
    for (std::size_t i = 0; i < known.size(); ++i) {
        known[i].destination = test::dest_of(i);
        known[i].last_heard = 1702000000.0 + static_cast<double>(i);
        known[i].public_key.fill(static_cast<std::uint8_t>(i));
        known[i].app_data = rns::bytes{static_cast<std::uint8_t>(i)};
    }
    identity_key id{};
    id.fill(0x5a);
    double now = 1702000000.0;
    {
        auto s = store::open(base_config(d.path));
        CHECK(s->loaded().ratchets.empty());
        CHECK_FALSE(s->loaded().identity);
        for (std::uint64_t i = 0; i < 1000; ++i) {
            REQUIRE(s->submit_ratchet(test::dest_of(i % 100), test::ratchet_of(i), now + static_cast<double>(i)));
        }
        REQUIRE(s->submit_ratchet_forget(test::dest_of(99)));
        REQUIRE(s->submit_path_snapshot(some_paths(10, 0))); // superseded by the next one
        REQUIRE(s->submit_path_snapshot(paths));
        REQUIRE(s->submit_known_destinations(known));
        REQUIRE(s->submit_identity(id));
        REQUIRE(s->flush());
        auto r = s->ratchet_for(test::dest_of(5), now + 1000);
        REQUIRE(r);
        CHECK(r->ratchet == test::ratchet_of(905));
        CHECK_FALSE(s->ratchet_for(test::dest_of(99), now + 1000));
        stats st = s->snapshot_stats();
        CHECK(st.records_durable == 1001);
        CHECK(st.bytes_written >= 64 + 99 * 64); // appended, or inside the first compaction image
        CHECK(st.fsyncs >= 1);
        CHECK(st.snapshots_written >= 3);
        CHECK(st.ratchets_live == 99);
        CHECK(st.slots_total == 16);
        CHECK(st.slots_in_use == 1); // only the open segment
        CHECK(test::fds_pointing_into(d.path) == 0);
    }
    auto s = store::open(base_config(d.path));
    const loaded_state& l = s->loaded();
    CHECK(l.report.errors.empty());
    CHECK(l.report.torn_tail_bytes == 0);
    REQUIRE(l.ratchets.size() == 99);
    for (const auto& r : l.ratchets) {
        std::uint64_t i = 0;
        for (std::size_t k = 0; k < 8; ++k) {
            i |= static_cast<std::uint64_t>(r.destination[8 + k]) << (8 * k);
        }
        CHECK(r.ratchet == test::ratchet_of(900 + i));
        CHECK(r.received == now + static_cast<double>(900 + i));
    }
    CHECK(l.paths == paths);
    CHECK(l.known == known);
    REQUIRE(l.identity);
    CHECK(*l.identity == id);
    CHECK(s->ratchet_for(test::dest_of(3), now + 1000));
}

TEST_CASE("store: ratchets expire after 30 days (spec §5.4), in lookups and at the next start") {
    test::scratch_dir d("expiry");
    auto clock = std::make_shared<std::atomic<double>>(1702000000.0);
    auto cfg = base_config(d.path);
    cfg.now = [clock] { return clock->load(); };
    {
        auto s = store::open(cfg);
        REQUIRE(s->submit_ratchet(test::dest_of(1), test::ratchet_of(1), 1702000000.0));
        REQUIRE(s->submit_ratchet(test::dest_of(2), test::ratchet_of(2), 1702000000.0 + 86400 * 10));
        REQUIRE(s->flush());
        CHECK(s->ratchet_for(test::dest_of(1), 1702000000.0 + 2592000 - 1));
        CHECK_FALSE(s->ratchet_for(test::dest_of(1), 1702000000.0 + 2592000 + 1));
    }
    clock->store(1702000000.0 + 2592000 + 1);
    auto s = store::open(cfg);
    CHECK(s->loaded().report.expired_ratchets == 1);
    REQUIRE(s->loaded().ratchets.size() == 1);
    CHECK(s->loaded().ratchets[0].destination == test::dest_of(2));
    REQUIRE(s->flush()); // the start-up compaction drops the expired record from disk too
    s.reset();
    auto again = store::open(cfg);
    CHECK(again->loaded().report.ratchet_records == 1);
    CHECK(again->loaded().report.expired_ratchets == 0);
}

TEST_CASE("store: with 2 slots, snapshot writes queue for a slot instead of failing") {
    test::scratch_dir d("backpressure");
    auto cfg = base_config(d.path);
    cfg.slots = 2;
    cfg.compact_min_bytes = 64 * 1024; // force compactions (they hold both slots)
    cfg.compact_ratio = 1.5;
    {
        auto s = store::open(cfg);
        for (std::uint64_t round = 0; round < 20; ++round) {
            for (std::uint64_t i = 0; i < 2000; ++i) {
                while (!s->submit_ratchet(test::dest_of(i % 50), test::ratchet_of(round * 2000 + i), 1702000000.0)) {
                    std::this_thread::yield();
                }
            }
            REQUIRE(s->submit_path_snapshot(some_paths(5, round)));
            REQUIRE(s->submit_known_destinations({}));
            identity_key id{};
            id.fill(static_cast<std::uint8_t>(round));
            REQUIRE(s->submit_identity(id));
        }
        REQUIRE(s->flush(std::chrono::milliseconds(30000)));
        stats st = s->snapshot_stats();
        CHECK(st.slots_high_water == 2);
        CHECK(st.slot_waits > 0);
        CHECK(st.compactions > 0);
        for (auto f : st.failures) {
            CHECK(f == 0);
        }
    }
    auto s = store::open(cfg);
    CHECK(s->loaded().paths == some_paths(5, 19));
    REQUIRE(s->loaded().identity);
    CHECK((*s->loaded().identity)[0] == 19);
    REQUIRE(s->loaded().ratchets.size() == 50);
    for (const auto& r : s->loaded().ratchets) {
        auto i = static_cast<std::uint64_t>(r.destination[8]);
        CHECK(r.ratchet == test::ratchet_of(19 * 2000 + 1950 + i));
    }
}

TEST_CASE("store: a full ring is a counted drop, never a block") {
    test::scratch_dir d("ringfull");
    auto cfg = base_config(d.path);
    cfg.ring_capacity = 4;
    auto s = store::open(cfg);
    std::uint64_t refused = 0;
    for (std::uint64_t i = 0; i < 100000; ++i) {
        if (!s->submit_ratchet(test::dest_of(i), test::ratchet_of(i), 1702000000.0)) {
            ++refused;
        }
    }
    CHECK(refused > 0);
    CHECK(s->snapshot_stats().ring_drops == refused);
    REQUIRE(s->flush());
    CHECK(s->snapshot_stats().records_durable == 100000 - refused);
}
