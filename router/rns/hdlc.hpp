#pragma once
// HDLC-like framing of stream interfaces (TCP client/server, Backbone, Local), spec §10.1.
//   frame = FLAG ‖ escape(packet) ‖ FLAG, escape: 0x7D → 7D 5D, 0x7E → 7D 5E. No checksum.
// The deframer is incremental: feed it any chunks of a byte stream, it calls the sink once per
// accepted frame. It never allocates after construction, never throws, and survives any input.

#include "router/rns/bytes.hpp"

#include <cstdint>
#include <memory>

namespace rns::hdlc {

inline constexpr std::uint8_t flag = 0x7e;
inline constexpr std::uint8_t esc = 0x7d;
inline constexpr std::uint8_t esc_mask = 0x20;

/// TCPInterface.HW_MTU in the reference (spec §10.1): the largest accepted frame is this plus the
/// interface's IFAC size.
inline constexpr std::size_t tcp_hw_mtu = 262144;
/// Frames of this length or shorter are dropped by TCP interfaces (HEADER_MINSIZE, spec §1.2).
inline constexpr std::size_t tcp_min_exclusive = 19;

/// Worst case encoded size: every byte escaped, plus the two flags.
[[nodiscard]] constexpr std::size_t max_encoded_size(std::size_t payload) noexcept {
    return 2 * payload + 2;
}

/// Writes the frame for payload into out; returns its length, or 0 if out is too small.
[[nodiscard]] std::size_t encode(byte_view payload, std::span<std::uint8_t> out) noexcept;
[[nodiscard]] bytes encode(byte_view payload);

/// Why frames were not delivered; plain counters owned by the deframer's thread.
struct deframer_counters {
    std::uint64_t frames = 0;        ///< delivered to the sink
    std::uint64_t too_short = 0;     ///< dropped: length <= min_exclusive (but not empty)
    std::uint64_t too_long = 0;      ///< dropped: length > max_frame
    std::uint64_t empty = 0;         ///< consecutive flags (ignored, as the reference does)
    std::uint64_t overflow = 0;      ///< unterminated frames discarded past 2 × HW_MTU
    std::uint64_t garbage_bytes = 0; ///< bytes before the first flag, discarded
};

/// Incremental deframer with the reference's TCP semantics (spec §10.1, TCPClientInterface):
///   - bytes before the first FLAG are discarded; a closing FLAG also opens the next frame;
///   - escapes are undone as the reference's two byte-string replacements do (7D 5E → 7E, then
///     7D 5D → 7D), which equals one left-to-right pass; any other byte after 7D, and a 7D right
///     before the closing FLAG, pass through unchanged;
///   - empty frames are ignored; frames of length <= min_exclusive or > HW_MTU + ifac_size are
///     dropped (an over-long frame is discarded up to its closing FLAG, which opens the next);
///   - after each chunk, a frame still open with more than 2 × HW_MTU bytes buffered (its opening
///     FLAG included) is discarded, as the reference clears its buffer at the end of a read; this
///     depends on chunking exactly as the reference's does.
class deframer {
  public:
    /// Allocates the frame buffer (hw_mtu + ifac_size bytes) once.
    explicit deframer(std::size_t hw_mtu = tcp_hw_mtu, std::size_t ifac_size = 0,
                      std::size_t min_exclusive = tcp_min_exclusive);

    /// Consumes chunk; calls sink(byte_view frame) for each accepted frame. The view is valid only
    /// during the call.
    template <class Sink> void feed(byte_view chunk, Sink&& sink) noexcept {
        // Garbage before an opening FLAG of this chunk sits in the reference's buffer until a
        // frame completes, so it counts toward the 2 × HW_MTU limit.
        std::size_t hunted = 0;
        for (std::uint8_t b : chunk) {
            if (b == flag) {
                if (_in_frame) {
                    finish(sink);
                    _raw = 0;
                } else {
                    _raw = hunted;
                }
                _in_frame = true;
                _len = 0;
                _escape = false;
                _oversize = false;
                continue;
            }
            if (!_in_frame) {
                ++_counters.garbage_bytes;
                ++hunted;
                continue;
            }
            ++_raw;
            if (_escape) {
                _escape = false;
                if (b == (flag ^ esc_mask)) {
                    append(flag);
                    continue;
                }
                if (b == (esc ^ esc_mask)) {
                    append(esc);
                    continue;
                }
                append(esc); // not an escape: the 7D stays
            }
            if (b == esc) {
                _escape = true;
            } else {
                append(b);
            }
        }
        if (_in_frame && _raw + 1 > _clear_limit) {
            ++_counters.overflow;
            _in_frame = false;
        }
    }

    /// Forgets any partial frame (e.g. on reconnect).
    void reset() noexcept;

    [[nodiscard]] const deframer_counters& counters() const noexcept { return _counters; }
    [[nodiscard]] std::size_t max_frame() const noexcept { return _cap; }

  private:
    std::unique_ptr<std::uint8_t[]> _buf;
    std::size_t _cap;
    std::size_t _min_exclusive;
    std::size_t _clear_limit; ///< 2 × HW_MTU
    std::size_t _len = 0;
    std::size_t _raw = 0; ///< bytes the reference would buffer before the opening FLAG's successor
    bool _in_frame = false;
    bool _escape = false;
    bool _oversize = false;
    deframer_counters _counters;

    void append(std::uint8_t b) noexcept {
        if (_len < _cap) {
            _buf[_len++] = b;
        } else {
            _oversize = true;
        }
    }

    template <class Sink> void finish(Sink& sink) noexcept {
        if (_escape) {
            append(esc); // a trailing 7D has nothing to pair with
            _escape = false;
        }
        if (_oversize) {
            ++_counters.too_long;
        } else if (_len == 0) {
            ++_counters.empty;
        } else if (_len <= _min_exclusive) {
            ++_counters.too_short;
        } else {
            ++_counters.frames;
            sink(byte_view(_buf.get(), _len));
        }
    }
};

} // namespace rns::hdlc
