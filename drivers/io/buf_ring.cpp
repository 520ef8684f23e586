#include "drivers/io/buf_ring.hpp"

#include "drivers/io/ring.hpp"

#include <sys/mman.h>

#include <cerrno>
#include <system_error>

namespace rns::io {

provided_buffers::provided_buffers(ring& r, std::uint16_t group, unsigned entries, unsigned size)
    : _uring(r.raw()), _group(group), _entries(entries), _size(size) {
    if (entries == 0 || (entries & (entries - 1)) != 0 || entries > 32768) {
        throw std::system_error(EINVAL, std::generic_category(), "buffer ring entries must be a power of two <= 32768");
    }
    _ring_bytes = sizeof(io_uring_buf) * entries;
    void* mem = mmap(nullptr, _ring_bytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    if (mem == MAP_FAILED) {
        throw std::system_error(errno, std::generic_category(), "mmap (buffer ring)");
    }
    _ring = static_cast<io_uring_buf_ring*>(mem);
    void* data = mmap(nullptr, std::size_t{entries} * size, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    if (data == MAP_FAILED) {
        int e = errno;
        munmap(_ring, _ring_bytes);
        throw std::system_error(e, std::generic_category(), "mmap (receive buffers)");
    }
    _data = static_cast<std::uint8_t*>(data);
    io_uring_buf_ring_init(_ring);
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<std::uint64_t>(_ring);
    reg.ring_entries = entries;
    reg.bgid = group;
    int rc = io_uring_register_buf_ring(_uring, &reg, 0);
    if (rc < 0) {
        munmap(_data, std::size_t{entries} * size);
        munmap(_ring, _ring_bytes);
        throw std::system_error(-rc, std::generic_category(), "io_uring_register_buf_ring");
    }
    for (unsigned i = 0; i < entries; ++i) {
        recycle(i);
    }
    publish();
}

provided_buffers::~provided_buffers() {
    io_uring_unregister_buf_ring(_uring, _group);
    munmap(_data, std::size_t{_entries} * _size);
    munmap(_ring, _ring_bytes);
}

void provided_buffers::recycle(unsigned bid) noexcept {
    io_uring_buf_ring_add(_ring, const_cast<std::uint8_t*>(data(bid)), _size, static_cast<unsigned short>(bid),
                          io_uring_buf_ring_mask(_entries), static_cast<int>(_pending));
    ++_pending;
}

void provided_buffers::publish() noexcept {
    if (_pending != 0) {
        io_uring_buf_ring_advance(_ring, static_cast<int>(_pending));
        _pending = 0;
    }
}

} // namespace rns::io
