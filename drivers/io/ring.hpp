#pragma once
// The io thread's io_uring: RAII, a sparse registered file table of fixed size (every socket of
// the io thread lives there as a direct descriptor, so the table size is the hard bound on
// sockets and none ever appears in /proc/self/fd), batched submission with exactly one
// io_uring_enter per loop iteration, and completions drained in batches
// (io_uring_peek_batch_cqe + io_uring_cq_advance).

#include "drivers/io/buf_ring.hpp"
#include "drivers/io/stats.hpp"

#include <liburing.h>

#include <chrono>
#include <cstdint>

namespace rns::io {

class ring {
  public:
    /// sq_depth: submission entries (the CQ gets 8 times as many: multishot operations post many
    /// completions per submission); files: size of the registered file table.
    /// Throws std::system_error when the kernel refuses.
    ring(unsigned sq_depth, unsigned cq_factor, unsigned files, loop_stats* stats = nullptr);
    ~ring();
    ring(const ring&) = delete;
    ring& operator=(const ring&) = delete;

    [[nodiscard]] io_uring* raw() noexcept { return &_ring; }
    [[nodiscard]] unsigned files() const noexcept { return _files; }

    /// A free SQE. When the SQ is full, what is queued is submitted first (counted as an extra
    /// submit: the depth is sized so that this is rare).
    [[nodiscard]] io_uring_sqe* sqe() noexcept;

    /// One io_uring_enter: submits what is queued and waits up to timeout for wait_nr
    /// completions (wait_nr 0: no wait). False when the wait timed out with nothing to reap.
    bool enter(unsigned wait_nr, std::chrono::microseconds timeout) noexcept;

    /// Calls f(const io_uring_cqe&) for every completion available, in batches; returns how many.
    template <class F> unsigned drain(F&& f) noexcept {
        unsigned total = 0;
        io_uring_cqe* batch[64];
        for (;;) {
            unsigned n = io_uring_peek_batch_cqe(&_ring, batch, 64);
            if (n == 0) {
                break;
            }
            for (unsigned i = 0; i < n; ++i) {
                f(*batch[i]);
            }
            io_uring_cq_advance(&_ring, n);
            total += n;
        }
        if (_stats != nullptr && total != 0) {
            add(_stats->completions, total);
        }
        return total;
    }

  private:
    io_uring _ring{};
    unsigned _files;
    loop_stats* _stats;
};

} // namespace rns::io
