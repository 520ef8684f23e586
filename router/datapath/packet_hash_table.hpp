#pragma once
// The packet-hash table: the duplicate filter (spec §6.3 rules 5-6, two generations, §6.2 step 6)
// and the reverse table (spec §6.4, §6.11, 480 s expiry of §6.12) in one lock-free table, written
// by every worker and by the control plane. A duplicate or a proof that arrives on another worker
// or port is found, because there is only one table; a worker writes a reverse entry before it
// transmits the packet, so the proof can never overtake it. No locks, no allocation after
// construction, no whole-table clearing: entries expire by generation (dedup) and by age
// (reverse), and a full bucket gives up its oldest entry.
//
// Layout: buckets of eight 16-byte slots (two adjacent cache lines); a hash has one bucket, picked
// by the low bits of its first 8 bytes, and takes the slot holding its tag, else the first free
// slot, else the bucket's oldest. One bucket per hash, not two: every insert had to probe both
// buckets (a new tag can only be ruled out after all 16 slots) and a forwarded data packet's
// insert plus reverse entry then cost ~990 cycles against ~360 with one bucket (4 Mi slots,
// bursts of 256 prefetched, one core; /tmp microbenchmark of these calls). The price: with one
// bucket a table filled to a fifth evicts a few live entries (Poisson tail of 8 per bucket,
// ~3 in 10^5 buckets), which are counted; at a tenth, none in practice. A slot is two words, each
// changed atomically:
//   key = tag (40 bits: packet hash bytes 3..7) << 24 | generation (23 bits) << 1 | member (1 bit)
//         0 = empty. The bucket index comes from the low bits of the same 8 bytes, so a key
//         matches another packet's only if 62+ bits agree (~2^-36 per lookup at full load).
//         member: the hash is in the duplicate filter (a reverse entry can exist without it: a
//         forwarded packet whose destination is a link id, spec §6.2 step 6).
//   rev = received-on interface << 48 | outbound interface << 32 | time (s) ; 0 = none.
// The key is claimed with compare-and-swap; two cores remembering the same packet at once see
// one CAS succeed, and the other then finds the key: each packet is accepted once. Reverse
// entries are taken (a proof consumes them) with a CAS on rev, so one proof forwards once.
//
// Generations: every writer counts its insertions in its own cache line; the control plane sums
// them and starts a new generation past rotate_at (spec §6.3: 500 000). A key is in the filter
// while its generation is the current or the previous one. With enough slots (at least twice
// rotate_at plus the reverse entries wanted) nothing live is evicted; otherwise the oldest go
// first and are counted.
//
// DPDK-free: the owner passes the memory (hugepages in the router, the heap in unit tests).

#include "router/datapath/prefetch.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>

namespace rns::datapath {

/// A reverse entry as the table keeps it (spec §6.1): interfaces and the time it was written.
struct reverse_hop {
    std::uint16_t received_on = 0;
    std::uint16_t outbound = 0;
    std::uint32_t time = 0; ///< seconds (the router's clock, dataplane::now_s)
};

class packet_hash_table {
  public:
    struct alignas(16) slot {
        std::atomic<std::uint64_t> key{0};
        std::atomic<std::uint64_t> rev{0};
    };
    static_assert(sizeof(slot) == 16);
    static constexpr unsigned bucket_slots = 8;  ///< two 64-byte cache lines
    static constexpr unsigned window = bucket_slots; ///< slots a hash may occupy: its bucket
    static constexpr std::uint32_t reverse_life = 480; ///< spec §6.12: reverse entries, seconds
    static constexpr std::uint32_t max_generation = (1U << 23) - 1;

    /// Per-writer counters, one cache line each (the control plane sums them).
    struct alignas(64) writer_counters {
        std::atomic<std::uint64_t> inserted{0};        ///< hashes remembered (§6.2 step 6)
        std::atomic<std::uint64_t> reverse_written{0}; ///< reverse entries written (§6.4)
        std::atomic<std::uint64_t> reverse_taken{0};   ///< reverse entries used by a proof (§6.11)
        std::atomic<std::uint64_t> evicted{0};         ///< live entries given up for room
        std::atomic<std::uint64_t> evicted_reverse{0}; ///< ... of which held a live reverse entry
    };

    /// Bytes of memory (64-byte aligned) a table of `slots` slots needs; slots is rounded up to
    /// a power of two, at least one bucket.
    [[nodiscard]] static std::size_t slots_for(std::size_t slots) noexcept {
        std::size_t n = bucket_slots;
        while (n < slots) {
            n <<= 1;
        }
        return n;
    }
    [[nodiscard]] static std::size_t bytes_for(std::size_t slots) noexcept {
        return slots_for(slots) * sizeof(slot);
    }

