#include "persist/uring.hpp"

#include <fcntl.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <system_error>

namespace persist {

namespace {
// Bit 0 of user_data marks an injected fault; clients are at least 8-byte aligned.
constexpr std::uint64_t injected_bit = 1;
} // namespace

uring::uring(unsigned depth, unsigned files, fault_injector* faults) : _files(files), _faults(faults) {
    io_uring_params p{};
    // The CQ is twice the SQ so that a full batch of submissions never overflows it.
    p.flags = IORING_SETUP_CQSIZE;
    p.cq_entries = depth * 2;
    int rc = io_uring_queue_init_params(depth, &_ring, &p);
    if (rc < 0) {
        throw std::system_error(-rc, std::generic_category(), "io_uring_queue_init");
    }
    rc = io_uring_register_files_sparse(&_ring, files);
    if (rc < 0) {
        io_uring_queue_exit(&_ring);
        throw std::system_error(-rc, std::generic_category(), "io_uring_register_files_sparse");
    }
}

uring::~uring() {
    // Unregistering drops every file still in the table; queue_exit closes the ring itself.
    io_uring_unregister_files(&_ring);
    io_uring_queue_exit(&_ring);
}

io_uring_sqe* uring::next_sqe() noexcept {
    io_uring_sqe* sqe = io_uring_get_sqe(&_ring);
    while (sqe == nullptr) {
        // SQ full: submit what is there (rare; the depth exceeds what one loop prepares).
        io_uring_submit(&_ring);
        ++_submits;
        _queued = 0;
        sqe = io_uring_get_sqe(&_ring);
    }
    return sqe;
}

void uring::finish(io_uring_sqe* sqe, io_client& c, bool injected) noexcept {
    auto ud = reinterpret_cast<std::uint64_t>(&c);
    io_uring_sqe_set_data64(sqe, injected ? ud | injected_bit : ud);
    ++_in_flight;
    ++_queued;
}

void uring::prep_open(io_client& c, unsigned slot, const char* path, int flags, mode_t mode) noexcept {
    io_uring_sqe* sqe = next_sqe();
    io_uring_prep_openat_direct(sqe, AT_FDCWD, path, flags, mode, slot);
    finish(sqe, c, false);
}

void uring::prep_close(io_client& c, unsigned slot) noexcept {
    io_uring_sqe* sqe = next_sqe();
    io_uring_prep_close_direct(sqe, slot);
    finish(sqe, c, false);
}

void uring::prep_write(io_client& c, unsigned slot, const void* buf, unsigned len, std::uint64_t off) noexcept {
    io_uring_sqe* sqe = next_sqe();
    if (_faults != nullptr && fault_injector::take(_faults->fail_writes)) {
        io_uring_prep_nop(sqe);
        finish(sqe, c, true);
        return;
    }
    io_uring_prep_write(sqe, static_cast<int>(slot), buf, len, off);
    sqe->flags |= IOSQE_FIXED_FILE;
    finish(sqe, c, false);
}

void uring::prep_read(io_client& c, unsigned slot, void* buf, unsigned len, std::uint64_t off) noexcept {
    io_uring_sqe* sqe = next_sqe();
    io_uring_prep_read(sqe, static_cast<int>(slot), buf, len, off);
    sqe->flags |= IOSQE_FIXED_FILE;
    finish(sqe, c, false);
}

void uring::prep_fsync(io_client& c, unsigned slot) noexcept {
    io_uring_sqe* sqe = next_sqe();
    if (_faults != nullptr && fault_injector::take(_faults->fail_fsyncs)) {
        io_uring_prep_nop(sqe);
        finish(sqe, c, true);
        return;
    }
    io_uring_prep_fsync(sqe, static_cast<int>(slot), 0);
    sqe->flags |= IOSQE_FIXED_FILE;
    finish(sqe, c, false);
}

void uring::prep_rename(io_client& c, const char* from, const char* to) noexcept {
    io_uring_sqe* sqe = next_sqe();
    io_uring_prep_renameat(sqe, AT_FDCWD, from, AT_FDCWD, to, 0);
    finish(sqe, c, false);
}

void uring::prep_unlink(io_client& c, const char* path) noexcept {
    io_uring_sqe* sqe = next_sqe();
    io_uring_prep_unlinkat(sqe, AT_FDCWD, path, 0);
    finish(sqe, c, false);
}

void uring::prep_mkdir(io_client& c, const char* path, mode_t mode) noexcept {
    io_uring_sqe* sqe = next_sqe();
    io_uring_prep_mkdirat(sqe, AT_FDCWD, path, mode);
    finish(sqe, c, false);
}

void uring::prep_statx(io_client& c, const char* path, struct statx* out) noexcept {
    io_uring_sqe* sqe = next_sqe();
    io_uring_prep_statx(sqe, AT_FDCWD, path, 0, STATX_INO | STATX_TYPE, out);
    finish(sqe, c, false);
}

unsigned uring::drain() noexcept {
    unsigned total = 0;
    io_uring_cqe* cqes[64];
    for (;;) {
        unsigned n = io_uring_peek_batch_cqe(&_ring, cqes, 64);
        if (n == 0) {
            return total;
        }
        // Copy out before advancing: a completion handler may queue new SQEs but never reads CQEs.
        std::uint64_t uds[64];
        int res[64];
        for (unsigned i = 0; i < n; ++i) {
            uds[i] = io_uring_cqe_get_data64(cqes[i]);
            res[i] = cqes[i]->res;
        }
        io_uring_cq_advance(&_ring, n);
        for (unsigned i = 0; i < n; ++i) {
            --_in_flight;
            int r = res[i];
            if ((uds[i] & injected_bit) != 0) {
                r = -(_faults != nullptr ? _faults->error : EIO);
            }
            reinterpret_cast<io_client*>(uds[i] & ~injected_bit)->on_complete(r);
        }
        total += n;
    }
}

std::string kernel_support_problem() {
    io_uring_probe* probe = io_uring_get_probe();
    if (probe == nullptr) {
        return "io_uring is not available (io_uring_get_probe failed)";
    }
    std::string missing;
    const std::pair<int, const char*> ops[] = {
        {IORING_OP_OPENAT, "openat"}, {IORING_OP_CLOSE, "close"},     {IORING_OP_READ, "read"},
        {IORING_OP_WRITE, "write"},   {IORING_OP_FSYNC, "fsync"},     {IORING_OP_RENAMEAT, "renameat"},
        {IORING_OP_UNLINKAT, "unlinkat"}, {IORING_OP_MKDIRAT, "mkdirat"}, {IORING_OP_STATX, "statx"},
    };
    for (const auto& [op, name] : ops) {
        if (io_uring_opcode_supported(probe, op) == 0) {
            missing += std::string(missing.empty() ? "" : ", ") + "IORING_OP_" + name;
        }
    }
    io_uring_free_probe(probe);
    if (!missing.empty()) {
        return "kernel lacks " + missing;
    }
    // The direct-descriptor variants cannot be probed by opcode: try them once.
    struct result final : io_client {
        int res = 1;
        bool done = false;
        void on_complete(int r) noexcept override {
            res = r;
            done = true;
        }
    };
    try {
        uring ring(4, 1);
        result open_r, close_r;
        ring.prep_open(open_r, 0, "/", O_RDONLY | O_DIRECTORY, 0);
        while (!open_r.done) {
            ring.submit_and_drain(1, std::chrono::milliseconds(100));
        }
        if (open_r.res < 0) {
            return std::string("open-direct into a registered slot fails: ") + std::strerror(-open_r.res);
        }
        ring.prep_close(close_r, 0);
        while (!close_r.done) {
            ring.submit_and_drain(1, std::chrono::milliseconds(100));
        }
        if (close_r.res < 0) {
            return std::string("close-direct fails: ") + std::strerror(-close_r.res);
        }
    } catch (const std::system_error& e) {
        return std::string("io_uring set-up fails: ") + e.what();
    }
    return {};
}

unsigned uring::submit_and_drain(unsigned wait_nr, std::chrono::microseconds timeout) noexcept {
    if (wait_nr == 0) {
        if (_queued > 0) {
            io_uring_submit(&_ring);
            ++_submits;
            _queued = 0;
        }
        return drain();
    }
    __kernel_timespec ts{};
    ts.tv_sec = timeout.count() / 1000000;
    ts.tv_nsec = (timeout.count() % 1000000) * 1000;
    io_uring_cqe* cqe = nullptr;
    // One io_uring_enter both submits the batch and waits (liburing >= 2.2 with EXT_ARG).
    io_uring_submit_and_wait_timeout(&_ring, &cqe, wait_nr, &ts, nullptr);
    ++_submits;
    _queued = 0;
    return drain();
}

} // namespace persist
