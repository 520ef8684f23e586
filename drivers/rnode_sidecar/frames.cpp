#include "drivers/rnode_sidecar/frames.hpp"

namespace rnode {

void frame_reader::idle_timeout() noexcept {
    if (in_data_frame() && (_len > 0 || _overflow)) {
        ++_counters.partial_timeouts;
        _in_frame = false;
        _has_command = false;
        _escape = false;
        _overflow = false;
        _len = 0;
    }
}

void frame_reader::reset() noexcept {
    _in_frame = false;
    _has_command = false;
    _escape = false;
    _overflow = false;
    _len = 0;
}

} // namespace rnode
