#include "tools/rnsprobe_tcp.hpp"

#include "tools/rnsprobe_udp.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace rns::probe {

namespace {

addrinfo* resolve(const std::string& spec, bool passive) {
    std::string host;
    std::string port;
    if (!spec.empty() && spec.front() == '[') {
        auto close = spec.find(']');
        if (close == std::string::npos || close + 2 > spec.size() || spec[close + 1] != ':') {
            throw std::runtime_error("expected [IPv6]:PORT, got " + spec);
        }
        host = spec.substr(1, close - 1);
        port = spec.substr(close + 2);
    } else {
        auto colon = spec.rfind(':');
        if (colon == std::string::npos) {
            throw std::runtime_error("expected HOST:PORT, got " + spec);
        }
        host = spec.substr(0, colon);
        port = spec.substr(colon + 1);
    }
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = passive ? AI_PASSIVE : 0;
    addrinfo* res = nullptr;
    if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res); rc != 0) {
        throw std::runtime_error("cannot resolve " + spec + ": " + ::gai_strerror(rc));
    }
    return res;
}

void tune(int fd) {
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

} // namespace

tcp_interface::tcp_interface(role r, const std::string& address, double connect_timeout_s) {
    addrinfo* ai = resolve(address, r == role::listen);
    if (r == role::listen) {
        _listen_fd = ::socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        const int one = 1;
        ::setsockopt(_listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (::bind(_listen_fd, ai->ai_addr, ai->ai_addrlen) != 0 || ::listen(_listen_fd, 4) != 0) {
            std::string err = std::strerror(errno);
            ::freeaddrinfo(ai);
            ::close(_listen_fd);
            throw std::runtime_error("tcp listen " + address + ": " + err);
        }
        ::freeaddrinfo(ai);
        return;
    }
    const double deadline = now_seconds() + connect_timeout_s;
    std::string err;
    for (;;) {
        _fd = ::socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (::connect(_fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            break;
        }
        err = std::strerror(errno);
        ::close(_fd);
        _fd = -1;
        if (now_seconds() >= deadline) {
            ::freeaddrinfo(ai);
            throw std::runtime_error("tcp connect " + address + ": " + err);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ::freeaddrinfo(ai);
    tune(_fd);
}

tcp_interface::~tcp_interface() {
    if (_fd >= 0) {
        ::close(_fd);
    }
    if (_listen_fd >= 0) {
        ::close(_listen_fd);
    }
}

void tcp_interface::accept_pending() {
    if (_listen_fd < 0) {
        return;
    }
    pollfd p{_listen_fd, POLLIN, 0};
    while (::poll(&p, 1, 0) > 0) {
        int fd = ::accept4(_listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
            return;
        }
        if (_fd >= 0) {
            ::close(_fd);
        }
        _fd = fd;
        tune(_fd);
        _rx.reset();
    }
}

void tcp_interface::send(byte_view raw) {
    accept_pending();
    if (_fd < 0) {
        return; // nobody connected: lost, like a packet on a down interface
    }
    bytes frame = hdlc::encode(raw);
    std::size_t off = 0;
    while (off < frame.size()) {
        ssize_t n = ::send(_fd, frame.data() + off, frame.size() - off, MSG_NOSIGNAL);
        if (n <= 0) {
            return;
        }
        off += static_cast<std::size_t>(n);
    }
}

std::optional<bytes> tcp_interface::receive(double timeout_s) {
    const double deadline = now_seconds() + std::max(0.0, timeout_s);
    for (;;) {
        if (!_frames.empty()) {
            bytes f = std::move(_frames.front());
            _frames.pop_front();
            return f;
        }
        accept_pending();
        const double left = deadline - now_seconds();
        pollfd p[2] = {{_fd, POLLIN, 0}, {_listen_fd, POLLIN, 0}};
        const int ms = left <= 0 ? 0 : static_cast<int>(left * 1000.0) + 1;
        if (::poll(p, 2, ms) <= 0) {
            return std::nullopt;
        }
        if (_fd >= 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
            std::uint8_t buf[8192];
            ssize_t n = ::recv(_fd, buf, sizeof buf, 0);
            if (n <= 0) {
                ::close(_fd);
                _fd = -1;
                _rx.reset();
            } else {
                _rx.feed(byte_view(buf, static_cast<std::size_t>(n)),
                         [this](byte_view f) { _frames.emplace_back(f.begin(), f.end()); });
            }
        }
        if (_frames.empty() && now_seconds() >= deadline) {
            return std::nullopt;
        }
    }
}

} // namespace rns::probe
