#include "router/rns/kiss.hpp"

namespace rns::kiss {

std::size_t encode(byte_view payload, std::span<std::uint8_t> out, std::uint8_t command) noexcept {
    std::size_t need = 3;
    for (std::uint8_t b : payload) {
        need += (b == fend || b == fesc) ? 2 : 1;
    }
    if (out.size() < need) {
        return 0;
    }
    std::size_t n = 0;
    out[n++] = fend;
    out[n++] = command;
    // spec §10.2: FESC is escaped first, then FEND; per byte that is the same single pass.
    for (std::uint8_t b : payload) {
        if (b == fesc) {
            out[n++] = fesc;
            out[n++] = tfesc;
        } else if (b == fend) {
            out[n++] = fesc;
            out[n++] = tfend;
        } else {
            out[n++] = b;
        }
    }
    out[n++] = fend;
    return n;
}

bytes encode(byte_view payload, std::uint8_t command) {
    bytes out(max_encoded_size(payload.size()));
    out.resize(encode(payload, out, command));
    return out;
}

deframer::deframer(std::size_t hw_mtu)
    : _buf(std::make_unique_for_overwrite<std::uint8_t[]>(hw_mtu == 0 ? 1 : hw_mtu)), _cap(hw_mtu) {}

void deframer::idle_timeout() noexcept {
    // KISSInterface.readLoop resets only when the partial frame holds data.
    if (_len > 0) {
        ++_counters.timeouts;
        _len = 0;
        _dropped = 0;
        _in_frame = false;
        _command = cmd_unknown;
        _escape = false;
    }
}

void deframer::reset() noexcept {
    _len = 0;
    _dropped = 0;
    _in_frame = false;
    _command = cmd_unknown;
    _escape = false;
}

} // namespace rns::kiss
