#pragma once
// A provided buffer ring (io_uring_register_buf_ring, Linux 5.19): a fixed set of equal receive
// buffers the kernel picks from for multishot receives (IOSQE_BUFFER_SELECT), so receive memory
// is one block sized at start-up, shared by every socket, whatever the number of connections.
// A buffer goes back to the kernel as soon as its bytes are consumed (recycle + publish once per
// completion batch). When all buffers are in use, multishot receives end with -ENOBUFS: the
// caller counts it and re-arms after recycling.

#include <liburing.h>

#include <cstddef>
#include <cstdint>

namespace rns::io {

class ring;

class provided_buffers {
  public:
    /// entries: a power of two; size: bytes per buffer. Throws std::system_error on failure.
    provided_buffers(ring& r, std::uint16_t group, unsigned entries, unsigned size);
    ~provided_buffers();
    provided_buffers(const provided_buffers&) = delete;
    provided_buffers& operator=(const provided_buffers&) = delete;

    [[nodiscard]] std::uint16_t group() const noexcept { return _group; }
    [[nodiscard]] unsigned buffer_size() const noexcept { return _size; }
    [[nodiscard]] unsigned entries() const noexcept { return _entries; }
    [[nodiscard]] const std::uint8_t* data(unsigned bid) const noexcept { return _data + std::size_t{bid} * _size; }

    /// Hands buffer bid back; visible to the kernel after publish().
    void recycle(unsigned bid) noexcept;
    /// Makes every recycled buffer available to the kernel again.
    void publish() noexcept;

  private:
    io_uring* _uring;
    std::uint16_t _group;
    unsigned _entries;
    unsigned _size;
    io_uring_buf_ring* _ring = nullptr; ///< page-aligned ring of buffer descriptors
    std::size_t _ring_bytes = 0;
    std::uint8_t* _data = nullptr;      ///< entries × size bytes
    unsigned _pending = 0;              ///< recycled, not yet published
};

} // namespace rns::io
