#include "router/rns/hdlc.hpp"

namespace rns::hdlc {

std::size_t encode(byte_view payload, std::span<std::uint8_t> out) noexcept {
    std::size_t need = 2;
    for (std::uint8_t b : payload) {
        need += (b == flag || b == esc) ? 2 : 1;
    }
    if (out.size() < need) {
        return 0;
    }
    std::size_t n = 0;
    out[n++] = flag;
    // spec §10.1: ESC is escaped first, then FLAG; per byte that is the same single pass.
    for (std::uint8_t b : payload) {
        if (b == flag || b == esc) {
            out[n++] = esc;
            out[n++] = static_cast<std::uint8_t>(b ^ esc_mask);
        } else {
            out[n++] = b;
        }
    }
    out[n++] = flag;
    return n;
}

bytes encode(byte_view payload) {
    bytes out(max_encoded_size(payload.size()));
    out.resize(encode(payload, out));
    return out;
}

deframer::deframer(std::size_t hw_mtu, std::size_t ifac_size, std::size_t min_exclusive)
    : _buf(std::make_unique_for_overwrite<std::uint8_t[]>(hw_mtu + ifac_size == 0 ? 1 : hw_mtu + ifac_size)),
      _cap(hw_mtu + ifac_size),
      _min_exclusive(min_exclusive),
      _clear_limit(2 * hw_mtu) {}

void deframer::reset() noexcept {
    _len = 0;
    _raw = 0;
    _in_frame = false;
    _escape = false;
    _oversize = false;
}

} // namespace rns::hdlc