    /// mem: bytes_for(slots) zeroed bytes, 64-byte aligned, outliving the table. writers: the
    /// number of counter lines (one per worker plus one for the control plane).
    packet_hash_table(void* mem, std::size_t slots, std::uint64_t rotate_at, unsigned writers)
        : _slots(static_cast<slot*>(mem)), _bucket_mask(slots_for(slots) / bucket_slots - 1),
          _rotate_at(rotate_at), _writers(writers == 0 ? 1 : writers),
          _counters(std::make_unique<writer_counters[]>(_writers)) {
        for (std::size_t i = 0; i < slots_for(slots); ++i) {
            new (&_slots[i]) slot{};
        }
    }
    packet_hash_table(const packet_hash_table&) = delete;
    packet_hash_table& operator=(const packet_hash_table&) = delete;

    [[nodiscard]] std::size_t capacity() const noexcept { return (_bucket_mask + 1) * bucket_slots; }
    [[nodiscard]] unsigned writers() const noexcept { return _writers; }

    // ---- fast path and control plane (any thread; `who` is the caller's counter line) ----

    /// Starts loading the two cache lines of h's bucket.
    void prefetch(const std::uint8_t* h) const noexcept {
        const slot* b = &_slots[bucket_of(load64(h)) * bucket_slots];
        prefetch_line(b);
        prefetch_line(b + bucket_slots / 2);
    }

    /// spec §6.3 rules 5-6: h (a full or truncated packet hash) is in the duplicate filter.
    [[nodiscard]] bool contains(const std::uint8_t* h) const noexcept {
        const std::uint64_t fp = load64(h);
        const std::uint32_t cur = _generation.load(std::memory_order_acquire);
        const slot* s = find(fp);
        return s != nullptr && remembered(s->key.load(std::memory_order_acquire), cur);
    }

    /// spec §6.2 step 6 with rules 5-6: remembers h; true if it was not in the filter (first
    /// sighting), false for a duplicate. Exactly one of several concurrent callers with the same
    /// h gets true.
    bool insert(const std::uint8_t* h, std::uint32_t now, unsigned who) noexcept {
        const std::uint64_t fp = load64(h);
        for (int attempt = 0; attempt < 8; ++attempt) {
            const std::uint32_t cur = _generation.load(std::memory_order_acquire);
            const pick p = choose(fp, cur, now);
            if (p.same_key && remembered(p.old_key, cur)) {
                return false;
            }
            const std::uint64_t fresh = make_key(fp, cur, true);
            std::uint64_t expected = p.old_key;
            if (p.s->key.compare_exchange_strong(expected, fresh, std::memory_order_acq_rel)) {
                if (!p.same_key) {
                    p.s->rev.store(0, std::memory_order_release);
                    count_eviction(p, now, who);
                }
                bump(_counters[who].inserted);
                return true;
            }
        }
        // Eight lost races in a row on one window: accept rather than stall.
        return true;
    }

    /// spec §6.4: the reverse entry of a packet forwarded now from `in` to `out`. Written before
    /// the packet is transmitted.
    void set_reverse(const std::uint8_t* h, std::uint16_t in, std::uint16_t out, std::uint32_t now,
                     unsigned who) noexcept {
        const std::uint64_t fp = load64(h);
        const std::uint64_t rev = make_rev(in, out, now);
        for (int attempt = 0; attempt < 8; ++attempt) {
            const std::uint32_t cur = _generation.load(std::memory_order_acquire);
            const pick p = choose(fp, cur, now);
            if (p.same_key) {
                p.s->rev.store(rev, std::memory_order_release);
                bump(_counters[who].reverse_written);
                return;
            }
            std::uint64_t expected = p.old_key;
            if (p.s->key.compare_exchange_strong(expected, make_key(fp, cur, false),
                                                 std::memory_order_acq_rel)) {
                p.s->rev.store(rev, std::memory_order_release);
                count_eviction(p, now, who);
                bump(_counters[who].reverse_written);
                return;
            }
        }
    }

