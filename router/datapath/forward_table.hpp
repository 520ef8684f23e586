#pragma once
// The fast path's forwarding table: the path table (spec §6.4) and the link table (spec §6.5) in
// one flat open-addressing table with the values inline, so that one lookup of a packet's
// destination answers "is there a path", "is there a link" and the entries themselves (a
// destination hash and a link id share the key space: both are 16-byte hashes). The values are
// the control plane's own entry types (router/control/sink.hpp), copied, never renamed.
//
// One writer (the control plane), lock-free readers (the workers): every slot is a cache line
// with a sequence counter (odd while the writer changes it); a reader copies the slot between two
// reads of the counter and retries if it moved. Nothing is freed while the workers run, so a
// reader never follows a pointer into freed memory and no RCU grace period is needed. Linear
// probing with backward-shift deletion (no tombstones, so probe chains do not grow with churn): a
// reader that looks a key up just while the writer shifts it one slot back may miss it once; the
// packet then goes to the control plane, which forwards it by its own tables.
//
// The one thing workers write is the "last used" second of the entry they forwarded with (relaxed
// store, only when the second changed); the control plane collects it (exchange with 0) before it
// culls paths and links and before a snapshot.
//
// DPDK-free: the owner passes the memory (hugepages in the router, the heap in unit tests).

#include "router/control/sink.hpp"
#include "router/datapath/prefetch.hpp"
#include "router/rns/bytes.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>

namespace rns::datapath {

/// The second an entry was last used to forward (spec §6.4 "path.timestamp = now", §6.5 "entry
/// timestamp = now"): workers store it (relaxed, only when the second changed); the control plane
/// collects it (exchange with 0). 0: not used since collected.
struct last_used_time {
    mutable std::atomic<std::uint32_t> second{0};
    void touch(std::uint32_t now) const noexcept {
        if (second.load(std::memory_order_relaxed) != now) {
            second.store(now, std::memory_order_relaxed);
        }
    }
};

class forward_table {
  public:
    enum : std::uint8_t { empty = 0, used = 1 };
    enum : std::uint8_t { has_path = 1, has_link = 2 };

    struct alignas(64) slot {
        std::atomic<std::uint32_t> seq{0}; ///< odd while the writer changes the slot
        std::atomic<std::uint8_t> state{empty};
        std::uint8_t has = 0;              ///< has_path | has_link
        hash16 key{};
        control::fast_path_entry path{};
        control::fast_link_entry link{};
        last_used_time path_used;
        last_used_time link_used;
    };
    static_assert(sizeof(slot) == 64);

    /// What a lookup found: copies of the entries, and the slot for recording use.
    struct result {
        std::uint8_t has = 0; ///< 0: neither a path nor a link
        control::fast_path_entry path{};
        control::fast_link_entry link{};
        const slot* at = nullptr;
        [[nodiscard]] bool path_found() const noexcept { return (has & has_path) != 0; }
        [[nodiscard]] bool link_found() const noexcept { return (has & has_link) != 0; }
    };

    /// Slots for `entries` paths and links together: a power of two at least twice as many (a
    /// linear-probing table at most half full keeps probes short).
    [[nodiscard]] static std::size_t slots_for(std::size_t entries) noexcept {
        std::size_t n = 16;
        while (n < 2 * entries) {
            n <<= 1;
        }
        return n;
    }
    [[nodiscard]] static std::size_t bytes_for(std::size_t entries) noexcept {
        return slots_for(entries) * sizeof(slot);
    }

    /// mem: bytes_for(entries) bytes, 64-byte aligned, outliving the table. seed: keys are
    /// hashed with it, so that chosen destination hashes cannot pile up on one probe chain.
    forward_table(void* mem, std::size_t entries, std::uint64_t seed)
        : _slots(static_cast<slot*>(mem)), _mask(slots_for(entries) - 1), _limit(entries),
          _seed(seed | 1U) {
        for (std::size_t i = 0; i <= _mask; ++i) {
            new (&_slots[i]) slot{};
        }
    }
    forward_table(const forward_table&) = delete;
    forward_table& operator=(const forward_table&) = delete;

