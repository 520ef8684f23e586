#include "persist/slot_pool.hpp"

namespace persist {

slot& slot::operator=(slot&& o) noexcept {
    if (this != &o) {
        reset();
        _pool = o._pool;
        _index = o._index;
        _open = o._open;
        o._pool = nullptr;
    }
    return *this;
}

void slot::reset() noexcept {
    if (_pool != nullptr) {
        _pool->release(_index, _open);
        _pool = nullptr;
        _open = false;
    }
}

slot_pool::slot_pool(uring& ring, unsigned size, slot_counters& counters)
    : _ring(ring), _size(size), _counters(counters), _closers(new closer[size]) {
    _free.reserve(size);
    for (unsigned i = size; i-- > 0;) {
        _free.push_back(i);
        _closers[i].pool = this;
        _closers[i].index = i;
    }
    _counters.in_use.store(0, std::memory_order_relaxed);
}

std::optional<slot> slot_pool::try_acquire() noexcept {
    if (_free.empty() || !_waiters.empty()) {
        return std::nullopt; // FIFO: earlier waiters go first
    }
    return take();
}

slot slot_pool::take() noexcept {
    unsigned i = _free.back();
    _free.pop_back();
    std::uint32_t used = _size - static_cast<std::uint32_t>(_free.size());
    _counters.in_use.store(used, std::memory_order_relaxed);
    if (used > _counters.high_water.load(std::memory_order_relaxed)) {
        _counters.high_water.store(used, std::memory_order_relaxed);
    }
    return slot(this, i);
}

void slot_pool::wait(slot_waiter& w) {
    _counters.waits.fetch_add(1, std::memory_order_relaxed);
    _waiters.push_back(&w);
}

void slot_pool::dispatch() noexcept {
    while (!_waiters.empty() && !_free.empty()) {
        slot_waiter* w = _waiters.front();
        _waiters.pop_front();
        w->on_slot(take());
    }
}

void slot_pool::release(unsigned index, bool open) noexcept {
    if (open) {
        // The holder dropped the handle with a file installed: close it through the ring and
        // recycle the index only once the kernel has emptied the entry.
        _ring.prep_close(_closers[index], index);
        return;
    }
    give_back(index);
}

void slot_pool::give_back(unsigned index) noexcept {
    _free.push_back(index);
    _counters.in_use.store(_size - static_cast<std::uint32_t>(_free.size()), std::memory_order_relaxed);
}

void slot_pool::closer::on_complete(int /*res*/) noexcept {
    // Even a failed close leaves the entry reusable: an open-direct into it replaces the file.
    pool->give_back(index);
}

} // namespace persist
