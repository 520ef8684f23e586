#pragma once
// Host-side RNode frame reader (spec/rnode.md §1, §8.1): unlike the reference's byte-wise loop it
// keeps the whole command byte, unescapes every payload (single-byte replies included) and acts on
// complete frames only. Every FEND ends the current frame and opens the next one, so frames that
// share a delimiter (the detect burst style) and frames with their own delimiters both parse.
// Writing frames reuses the protocol library's KISS encoder (router/rns/kiss.hpp).

#include "router/rns/bytes.hpp"
#include "router/rns/kiss.hpp"

#include <array>
#include <cstdint>

namespace rnode {

struct frame_counters {
    std::uint64_t frames = 0;          ///< complete frames delivered
    std::uint64_t garbage_bytes = 0;   ///< bytes before the first FEND
    std::uint64_t oversize = 0;        ///< frames longer than the buffer, dropped whole
    std::uint64_t partial_timeouts = 0; ///< partial DATA frames dropped after a silence
};

class frame_reader {
  public:
    /// Largest payload kept (DATA: 508 bytes; §1.6). Longer frames are dropped whole and counted.
    static constexpr std::size_t max_payload = 1024;

    /// Consumes chunk; calls sink(std::uint8_t command, byte_view payload) per complete frame.
    template <class Sink> void feed(rns::byte_view chunk, Sink&& sink) {
        using namespace rns::kiss;
        for (std::uint8_t b : chunk) {
            if (b == fend) {
                if (_in_frame && _has_command) {
                    if (_overflow) {
                        ++_counters.oversize;
                    } else {
                        ++_counters.frames;
                        sink(_command, rns::byte_view(_buf.data(), _len));
                    }
                }
                _in_frame = true;
                _has_command = false;
                _escape = false;
                _overflow = false;
                _len = 0;
                continue;
            }
            if (!_in_frame) {
                ++_counters.garbage_bytes;
                continue;
            }
            if (!_has_command) {
                _command = b;
                _has_command = true;
                continue;
            }
            if (b == fesc && !_escape) {
                _escape = true;
                continue;
            }
            if (_escape) {
                b = b == tfend ? fend : (b == tfesc ? fesc : b);
                _escape = false;
            }
            if (_len >= _buf.size()) {
                _overflow = true;
                continue;
            }
            _buf[_len++] = b;
        }
    }

    /// §1.5: a DATA frame that stays incomplete across a silence (100 ms on serial) is dropped.
    void idle_timeout() noexcept;
    /// True while a DATA frame has started and not ended.
    [[nodiscard]] bool in_data_frame() const noexcept {
        return _in_frame && _has_command && _command == 0x00;
    }
    void reset() noexcept;
    [[nodiscard]] const frame_counters& counters() const noexcept { return _counters; }

  private:
    std::array<std::uint8_t, max_payload> _buf{};
    std::size_t _len = 0;
    std::uint8_t _command = 0;
    bool _in_frame = false;
    bool _has_command = false;
    bool _escape = false;
    bool _overflow = false;
    frame_counters _counters;
};

/// FEND ‖ command ‖ escape(payload) ‖ FEND (router/rns/kiss.hpp encoder).
[[nodiscard]] inline rns::bytes encode_frame(std::uint8_t command, rns::byte_view payload) {
    return rns::kiss::encode(payload, command);
}

} // namespace rnode