    // ---- workers (any thread) ----

    void prefetch(const std::uint8_t* key) const noexcept { prefetch_line(&_slots[index_of(key)]); }

    /// The path and link entries of key (a destination hash or link id, 16 bytes, any alignment).
    [[nodiscard]] result find(const std::uint8_t* key) const noexcept {
        result r;
        for (std::size_t i = index_of(key), n = 0; n <= _mask; i = (i + 1) & _mask, ++n) {
            const slot& s = _slots[i];
            std::uint8_t state = 0;
            bool match = false;
            for (;;) {
                const std::uint32_t before = s.seq.load(std::memory_order_acquire);
                if ((before & 1U) != 0) {
                    __builtin_ia32_pause();
                    continue;
                }
                state = s.state.load(std::memory_order_relaxed);
                match = state == used && std::memcmp(s.key.data(), key, 16) == 0;
                if (match) {
                    r.has = s.has;
                    r.path = s.path;
                    r.link = s.link;
                }
                std::atomic_thread_fence(std::memory_order_acquire);
                if (s.seq.load(std::memory_order_relaxed) == before) {
                    break;
                }
            }
            if (match) {
                r.at = &s;
                return r;
            }
            if (state == empty) {
                break;
            }
        }
        r.has = 0;
        return r;
    }

    // ---- control plane (the only writer) ----

    /// Sets key's path (link) entry, keeping its other entry. False when the table is full.
    bool set_path(const hash16& key, const control::fast_path_entry& e) { return set(key, has_path, &e, nullptr); }
    bool set_link(const hash16& key, const control::fast_link_entry& e) { return set(key, has_link, nullptr, &e); }
    void remove_path(const hash16& key) { remove(key, has_path); }
    void remove_link(const hash16& key) { remove(key, has_link); }

    /// Calls path_f(key, second) / link_f(key, second) for every path / link used since it was
    /// last collected, and clears it; over slots [from, from + count) (wrapping), so that the
    /// control plane can spread a sweep of a large table over many short slices. Returns where
    /// the next slice starts.
    template <typename P, typename L>
    std::size_t collect_usage(std::size_t from, std::size_t count, P&& path_f, L&& link_f) {
        for (std::size_t n = 0; n < count && n <= _mask; ++n, from = (from + 1) & _mask) {
            slot& s = _slots[from & _mask];
            if (s.state.load(std::memory_order_relaxed) != used) {
                continue;
            }
            if ((s.has & has_path) != 0) {
                if (const std::uint32_t t = s.path_used.second.exchange(0, std::memory_order_relaxed)) {
                    path_f(s.key, t);
                }
            }
            if ((s.has & has_link) != 0) {
                if (const std::uint32_t t = s.link_used.second.exchange(0, std::memory_order_relaxed)) {
                    link_f(s.key, t);
                }
            }
        }
        return from & _mask;
    }

    [[nodiscard]] std::size_t path_count() const noexcept { return _paths; }
    [[nodiscard]] std::size_t link_count() const noexcept { return _links; }
    [[nodiscard]] std::size_t capacity() const noexcept { return _limit; }
    [[nodiscard]] std::size_t slot_count() const noexcept { return _mask + 1; }

  private:
    [[nodiscard]] std::size_t index_of(const std::uint8_t* key) const noexcept {
        std::uint64_t a;
        std::uint64_t b;
        std::memcpy(&a, key, 8);
        std::memcpy(&b, key + 8, 8);
        std::uint64_t x = (a ^ _seed) * 0x9e3779b97f4a7c15ULL ^ (b + _seed) * 0xc2b2ae3d27d4eb4fULL;
        x ^= x >> 29;
        x *= 0xbf58476d1ce4e5b9ULL;
        x ^= x >> 32;
        return static_cast<std::size_t>(x) & _mask;
    }

