#pragma once
// RAII io_uring owned by the persistence thread, with a sparse registered file table of fixed
// size. Every state file lives in that table (open-direct / close-direct), so none ever appears
// in /proc/self/fd (DESIGN.md "Persistence"). Submissions are batched by the caller (one submit
// per loop) and completions are drained in batches (io_uring_peek_batch_cqe + io_uring_cq_advance).

#include <liburing.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <sys/stat.h>

namespace persist {

/// Receives the completion of an operation it prepared (user_data is the client's address).
class io_client {
  public:
    virtual void on_complete(int res) noexcept = 0;

  protected:
    ~io_client() = default;
};

/// Test hook: makes the next N writes (or fsyncs) complete with `error` instead of reaching the
/// disk. The operation still travels through the ring (it is submitted as a NOP) and its result
/// takes the same path as a real failure, so slot release, retry and counting are exercised.
struct fault_injector {
    std::atomic<int> fail_writes{0};
    std::atomic<int> fail_fsyncs{0};
    int error = 5; // EIO

    [[nodiscard]] static bool take(std::atomic<int>& n) noexcept {
        int v = n.load(std::memory_order_relaxed);
        while (v > 0) {
            if (n.compare_exchange_weak(v, v - 1, std::memory_order_relaxed)) {
                return true;
            }
        }
        return false;
    }
};

class uring {
  public:
    /// depth: submission queue entries; files: size of the sparse registered file table.
    /// Throws std::system_error when the kernel refuses.
    uring(unsigned depth, unsigned files, fault_injector* faults = nullptr);
    ~uring();
    uring(const uring&) = delete;
    uring& operator=(const uring&) = delete;

    [[nodiscard]] unsigned files() const noexcept { return _files; }
    [[nodiscard]] unsigned in_flight() const noexcept { return _in_flight; }

    // Each prep_* queues one operation on a free SQE (submitting early only when the SQ is full);
    // the result arrives in client.on_complete(). Paths must stay valid until completion.
    void prep_open(io_client& c, unsigned slot, const char* path, int flags, mode_t mode) noexcept;
    void prep_close(io_client& c, unsigned slot) noexcept;
    void prep_write(io_client& c, unsigned slot, const void* buf, unsigned len, std::uint64_t off) noexcept;
    void prep_read(io_client& c, unsigned slot, void* buf, unsigned len, std::uint64_t off) noexcept;
    void prep_fsync(io_client& c, unsigned slot) noexcept;
    void prep_rename(io_client& c, const char* from, const char* to) noexcept;
    void prep_unlink(io_client& c, const char* path) noexcept;
    void prep_mkdir(io_client& c, const char* path, mode_t mode) noexcept;
    void prep_statx(io_client& c, const char* path, struct statx* out) noexcept;

    /// Submits everything queued (one io_uring_enter) and waits up to timeout for at least
    /// wait_nr completions. Returns the number of completions dispatched.
    unsigned submit_and_drain(unsigned wait_nr, std::chrono::microseconds timeout) noexcept;

    /// Submits what is queued and returns the number of io_uring_enter calls made so far.
    [[nodiscard]] std::uint64_t submits() const noexcept { return _submits; }

  private:
    io_uring _ring{};
    unsigned _files;
    unsigned _in_flight = 0;
    unsigned _queued = 0;
    std::uint64_t _submits = 0;
    fault_injector* _faults;

    io_uring_sqe* next_sqe() noexcept;
    void finish(io_uring_sqe* sqe, io_client& c, bool injected) noexcept;
    unsigned drain() noexcept;
};

/// Checks that this kernel has what the store needs (a sparse registered file table, open-direct,
/// close-direct, renameat, unlinkat, mkdirat, statx, fixed-file fsync). Returns an empty string
/// when it does, otherwise what is missing (tests skip with exit code 77 on it).
[[nodiscard]] std::string kernel_support_problem();

} // namespace persist
