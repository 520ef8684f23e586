#pragma once
// The duplicate filter shared by all workers (spec §6.3 rules 5-6, rotation in §6.3's note):
// two generations of packet hashes; a packet is a duplicate if either holds it. Unlike the
// reference (one Python set), several cores insert concurrently, so each generation is an
// open-addressing table of 64-bit fingerprints claimed with compare-and-swap: no lock, and the
// same packet arriving on two interfaces served by different cores is accepted exactly once.
//
// Fingerprint = the first 8 bytes of the SHA-256 packet hash with the low bit forced to 1 (0 marks
// an empty slot). With 500 000 entries per generation the chance that a new packet collides with
// a remembered one is about 2^-44 per packet.
//
// The control plane rotates generations (dataplane: inserts/reads; ctlplane: rotates, clears).

#include "router/datapath/rcu.hpp"

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>

namespace rns::datapath {

class dedup_set {
  public:
    static constexpr std::uint32_t slots_log2 = 20; ///< 1 Mi slots per generation (8 MiB)
    static constexpr std::uint32_t rotate_at = 500'000; ///< spec §6.3: hashlist_maxsize / 2
    static constexpr unsigned max_probe = 64;

    dedup_set() {
        for (auto& g : _gen) {
            g = std::make_unique<std::atomic<std::uint64_t>[]>(std::size_t{1} << slots_log2);
            clear(g.get());
        }
    }

    [[nodiscard]] static std::uint64_t fingerprint(const std::uint8_t* hash) noexcept {
        std::uint64_t v;
        std::memcpy(&v, hash, sizeof v);
        return v | 1U;
    }

    /// Data plane: true if fp is in the current or previous generation.
    [[nodiscard]] bool contains(std::uint64_t fp) const noexcept {
        const unsigned cur = _cur.load(std::memory_order_acquire);
        return find(_gen[cur].get(), fp) || find(_gen[prev_of(cur)].get(), fp);
    }

    /// Data plane: inserts fp into the current generation unless either generation has it.
    /// Returns true if this call inserted it (first sighting), false for a duplicate. A
    /// generation too crowded to place it (never at the rotation load) counts as first sighting.
    [[nodiscard]] bool insert(std::uint64_t fp) noexcept {
        const unsigned cur = _cur.load(std::memory_order_acquire);
        if (find(_gen[prev_of(cur)].get(), fp)) {
            return false;
        }
        std::atomic<std::uint64_t>* t = _gen[cur].get();
        std::uint32_t i = static_cast<std::uint32_t>(fp >> 12) & mask;
        for (unsigned probe = 0; probe < max_probe; ++probe, i = (i + 1) & mask) {
            std::uint64_t v = t[i].load(std::memory_order_acquire);
            if (v == fp) {
                return false;
            }
            if (v == 0) {
                if (t[i].compare_exchange_strong(v, fp, std::memory_order_acq_rel)) {
                    _inserted.fetch_add(1, std::memory_order_relaxed);
                    return true;
                }
                if (v == fp) { // another core won the race with the same packet
                    return false;
                }
            }
        }
        return true;
    }

    /// Data plane: starts loading the cache lines insert()/contains() will probe first for fp, in
    /// both generations; called for a whole burst before the burst is filtered, so the table
    /// misses overlap instead of stalling one packet at a time.
    void prefetch(std::uint64_t fp) const noexcept {
        const unsigned cur = _cur.load(std::memory_order_relaxed);
        const std::uint32_t i = static_cast<std::uint32_t>(fp >> 12) & mask;
        __builtin_prefetch(&_gen[cur][i]);
        __builtin_prefetch(&_gen[prev_of(cur)][i]);
    }

    /// Control plane: number of insertions into the current generation.
    [[nodiscard]] std::uint64_t current_size() const noexcept {
        return _inserted.load(std::memory_order_relaxed);
    }

    /// Control plane: when the current generation is past the limit it becomes the previous one
    /// and an empty generation becomes current. The generation that stops being read is cleared
    /// after an RCU grace period (readers may still be probing it).
    void maybe_rotate(rcu_domain& rcu) {
        if (current_size() <= rotate_at || _clearing.load(std::memory_order_acquire)) {
            return;
        }
        const unsigned cur = _cur.load(std::memory_order_relaxed);
        const unsigned next = (cur + 1) % 3;       // the spare: clear
        const unsigned retired = prev_of(cur);     // stops being read after the switch
        _inserted.store(0, std::memory_order_relaxed);
        _cur.store(next, std::memory_order_release);
        _retired = retired;
        _clearing.store(true, std::memory_order_release);
        rcu.defer_free(this, [](void* self) noexcept {
            auto* d = static_cast<dedup_set*>(self);
            clear(d->_gen[d->_retired].get());
            d->_clearing.store(false, std::memory_order_release);
        });
    }

    /// Rotations done (for counters/tests).
    [[nodiscard]] unsigned generation() const noexcept { return _cur.load(std::memory_order_relaxed); }

  private:
    static constexpr std::uint32_t mask = (1U << slots_log2) - 1;
    static unsigned prev_of(unsigned cur) noexcept { return (cur + 2) % 3; }
    static void clear(std::atomic<std::uint64_t>* t) noexcept {
        for (std::size_t i = 0; i < (std::size_t{1} << slots_log2); ++i) {
            t[i].store(0, std::memory_order_relaxed);
        }
    }
    static bool find(const std::atomic<std::uint64_t>* t, std::uint64_t fp) noexcept {
        std::uint32_t i = static_cast<std::uint32_t>(fp >> 12) & mask;
        for (unsigned probe = 0; probe < max_probe; ++probe, i = (i + 1) & mask) {
            const std::uint64_t v = t[i].load(std::memory_order_acquire);
            if (v == fp) {
                return true;
            }
            if (v == 0) {
                return false;
            }
        }
        return false;
    }

    std::unique_ptr<std::atomic<std::uint64_t>[]> _gen[3];
    std::atomic<unsigned> _cur{0};
    std::atomic<std::uint64_t> _inserted{0}; // dataplane: add; ctlplane: read, reset
    std::atomic<bool> _clearing{false};
    unsigned _retired = 0;
};

} // namespace rns::datapath