    /// The slot holding key, or nullptr; free: the empty slot that ends its probe chain.
    slot* locate(const hash16& key, slot** free) const noexcept {
        *free = nullptr;
        for (std::size_t i = index_of(key.data()), n = 0; n <= _mask; i = (i + 1) & _mask, ++n) {
            slot& s = _slots[i];
            if (s.state.load(std::memory_order_relaxed) == empty) {
                *free = &s;
                break;
            }
            if (s.key == key) {
                return &s;
            }
        }
        return nullptr;
    }

    static void begin_write(slot& s) noexcept {
        s.seq.store(s.seq.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        std::atomic_thread_fence(std::memory_order_release);
    }
    static void end_write(slot& s) noexcept {
        s.seq.store(s.seq.load(std::memory_order_relaxed) + 1, std::memory_order_release);
    }

    bool set(const hash16& key, std::uint8_t what, const control::fast_path_entry* p,
             const control::fast_link_entry* l) {
        slot* free = nullptr;
        slot* s = locate(key, &free);
        if (s == nullptr) {
            if (free == nullptr || _paths + _links >= _limit) {
                return false;
            }
            s = free;
            begin_write(*s);
            s->key = key;
            s->has = 0;
            s->path_used.second.store(0, std::memory_order_relaxed);
            s->link_used.second.store(0, std::memory_order_relaxed);
            s->state.store(used, std::memory_order_relaxed);
        } else {
            begin_write(*s);
        }
        if ((s->has & what) == 0) {
            ++(what == has_path ? _paths : _links);
        }
        s->has = static_cast<std::uint8_t>(s->has | what);
        if (p != nullptr) {
            s->path = *p;
        }
        if (l != nullptr) {
            s->link = *l;
        }
        end_write(*s);
        return true;
    }

    void remove(const hash16& key, std::uint8_t what) {
        slot* free = nullptr;
        slot* s = locate(key, &free);
        if (s == nullptr || (s->has & what) == 0) {
            return;
        }
        --(what == has_path ? _paths : _links);
        begin_write(*s);
        s->has = static_cast<std::uint8_t>(s->has & ~what);
        const bool gone = s->has == 0;
        if (gone) {
            s->state.store(empty, std::memory_order_relaxed);
        }
        end_write(*s);
        if (gone) {
            shift_back(static_cast<std::size_t>(s - _slots));
        }
    }

    /// Backward-shift deletion: slot `hole` was emptied; entries further along its chain whose
    /// home is at or before the hole move back into it, so every chain stays unbroken.
    void shift_back(std::size_t hole) {
        for (std::size_t j = (hole + 1) & _mask; _slots[j].state.load(std::memory_order_relaxed) == used;
             j = (j + 1) & _mask) {
            slot& from = _slots[j];
            const std::size_t home = index_of(from.key.data());
            if (((j - home) & _mask) < ((j - hole) & _mask)) {
                continue; // its home lies after the hole: it must stay reachable from there
            }
            slot& to = _slots[hole];
            begin_write(to);
            to.key = from.key;
            to.has = from.has;
            to.path = from.path;
            to.link = from.link;
            to.path_used.second.store(from.path_used.second.load(std::memory_order_relaxed), std::memory_order_relaxed);
            to.link_used.second.store(from.link_used.second.load(std::memory_order_relaxed), std::memory_order_relaxed);
            to.state.store(used, std::memory_order_relaxed);
            end_write(to);
            begin_write(from);
            from.state.store(empty, std::memory_order_relaxed);
            from.has = 0;
            end_write(from);
            hole = j;
        }
    }

    slot* _slots;
    std::size_t _mask;
    std::size_t _limit; ///< entries (paths + links) allowed: half the slots at most
    std::uint64_t _seed;
    std::size_t _paths = 0;
    std::size_t _links = 0;
};

} // namespace rns::datapath
