#pragma once
// The RNode's serial line (spec/rnode.md §1.1, §6.4): 115200 8N1, raw, no flow control, DTR and
// RTS asserted like the reference host (EINVAL/ENOTTY from those ioctls ignored, as on a PTY).
// Non-blocking; a bounded output buffer.

#include "router/rns/bytes.hpp"

#include <string>

namespace rnode {

class serial_port {
  public:
    /// Bytes the output buffer may hold; writes beyond it are refused.
    static constexpr std::size_t max_pending = 16384;

    serial_port() = default;
    ~serial_port() { close(); }
    serial_port(const serial_port&) = delete;
    serial_port& operator=(const serial_port&) = delete;

    /// Opens and configures the port; on failure returns the error text and stays closed.
    [[nodiscard]] std::string open(const std::string& path);
    void close() noexcept;
    [[nodiscard]] bool is_open() const noexcept { return _fd >= 0; }
    [[nodiscard]] int fd() const noexcept { return _fd; }

    /// Appends to the output buffer and writes what the line takes now. False when the buffer
    /// would overflow (nothing appended) or the port failed (see failed()).
    bool write(rns::byte_view b);
    /// Writes pending output; false when the port failed.
    bool flush();
    [[nodiscard]] bool has_pending() const noexcept { return !_out.empty(); }
    [[nodiscard]] std::size_t pending() const noexcept { return _out.size(); }
    /// Reads what is available into buf; returns bytes read, 0 if none, -1 when the port failed
    /// (EIO after an unplug, hang-up).
    long read(std::uint8_t* buf, std::size_t cap);
    /// Discards unread input (the start-up drain, §8.2).
    void drain_input() noexcept;
    /// Blocks up to timeout_ms to get the output buffer written (shutdown).
    void flush_blocking(int timeout_ms) noexcept;
    [[nodiscard]] const std::string& error() const noexcept { return _error; }

  private:
    int _fd = -1;
    rns::bytes _out;
    std::string _error;
};

} // namespace rnode
