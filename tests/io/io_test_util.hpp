#pragma once
// Helpers of the io thread tests: a seam that records what crosses it, and blocking loopback
// sockets for the peers (ordinary descriptors on the test side).

#include "drivers/io/io_thread.hpp"
#include "router/rns/bytes.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <stdexcept>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace io_test {

using rns::bytes;
using rns::byte_view;

/// Records frames and events; the test queues outgoing packets with send().
class recording_seam final : public rns::io::packet_seam {
  public:
    struct frame {
        std::uint16_t iface;
        bytes data;
    };

    bool deliver(std::uint16_t iface, byte_view f) noexcept override {
        std::lock_guard g(_m);
        frames.push_back({iface, bytes(f.begin(), f.end())});
        _cv.notify_all();
        return true;
    }
    unsigned take(std::span<rns::io::tx_packet> out) noexcept override {
        std::lock_guard g(_m);
        unsigned n = 0;
        while (n < out.size() && !_pending.empty()) {
            _taken.push_back(std::move(_pending.front()));
            _pending.pop_front();
            out[n] = {_taken.back().iface, byte_view(_taken.back().data)};
            ++n;
        }
        return n;
    }
    void release() noexcept override {
        std::lock_guard g(_m);
        _taken.clear();
    }
    void event(const rns::io::iface_event& e) noexcept override {
        std::lock_guard g(_m);
        events.push_back(e);
        _cv.notify_all();
    }

    void send(std::uint16_t iface, bytes data) {
        std::lock_guard g(_m);
        _pending.push_back({iface, std::move(data)});
    }

    /// Waits (bounded) until pred() holds, pred evaluated under the lock.
    bool wait_for(const std::function<bool()>& pred, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
        std::unique_lock g(_m);
        return _cv.wait_for(g, limit, pred);
    }
    template <class F> auto locked(F&& f) {
        std::lock_guard g(_m);
        return f();
    }

    std::vector<frame> frames;
    std::vector<rns::io::iface_event> events;

  private:
    std::mutex _m;
    std::condition_variable _cv;
    std::deque<frame> _pending;
    std::deque<frame> _taken; // deque: references stay valid while appending
};

/// A loopback port free right now (bound then released).
inline std::uint16_t free_port(int type = SOCK_STREAM) {
    int fd = ::socket(AF_INET, type, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

inline rns::io::endpoint ep(const std::string& text) {
    std::string err;
    auto e = rns::io::parse_endpoint(text, false, &err);
    if (!e) {
        throw std::runtime_error(err);
    }
    return *e;
}

/// A connected TCP socket to 127.0.0.1:port (from source address src), or -1.
inline int tcp_connect(std::uint16_t port, const char* src = nullptr) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (src != nullptr) {
        sockaddr_in s{};
        s.sin_family = AF_INET;
        inet_pton(AF_INET, src, &s.sin_addr);
        ::bind(fd, reinterpret_cast<sockaddr*>(&s), sizeof s);
    }
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

inline bool write_all(int fd, byte_view data) {
    std::size_t off = 0;
    while (off < data.size()) {
        ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
        if (n <= 0) {
            return false;
        }
        off += static_cast<std::size_t>(n);
    }
    return true;
}

/// Reads what arrives within limit (stops early once `want` bytes are in).
inline bytes read_some(int fd, std::size_t want, std::chrono::milliseconds limit) {
    bytes out;
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (out.size() < want && std::chrono::steady_clock::now() < deadline) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 20) <= 0) {
            continue;
        }
        std::uint8_t buf[4096];
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) {
            break;
        }
        out.insert(out.end(), buf, buf + n);
    }
    return out;
}

/// True when the peer closed fd within limit (EOF or reset).
inline bool closed_by_peer(int fd, std::chrono::milliseconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 20) <= 0) {
            continue;
        }
        std::uint8_t buf[4096];
        ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN)) {
            return true;
        }
    }
    return false;
}

/// Escapes a packet as spec §10.1 says, written out independently of the library's encoder:
/// ESC first (7D → 7D 5D), then FLAG (7E → 7D 5E), between two FLAGs.
inline bytes spec_frame(byte_view packet) {
    bytes esc_done;
    for (std::uint8_t b : packet) {
        if (b == 0x7d) {
            esc_done.push_back(0x7d);
            esc_done.push_back(0x5d);
        } else {
            esc_done.push_back(b);
        }
    }
    bytes out{0x7e};
    for (std::uint8_t b : esc_done) {
        if (b == 0x7e) {
            out.push_back(0x7d);
            out.push_back(0x5e);
        } else {
            out.push_back(b);
        }
    }
    out.push_back(0x7e);
    return out;
}

/// Entries in /proc/self/fd.
inline std::size_t fd_count() {
    std::size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
        (void)e;
        ++n;
    }
    return n;
}

/// A packet of n bytes whose content includes both FLAG and ESC bytes.
inline bytes test_packet(std::size_t n, std::uint8_t seed) {
    bytes p(n);
    for (std::size_t i = 0; i < n; ++i) {
        p[i] = static_cast<std::uint8_t>(seed + i * 7);
    }
    p[0] = 0x00;
    if (n > 10) {
        p[5] = 0x7e;
        p[6] = 0x7d;
        p[9] = 0x7d;
        p[10] = 0x5e;
    }
    return p;
}

} // namespace io_test