    /// spec §6.11: the reverse entry for a truncated packet hash, removed; none if absent or
    /// older than 480 s. Exactly one of several concurrent callers gets it.
    std::optional<reverse_hop> take_reverse(const std::uint8_t* trunc, std::uint32_t now,
                                            unsigned who) noexcept {
        const std::uint64_t fp = load64(trunc);
        for (int attempt = 0; attempt < 8; ++attempt) {
            slot* s = find(fp);
            if (s == nullptr) {
                return std::nullopt;
            }
            std::uint64_t rev = s->rev.load(std::memory_order_acquire);
            if (rev == 0 || !same_tag(s->key.load(std::memory_order_acquire), fp)) {
                return std::nullopt;
            }
            if (!rev_live(rev, now)) {
                return std::nullopt;
            }
            if (s->rev.compare_exchange_strong(rev, 0, std::memory_order_acq_rel)) {
                bump(_counters[who].reverse_taken);
                return unpack(rev);
            }
        }
        return std::nullopt;
    }

    /// The reverse entry for a truncated packet hash, left in place (introspection).
    [[nodiscard]] std::optional<reverse_hop> find_reverse(const std::uint8_t* trunc,
                                                          std::uint32_t now) const noexcept {
        const std::uint64_t fp = load64(trunc);
        const slot* s = find(fp);
        if (s == nullptr) {
            return std::nullopt;
        }
        const std::uint64_t rev = s->rev.load(std::memory_order_acquire);
        if (rev == 0 || !rev_live(rev, now) || !same_tag(s->key.load(std::memory_order_acquire), fp)) {
            return std::nullopt;
        }
        return unpack(rev);
    }

    // ---- control plane ----

    /// A new generation when the writers inserted more than rotate_at since the last one.
    bool maybe_rotate() noexcept {
        const std::uint64_t total = sum(&writer_counters::inserted);
        if (total - _inserted_at_rotation <= _rotate_at) {
            return false;
        }
        _inserted_at_previous_rotation = _inserted_at_rotation;
        _inserted_at_rotation = total;
        const std::uint32_t cur = _generation.load(std::memory_order_relaxed);
        _generation.store(next_generation(cur), std::memory_order_release);
        ++_rotations;
        return true;
    }

    /// Removes every reverse entry through interface id (the interface is gone, spec §6.12). A
    /// scan of the whole table: only when an interface goes away.
    void forget_interface(std::uint16_t id) noexcept {
        for (std::size_t i = 0; i < capacity(); ++i) {
            std::uint64_t rev = _slots[i].rev.load(std::memory_order_acquire);
            if (rev != 0 && (unpack(rev).received_on == id || unpack(rev).outbound == id)) {
                (void)_slots[i].rev.compare_exchange_strong(rev, 0, std::memory_order_acq_rel);
            }
        }
    }

    /// Sum over the writers of one counter.
    [[nodiscard]] std::uint64_t sum(std::atomic<std::uint64_t> writer_counters::*field) const noexcept {
        std::uint64_t n = 0;
        for (unsigned i = 0; i < _writers; ++i) {
            n += (_counters[i].*field).load(std::memory_order_relaxed);
        }
        return n;
    }
    /// Hashes inserted since the current generation started.
    [[nodiscard]] std::uint64_t current_size() const noexcept {
        return sum(&writer_counters::inserted) - _inserted_at_rotation;
    }
    /// Hashes inserted since the previous generation started (what the filter remembers).
    [[nodiscard]] std::uint64_t remembered_size() const noexcept {
        return sum(&writer_counters::inserted) - _inserted_at_previous_rotation;
    }
    [[nodiscard]] std::uint64_t rotations() const noexcept { return _rotations; }
    [[nodiscard]] std::uint32_t generation() const noexcept {
        return _generation.load(std::memory_order_relaxed);
    }

  private:
    struct pick {
        slot* s = nullptr;
        std::uint64_t old_key = 0;
        std::uint64_t old_rev = 0;
        bool same_key = false; ///< s holds this hash's tag (in any generation)
    };

