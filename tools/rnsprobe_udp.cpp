#include "tools/rnsprobe_udp.hpp"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <netdb.h>
#include <poll.h>
#include <stdexcept>
#include <unistd.h>

namespace rns::probe {

namespace {

void resolve(const std::string& spec, sockaddr_storage& out, socklen_t& len) {
    std::string host;
    std::string port;
    if (!spec.empty() && spec[0] == '[') {
        const auto close = spec.find(']');
        if (close == std::string::npos || close + 1 >= spec.size() || spec[close + 1] != ':') {
            throw std::runtime_error("bad address " + spec + " (want [ipv6]:port)");
        }
        host = spec.substr(1, close - 1);
        port = spec.substr(close + 2);
    } else {
        const auto colon = spec.rfind(':');
        if (colon == std::string::npos) {
            throw std::runtime_error("bad address " + spec + " (want ip:port)");
        }
        host = spec.substr(0, colon);
        port = spec.substr(colon + 1);
    }
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    addrinfo* res = nullptr;
    const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res);
    if (rc != 0 || res == nullptr) {
        throw std::runtime_error("cannot parse address " + spec + ": " + ::gai_strerror(rc));
    }
    std::memcpy(&out, res->ai_addr, res->ai_addrlen);
    len = res->ai_addrlen;
    ::freeaddrinfo(res);
}

} // namespace

udp_interface::udp_interface(const std::string& listen, const std::string& forward) {
    sockaddr_storage local{};
    socklen_t local_len = 0;
    resolve(listen, local, local_len);
    resolve(forward, _forward, _forward_len);
    _fd = ::socket(local.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (_fd < 0) {
        throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    }
    const int one = 1;
    ::setsockopt(_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    ::setsockopt(_fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one));
    if (::bind(_fd, reinterpret_cast<const sockaddr*>(&local), local_len) != 0) {
        const std::string err = std::strerror(errno);
        ::close(_fd);
        throw std::runtime_error("bind " + listen + ": " + err);
    }
}

udp_interface::~udp_interface() {
    if (_fd >= 0) {
        ::close(_fd);
    }
}

void udp_interface::send(byte_view raw) {
    // Best effort like the reference: a failed send is lost traffic, not an error.
    (void)::sendto(_fd, raw.data(), raw.size(), 0, reinterpret_cast<const sockaddr*>(&_forward), _forward_len);
}

std::optional<bytes> udp_interface::receive(double timeout_s) {
    pollfd pfd{_fd, POLLIN, 0};
    const int ms = timeout_s <= 0 ? 0 : static_cast<int>(timeout_s * 1000.0) + 1;
    const int rc = ::poll(&pfd, 1, ms);
    if (rc <= 0) {
        return std::nullopt;
    }
    bytes buf(65536);
    const ssize_t n = ::recv(_fd, buf.data(), buf.size(), 0);
    if (n <= 0) {
        return std::nullopt;
    }
    buf.resize(static_cast<std::size_t>(n));
    return buf;
}

double now_seconds() {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

} // namespace rns::probe
