#include "drivers/rnode_sidecar/link_client.hpp"

#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace sidecar_link {

client::client(std::string path, hello registration, std::chrono::milliseconds backoff,
               std::function<void(const packet_out&)> on_packet, std::function<void(const std::string&)> log)
    : _path(std::move(path)), _hello(std::move(registration)), _backoff(backoff), _on_packet(std::move(on_packet)),
      _log(std::move(log)) {}

client::~client() {
    if (_fd >= 0) {
        ::close(_fd);
    }
}

void client::disconnect(clock::time_point now) {
    if (_fd >= 0) {
        ::close(_fd);
        _fd = -1;
    }
    if (_registered) {
        _log("router link lost; reconnecting every " + std::to_string(_backoff.count()) + " ms");
    }
    _registered = false;
    _next_attempt = now + _backoff;
}

client::clock::time_point client::tick(clock::time_point now) {
    if (_fd >= 0) {
        return clock::time_point::max();
    }
    if (now < _next_attempt) {
        return _next_attempt;
    }
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, _path.c_str(), sizeof(addr.sun_path) - 1);
    _fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (_fd < 0 || ::connect(_fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
        if (!_logged_down) {
            _log("router socket " + _path + ": " + std::strerror(errno) + "; retrying every " +
                 std::to_string(_backoff.count()) + " ms");
            _logged_down = true;
        }
        disconnect(now);
        return _next_attempt;
    }
    _logged_down = false;
    const rns::bytes b = encode(_hello);
    if (::send(_fd, b.data(), b.size(), MSG_NOSIGNAL | MSG_DONTWAIT) != static_cast<ssize_t>(b.size())) {
        disconnect(now);
        return _next_attempt;
    }
    return clock::time_point::max();
}

void client::on_readable(clock::time_point now) {
    std::uint8_t buf[max_message];
    while (_fd >= 0) {
        const ssize_t n = ::recv(_fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            return;
        }
        if (n <= 0) {
            disconnect(now);
            return;
        }
        const decoded d = decode(rns::byte_view(buf, static_cast<std::size_t>(n)));
        if (!d.msg) {
            if (d.error == decode_error::version_mismatch) {
                _log("router speaks sidecar link version " + std::to_string(d.peer_version) + ", this sidecar " +
                     std::to_string(version) + "; disconnecting");
                disconnect(now);
                return;
            }
            _log(std::string("bad message from the router: ") + to_string(d.error));
            continue;
        }
        if (const auto* w = std::get_if<welcome>(&*d.msg)) {
            _registered = true;
            _log("registered with the router as interface " + std::to_string(w->interface_id));
        } else if (const auto* r = std::get_if<refuse>(&*d.msg)) {
            _log("router refused the registration: " + r->reason);
            disconnect(now);
            return;
        } else if (const auto* p = std::get_if<packet_out>(&*d.msg)) {
            if (_registered && _on_packet) {
                _on_packet(*p);
            }
        }
    }
}

void client::reregister(hello h, clock::time_point now) {
    _hello = std::move(h);
    if (_fd >= 0) {
        ::close(_fd);
        _fd = -1;
        _registered = false;
    }
    _next_attempt = now;
}

bool client::send(const message& m) {
    if (_fd < 0 || !_registered) {
        return false;
    }
    const rns::bytes b = encode(m);
    if (::send(_fd, b.data(), b.size(), MSG_NOSIGNAL | MSG_DONTWAIT) == static_cast<ssize_t>(b.size())) {
        return true;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        disconnect(clock::now()); // the router went away
    }
    return false;
}

} // namespace sidecar_link
