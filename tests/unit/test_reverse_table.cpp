// The bounded reverse table against a plain model: a list of (key, entry) in insertion order,
// where replacing an entry with a new timestamp moves it to the back and a full table drops the
// front. Random operations, every step compared.
#include "router/control/reverse_table.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <list>
#include <random>

namespace {

using rns::control::reverse_entry;
using rns::control::reverse_table;
using rns::hash16;

struct model {
    std::size_t capacity;
    std::list<std::pair<hash16, reverse_entry>> items; // oldest first

    auto find(const hash16& k) {
        return std::find_if(items.begin(), items.end(), [&](const auto& i) { return i.first == k; });
    }
    std::optional<hash16> set(const hash16& k, const reverse_entry& e) {
        auto it = find(k);
        if (it != items.end()) {
            const bool same_time = it->second.timestamp == e.timestamp;
            it->second = e;
            if (!same_time) {
                items.splice(items.end(), items, it); // newer: now the youngest
            }
            return std::nullopt;
        }
        std::optional<hash16> evicted;
        if (items.size() >= capacity) {
            evicted = items.front().first;
            items.pop_front();
        }
        items.emplace_back(k, e);
        return evicted;
    }
    bool erase(const hash16& k) {
        auto it = find(k);
        if (it == items.end()) {
            return false;
        }
        items.erase(it);
        return true;
    }
};

hash16 key(unsigned i) {
    hash16 k{};
    k[0] = static_cast<std::uint8_t>(i);
    k[1] = static_cast<std::uint8_t>(i >> 8);
    k[15] = 0x5a;
    return k;
}

} // namespace

TEST_CASE("reverse table: bounded, oldest evicted, matches the model under random operations") {
    constexpr std::size_t cap = 16;
    reverse_table t(cap);
    model m{cap, {}};
    std::mt19937 rng(7);
    double now = 1000;
    std::uint64_t evictions = 0;
    for (int step = 0; step < 20000; ++step) {
        const unsigned k = rng() % 40;
        const unsigned op = rng() % 10;
        if (op < 6) {
            if (rng() % 3 == 0) {
                now += 1; // some sets share a timestamp, some do not
            }
            const reverse_entry e{static_cast<rns::control::iface_id>(k % 3),
                                  static_cast<rns::control::iface_id>(k % 5), now};
            const auto got = t.set(key(k), e);
            const auto want = m.set(key(k), e);
            REQUIRE(got.has_value() == want.has_value());
            if (got) {
                REQUIRE(*got == *want);
                ++evictions;
            }
        } else {
            REQUIRE(t.erase(key(k)) == m.erase(key(k)));
        }
        REQUIRE(t.size() == m.items.size());
        REQUIRE(t.size() <= cap);
        for (const auto& [mk, me] : m.items) {
            const reverse_entry* e = t.find(mk);
            REQUIRE(e != nullptr);
            REQUIRE(e->timestamp == me.timestamp);
            REQUIRE(e->received_on == me.received_on);
        }
    }
    CHECK(evictions > 100); // the bound was exercised
}

TEST_CASE("reverse table: a table never full evicts nothing however many entries come and go") {
    reverse_table t(4);
    for (unsigned i = 0; i < 100000; ++i) {
        REQUIRE_FALSE(t.set(key(i % 50000), {0, 1, static_cast<double>(i)}).has_value());
        REQUIRE(t.erase(key(i % 50000)));
    }
    CHECK(t.size() == 0);
}
