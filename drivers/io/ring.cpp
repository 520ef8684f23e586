#include "drivers/io/ring.hpp"

#include <cerrno>
#include <system_error>

namespace rns::io {

ring::ring(unsigned sq_depth, unsigned cq_factor, unsigned files, loop_stats* stats)
    : _files(files), _stats(stats) {
    io_uring_params p{};
    p.flags = IORING_SETUP_CQSIZE;
    p.cq_entries = sq_depth * cq_factor;
    int rc = io_uring_queue_init_params(sq_depth, &_ring, &p);
    if (rc < 0) {
        throw std::system_error(-rc, std::generic_category(), "io_uring_queue_init");
    }
    rc = io_uring_register_files_sparse(&_ring, files);
    if (rc < 0) {
        io_uring_queue_exit(&_ring);
        throw std::system_error(-rc, std::generic_category(),
                                "io_uring_register_files_sparse (" + std::to_string(files) + " slots)");
    }
}

ring::~ring() {
    // Unregistering drops every socket still in the table; queue_exit closes the ring itself.
    io_uring_unregister_files(&_ring);
    io_uring_queue_exit(&_ring);
}

io_uring_sqe* ring::sqe() noexcept {
    io_uring_sqe* s = io_uring_get_sqe(&_ring);
    while (s == nullptr) {
        int n = io_uring_submit(&_ring);
        if (_stats != nullptr) {
            add(_stats->enters, 1);
            add(_stats->sq_full, 1);
            if (n > 0) {
                add(_stats->submissions, static_cast<std::uint64_t>(n));
            }
        }
        s = io_uring_get_sqe(&_ring);
    }
    return s;
}

bool ring::enter(unsigned wait_nr, std::chrono::microseconds timeout) noexcept {
    int n;
    if (wait_nr == 0) {
        n = io_uring_submit(&_ring);
    } else {
        __kernel_timespec ts{};
        ts.tv_sec = timeout.count() / 1000000;
        ts.tv_nsec = (timeout.count() % 1000000) * 1000;
        io_uring_cqe* cqe = nullptr;
        // With IORING_FEAT_EXT_ARG (5.11) this is one io_uring_enter carrying the timeout.
        n = io_uring_submit_and_wait_timeout(&_ring, &cqe, wait_nr, &ts, nullptr);
    }
    if (_stats != nullptr) {
        add(_stats->enters, 1);
        if (n > 0) {
            add(_stats->submissions, static_cast<std::uint64_t>(n));
        }
    }
    return n >= 0 || n == -EINTR ? io_uring_cq_ready(&_ring) > 0 : false;
}

} // namespace rns::io