    [[nodiscard]] static std::uint64_t load64(const std::uint8_t* h) noexcept {
        std::uint64_t v;
        std::memcpy(&v, h, sizeof v);
        return v;
    }
    [[nodiscard]] std::size_t bucket_of(std::uint64_t fp) const noexcept {
        return static_cast<std::size_t>(fp) & _bucket_mask;
    }
    [[nodiscard]] static std::uint64_t tag_of(std::uint64_t fp) noexcept { return fp >> 24; }
    [[nodiscard]] static bool same_tag(std::uint64_t key, std::uint64_t fp) noexcept {
        return key != 0 && (key >> 24) == tag_of(fp);
    }
    [[nodiscard]] static std::uint64_t make_key(std::uint64_t fp, std::uint32_t gen, bool member) noexcept {
        return tag_of(fp) << 24 | std::uint64_t{gen} << 1 | (member ? 1U : 0U);
    }
    [[nodiscard]] static std::uint32_t gen_of(std::uint64_t key) noexcept {
        return static_cast<std::uint32_t>(key >> 1) & max_generation;
    }
    [[nodiscard]] static std::uint32_t next_generation(std::uint32_t g) noexcept {
        return g == max_generation ? 1 : g + 1;
    }
    [[nodiscard]] static std::uint32_t previous_generation(std::uint32_t g) noexcept {
        return g == 1 ? max_generation : g - 1;
    }
    /// In the duplicate filter: a member of the current or the previous generation.
    [[nodiscard]] static bool remembered(std::uint64_t key, std::uint32_t cur) noexcept {
        if ((key & 1U) == 0) {
            return false;
        }
        const std::uint32_t g = gen_of(key);
        return g == cur || g == previous_generation(cur);
    }
    [[nodiscard]] static std::uint64_t make_rev(std::uint16_t in, std::uint16_t out, std::uint32_t now) noexcept {
        // time 0 would read as "no entry"; the router's clock is never 0.
        return std::uint64_t{in} << 48 | std::uint64_t{out} << 32 | (now == 0 ? 1U : now);
    }
    [[nodiscard]] static reverse_hop unpack(std::uint64_t rev) noexcept {
        return {static_cast<std::uint16_t>(rev >> 48), static_cast<std::uint16_t>(rev >> 32),
                static_cast<std::uint32_t>(rev)};
    }
    [[nodiscard]] static bool rev_live(std::uint64_t rev, std::uint32_t now) noexcept {
        const std::uint32_t t = static_cast<std::uint32_t>(rev);
        return rev != 0 && (t >= now || now - t <= reverse_life);
    }

    /// Slot i of fp's bucket.
    [[nodiscard]] slot* at(std::uint64_t fp, unsigned i) const noexcept {
        return &_slots[bucket_of(fp) * bucket_slots + i];
    }

    [[nodiscard]] slot* find(std::uint64_t fp) const noexcept {
        for (unsigned i = 0; i < window; ++i) {
            slot* s = at(fp, i);
            if (same_tag(s->key.load(std::memory_order_acquire), fp)) {
                return s;
            }
        }
        return nullptr;
    }

    /// The slot an insertion of fp goes to: the slot of its bucket already holding its tag; else
    /// the first empty or dead one (not remembered, no live reverse entry); else the oldest (the previous
    /// generation before the current one, then the older reverse entry).
    [[nodiscard]] pick choose(std::uint64_t fp, std::uint32_t cur, std::uint32_t now) const noexcept {
        pick free;
        pick victim;
        std::uint64_t victim_score = ~std::uint64_t{0};
        for (unsigned i = 0; i < window; ++i) {
            slot* s = at(fp, i);
            const std::uint64_t k = s->key.load(std::memory_order_acquire);
            if (same_tag(k, fp)) {
                return {s, k, 0, true};
            }
            if (free.s != nullptr) {
                continue; // still looking for the tag further on
            }
            const std::uint64_t r = k == 0 ? 0 : s->rev.load(std::memory_order_relaxed);
            const bool member = remembered(k, cur);
            const bool reverse = rev_live(r, now);
            if (!member && !reverse) {
                free = {s, k, 0, false};
                continue;
            }
            const std::uint64_t age_rank = !member ? 0 : gen_of(k) == cur ? 2 : 1;
            const std::uint64_t score = age_rank << 32 | (reverse ? static_cast<std::uint32_t>(r) : 0U);
            if (score < victim_score) {
                victim_score = score;
                victim = {s, k, r, false};
            }
        }
        return free.s != nullptr ? free : victim;
    }

    void count_eviction(const pick& p, std::uint32_t now, unsigned who) noexcept {
        const std::uint32_t cur = _generation.load(std::memory_order_relaxed);
        const bool reverse = rev_live(p.old_rev, now);
        if (remembered(p.old_key, cur) || reverse) {
            bump(_counters[who].evicted);
            if (reverse) {
                bump(_counters[who].evicted_reverse);
            }
        }
    }

    /// One writer per counter line: a plain load and store, no locked instruction.
    static void bump(std::atomic<std::uint64_t>& c) noexcept {
        c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }

    slot* _slots;
    std::size_t _bucket_mask;
    std::uint64_t _rotate_at;
    unsigned _writers;
    std::unique_ptr<writer_counters[]> _counters;
    alignas(64) std::atomic<std::uint32_t> _generation{1}; ///< read by every writer
    alignas(64) std::uint64_t _inserted_at_rotation = 0;   ///< control plane only
    std::uint64_t _inserted_at_previous_rotation = 0;
    std::uint64_t _rotations = 0;
};

} // namespace rns::datapath
