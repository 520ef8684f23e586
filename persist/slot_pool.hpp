#pragma once
// The fixed pool of registered-file slots. Its size (--persist-slots) is the hard upper bound on
// files the persistence thread can have open: the kernel table has exactly that many entries.
// A slot is a move-only handle; dropping a handle whose file is still open queues a close-direct
// and the index returns to the pool only when the kernel confirms the close. When every slot is
// busy, jobs wait in FIFO order (backpressure) instead of failing.

#include "persist/uring.hpp"

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

namespace persist {

class slot_pool;

class slot {
  public:
    slot() noexcept = default;
    slot(slot&& o) noexcept : _pool(o._pool), _index(o._index), _open(o._open) { o._pool = nullptr; }
    slot& operator=(slot&& o) noexcept;
    slot(const slot&) = delete;
    slot& operator=(const slot&) = delete;
    ~slot() { reset(); }

    [[nodiscard]] bool valid() const noexcept { return _pool != nullptr; }
    [[nodiscard]] unsigned index() const noexcept { return _index; }
    /// The holder records whether a file is installed in the slot (after open / close completes).
    void set_open(bool open) noexcept { _open = open; }
    [[nodiscard]] bool is_open() const noexcept { return _open; }
    /// Gives the slot back (closing its file first if one is still installed).
    void reset() noexcept;

  private:
    friend class slot_pool;
    slot(slot_pool* p, unsigned i) noexcept : _pool(p), _index(i) {}
    slot_pool* _pool = nullptr;
    unsigned _index = 0;
    bool _open = false;
};

/// Implemented by jobs that wait for a slot.
class slot_waiter {
  public:
    virtual void on_slot(slot s) noexcept = 0;

  protected:
    ~slot_waiter() = default;
};

/// Counters shared with readers on other threads.
struct slot_counters {
    std::atomic<std::uint32_t> in_use{0};
    std::atomic<std::uint32_t> high_water{0};
    std::atomic<std::uint64_t> waits{0};
};

class slot_pool {
  public:
    slot_pool(uring& ring, unsigned size, slot_counters& counters);
    ~slot_pool() = default;
    slot_pool(const slot_pool&) = delete;
    slot_pool& operator=(const slot_pool&) = delete;

    [[nodiscard]] std::optional<slot> try_acquire() noexcept;
    /// Queues w; it receives a slot from dispatch() once one is free. A waiter waits at most once.
    void wait(slot_waiter& w);
    /// Hands free slots to waiters in FIFO order (called once per loop of the persistence thread).
    void dispatch() noexcept;
    [[nodiscard]] unsigned size() const noexcept { return _size; }
    [[nodiscard]] unsigned free_count() const noexcept { return static_cast<unsigned>(_free.size()); }
    [[nodiscard]] bool has_waiters() const noexcept { return !_waiters.empty(); }

  private:
    friend class slot;
    // Completion of a close-direct issued for a handle dropped with its file still open.
    struct closer final : io_client {
        slot_pool* pool = nullptr;
        unsigned index = 0;
        void on_complete(int res) noexcept override;
    };

    slot take() noexcept; ///< pops a free index (caller checked there is one)
    void release(unsigned index, bool open) noexcept;
    void give_back(unsigned index) noexcept;

    uring& _ring;
    unsigned _size;
    slot_counters& _counters;
    std::vector<unsigned> _free;
    std::deque<slot_waiter*> _waiters;
    std::unique_ptr<closer[]> _closers;
};

} // namespace persist
