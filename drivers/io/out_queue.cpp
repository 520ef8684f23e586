#include "drivers/io/out_queue.hpp"

#include "router/rns/hdlc.hpp"

namespace rns::io {

void out_queue::reserve(std::size_t capacity) {
    if (_buf == nullptr) {
        _buf = std::make_unique_for_overwrite<std::uint8_t[]>(capacity);
        _cap = capacity;
    }
    clear();
}

bool out_queue::push_frame(byte_view payload) noexcept {
    std::size_t need = 2;
    for (std::uint8_t b : payload) {
        need += (b == hdlc::flag || b == hdlc::esc) ? 2 : 1;
    }
    if (_buf == nullptr || need > _cap - size()) {
        return false;
    }
    const std::size_t mask = _cap - 1;
    std::size_t t = _tail;
    auto put = [&](std::uint8_t b) { _buf[t++ & mask] = b; };
    // spec §10.1: FLAG ‖ escaped packet ‖ FLAG (ESC → 7D 5D, FLAG → 7D 5E).
    put(hdlc::flag);
    for (std::uint8_t b : payload) {
        if (b == hdlc::flag || b == hdlc::esc) {
            put(hdlc::esc);
            put(static_cast<std::uint8_t>(b ^ hdlc::esc_mask));
        } else {
            put(b);
        }
    }
    put(hdlc::flag);
    _tail = t;
    return true;
}

std::span<const std::uint8_t> out_queue::head() const noexcept {
    if (empty()) {
        return {};
    }
    std::size_t start = _head & (_cap - 1);
    std::size_t run = std::min(size(), _cap - start);
    return {_buf.get() + start, run};
}

std::unique_ptr<std::uint8_t[]> out_queue::release() noexcept {
    clear();
    _cap = 0;
    return std::move(_buf);
}

} // namespace rns::io
