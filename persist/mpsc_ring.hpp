#pragma once
// A bounded lock-free multi-producer / single-consumer ring (after D. Vyukov's bounded queue).
// Producers are the data-plane lcores and the control plane; the consumer is the persistence
// thread. try_push never blocks and never allocates: a full ring returns false and the caller
// counts the drop (DESIGN.md "Persistence": packet processing never waits for the disk).

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <stdexcept>
#include <type_traits>

namespace persist {

template <typename T> class mpsc_ring {
    static_assert(std::is_trivially_copyable_v<T>, "ring cells are copied without constructors");

  public:
    /// capacity is rounded up to a power of two (at least 2).
    explicit mpsc_ring(std::size_t capacity) : _mask(round_up(capacity) - 1), _cells(new cell[_mask + 1]) {
        for (std::size_t i = 0; i <= _mask; ++i) {
            _cells[i].seq.store(i, std::memory_order_relaxed);
        }
    }
    mpsc_ring(const mpsc_ring&) = delete;
    mpsc_ring& operator=(const mpsc_ring&) = delete;

    /// Any thread. False when the ring is full (nothing written).
    [[nodiscard]] bool try_push(const T& item) noexcept {
        std::size_t pos = _enqueue.load(std::memory_order_relaxed);
        for (;;) {
            cell& c = _cells[pos & _mask];
            std::size_t seq = c.seq.load(std::memory_order_acquire);
            auto dif = static_cast<std::ptrdiff_t>(seq) - static_cast<std::ptrdiff_t>(pos);
            if (dif == 0) {
                // The cell is free for this lap: claim the position, then publish the item.
                if (_enqueue.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
                    c.item = item;
                    c.seq.store(pos + 1, std::memory_order_release);
                    return true;
                }
            } else if (dif < 0) {
                return false; // the consumer has not freed this cell yet: full
            } else {
                pos = _enqueue.load(std::memory_order_relaxed);
            }
        }
    }

    /// Consumer thread only. False when empty (or the next producer has not finished publishing).
    [[nodiscard]] bool try_pop(T& out) noexcept {
        std::size_t pos = _dequeue.load(std::memory_order_relaxed);
        cell& c = _cells[pos & _mask];
        std::size_t seq = c.seq.load(std::memory_order_acquire);
        if (seq != pos + 1) {
            return false;
        }
        out = c.item;
        c.seq.store(pos + _mask + 1, std::memory_order_release);
        _dequeue.store(pos + 1, std::memory_order_relaxed);
        return true;
    }

    /// Entries claimed by producers and not yet consumed (approximate while producers run).
    [[nodiscard]] std::size_t size_approx() const noexcept {
        std::size_t e = _enqueue.load(std::memory_order_relaxed);
        std::size_t d = _dequeue.load(std::memory_order_relaxed);
        return e >= d ? e - d : 0;
    }
    [[nodiscard]] std::size_t capacity() const noexcept { return _mask + 1; }

  private:
    struct alignas(64) cell {
        std::atomic<std::size_t> seq{0};
        T item{};
    };

    static std::size_t round_up(std::size_t n) {
        if (n > (std::size_t{1} << 30)) {
            throw std::invalid_argument("mpsc_ring: capacity too large");
        }
        std::size_t c = 2;
        while (c < n) {
            c <<= 1;
        }
        return c;
    }

    const std::size_t _mask;
    std::unique_ptr<cell[]> _cells;
    alignas(64) std::atomic<std::size_t> _enqueue{0}; // producers: rw (CAS)
    alignas(64) std::atomic<std::size_t> _dequeue{0}; // consumer: rw; others: ro (size_approx)
};

} // namespace persist
