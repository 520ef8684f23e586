#pragma once
// A connection's bounded output queue: a byte ring of fixed power-of-two capacity holding
// HDLC-framed packets (spec §10.1) waiting to be sent. A frame is queued whole or not at all.
// The kernel reads the contiguous span at the head while new frames are appended after the
// tail, so one send can be in flight while the router keeps queueing.

#include "router/rns/bytes.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace rns::io {

class out_queue {
  public:
    out_queue() = default;
    /// Allocates capacity bytes (a power of two) on first use.
    void reserve(std::size_t capacity);
    [[nodiscard]] bool allocated() const noexcept { return _buf != nullptr; }

    /// Appends HDLC(payload); false (nothing written) when it does not fit.
    [[nodiscard]] bool push_frame(byte_view payload) noexcept;
    /// The contiguous bytes at the head (empty when the queue is empty).
    [[nodiscard]] std::span<const std::uint8_t> head() const noexcept;
    /// n bytes at the head were sent.
    void consume(std::size_t n) noexcept { _head += n; }
    [[nodiscard]] std::size_t size() const noexcept { return _tail - _head; }
    [[nodiscard]] bool empty() const noexcept { return _tail == _head; }
    void clear() noexcept { _head = _tail = 0; }
    /// Gives the storage away (kept alive by the caller while a send still reads it).
    [[nodiscard]] std::unique_ptr<std::uint8_t[]> release() noexcept;

  private:
    std::unique_ptr<std::uint8_t[]> _buf;
    std::size_t _cap = 0;
    std::size_t _head = 0; ///< free-running positions; index = pos & (cap - 1)
    std::size_t _tail = 0;
};

} // namespace rns::io
