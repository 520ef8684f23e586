#pragma once
// KISS framing (KISSInterface, RNode, TCP interfaces with kiss_framing = yes), spec §10.2.
//   frame = FEND ‖ command ‖ escape(packet) ‖ FEND, escape: 0xDB → DB DD, 0xC0 → DB DC.
// The deframer reproduces the reference's byte-wise read loop exactly, including its quirks, is
// incremental, never allocates after construction and survives any input.

#include "router/rns/bytes.hpp"

#include <cstdint>
#include <memory>

namespace rns::kiss {

inline constexpr std::uint8_t fend = 0xc0;
inline constexpr std::uint8_t fesc = 0xdb;
inline constexpr std::uint8_t tfend = 0xdc;
inline constexpr std::uint8_t tfesc = 0xdd;

// spec §10.2 commands
inline constexpr std::uint8_t cmd_data = 0x00;
inline constexpr std::uint8_t cmd_txdelay = 0x01;
inline constexpr std::uint8_t cmd_p = 0x02;
inline constexpr std::uint8_t cmd_slottime = 0x03;
inline constexpr std::uint8_t cmd_txtail = 0x04;
inline constexpr std::uint8_t cmd_fullduplex = 0x05;
inline constexpr std::uint8_t cmd_sethardware = 0x06;
inline constexpr std::uint8_t cmd_ready = 0x0f;
inline constexpr std::uint8_t cmd_return = 0xff;
inline constexpr std::uint8_t cmd_unknown = 0xfe; ///< internal: no command byte seen yet

/// Frame size limits of the reference's KISS readers (spec §10.1, §10.2).
inline constexpr std::size_t tcp_hw_mtu = 262144;
inline constexpr std::size_t serial_hw_mtu = 564;

/// Worst case: FEND, command, every byte escaped, FEND.
[[nodiscard]] constexpr std::size_t max_encoded_size(std::size_t payload) noexcept {
    return 2 * payload + 3;
}

/// Writes FEND ‖ command ‖ escape(payload) ‖ FEND into out; returns its length, 0 if out is too small.
[[nodiscard]] std::size_t encode(byte_view payload, std::span<std::uint8_t> out,
                                 std::uint8_t command = cmd_data) noexcept;
[[nodiscard]] bytes encode(byte_view payload, std::uint8_t command = cmd_data);

struct deframer_counters {
    std::uint64_t frames = 0;          ///< DATA frames delivered
    std::uint64_t non_data = 0;        ///< frames of another command, ignored
    std::uint64_t truncated = 0;       ///< delivered frames that lost bytes beyond hw_mtu
    std::uint64_t truncated_bytes = 0; ///< bytes dropped that way
    std::uint64_t garbage_bytes = 0;   ///< bytes outside any frame
    std::uint64_t ready = 0;           ///< bytes seen inside READY frames (flow control)
    std::uint64_t timeouts = 0;        ///< partial frames discarded by idle_timeout()
};

/// The reference's KISS read loop (TCPClientInterface kiss mode, KISSInterface.readLoop):
///   - FEND while inside a DATA frame delivers it (any length, even 0) and leaves the frame: the
///     closing FEND does NOT open the next frame (two frames sharing a FEND yield one);
///   - any other FEND opens a frame with an unknown command; the next byte is the command with
///     the port nibble masked off (& 0x0F);
///   - only DATA bytes are kept; FESC sets an escape that maps TFEND/TFESC and otherwise passes the
///     byte through; the escape state survives a FEND (as in the reference);
///   - bytes beyond hw_mtu are dropped but the truncated frame is still delivered.
class deframer {
  public:
    explicit deframer(std::size_t hw_mtu = tcp_hw_mtu);

    /// Consumes chunk; calls sink(byte_view frame) per DATA frame (view valid during the call).
    template <class Sink> void feed(byte_view chunk, Sink&& sink) noexcept {
        for (std::uint8_t b : chunk) {
            if (_in_frame && b == fend && _command == cmd_data) {
                _in_frame = false;
                ++_counters.frames;
                if (_dropped != 0) {
                    ++_counters.truncated;
                    _counters.truncated_bytes += _dropped;
                }
                sink(byte_view(_buf.get(), _len));
                continue;
            }
            if (b == fend) {
                if (_in_frame && _command != cmd_unknown) {
                    ++_counters.non_data;
                }
                _in_frame = true;
                _command = cmd_unknown;
                _len = 0;
                _dropped = 0;
                continue;
            }
            if (!_in_frame) {
                ++_counters.garbage_bytes;
                continue;
            }
            if (_len >= _cap) {
                if (_command == cmd_data) {
                    ++_dropped;
                }
                continue;
            }
            if (_len == 0 && _command == cmd_unknown) {
                _command = static_cast<std::uint8_t>(b & 0x0f);
            } else if (_command == cmd_data) {
                if (b == fesc) {
                    _escape = true;
                } else {
                    if (_escape) {
                        if (b == tfend) {
                            b = fend;
                        } else if (b == tfesc) {
                            b = fesc;
                        }
                        _escape = false;
                    }
                    _buf[_len++] = b;
                }
            } else if (_command == cmd_ready) {
                ++_counters.ready;
                ++_ready_pending;
            }
        }
    }

    /// The serial reader's silence rule (KISSInterface): after the interface's timeout without
    /// bytes, a partial frame that holds data is discarded and the state reset.
    void idle_timeout() noexcept;
    /// Forgets everything (e.g. on reconnect).
    void reset() noexcept;
    /// READY bytes seen since the last call (each releases one queued packet under flow control).
    [[nodiscard]] std::uint64_t take_ready() noexcept {
        auto n = _ready_pending;
        _ready_pending = 0;
        return n;
    }

    [[nodiscard]] const deframer_counters& counters() const noexcept { return _counters; }
    [[nodiscard]] std::size_t hw_mtu() const noexcept { return _cap; }

  private:
    std::unique_ptr<std::uint8_t[]> _buf;
    std::size_t _cap;
    std::size_t _len = 0;
    std::size_t _dropped = 0;
    std::uint64_t _ready_pending = 0;
    bool _in_frame = false;
    bool _escape = false;
    std::uint8_t _command = cmd_unknown;
    deframer_counters _counters;
};

} // namespace rns::kiss
