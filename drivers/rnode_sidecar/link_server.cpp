#include "drivers/rnode_sidecar/link_server.hpp"

#include <cerrno>
#include <cstring>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <system_error>
#include <unistd.h>

namespace sidecar_link {

server::server(std::string path, callbacks cb) : _path(std::move(path)), _cb(std::move(cb)) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (_path.size() >= sizeof(addr.sun_path)) {
        throw std::system_error(ENAMETOOLONG, std::generic_category(), "sidecar socket path " + _path);
    }
    std::memcpy(addr.sun_path, _path.c_str(), _path.size() + 1);
    _listen_fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (_listen_fd < 0) {
        throw std::system_error(errno, std::generic_category(), "socket");
    }
    ::unlink(_path.c_str());
    if (::bind(_listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(_listen_fd, 16) != 0) {
        const int e = errno;
        ::close(_listen_fd);
        throw std::system_error(e, std::generic_category(), "bind/listen " + _path);
    }
}

server::~server() {
    for (auto& [id, c] : _conns) {
        ::close(c.fd);
    }
    if (_listen_fd >= 0) {
        ::close(_listen_fd);
        ::unlink(_path.c_str());
    }
}

std::vector<int> server::fds() const {
    std::vector<int> out{_listen_fd};
    for (const auto& [id, c] : _conns) {
        out.push_back(c.fd);
    }
    return out;
}

void server::handle(int fd, short revents) {
    if (revents == 0) {
        return;
    }
    if (fd == _listen_fd) {
        accept_all();
        return;
    }
    for (auto& [id, c] : _conns) {
        if (c.fd == fd) {
            const conn_id cid = id;
            read_conn(cid);
            return;
        }
    }
}

void server::poll_once(int timeout_ms) {
    std::vector<pollfd> p;
    for (int fd : fds()) {
        p.push_back({fd, POLLIN, 0});
    }
    if (::poll(p.data(), p.size(), timeout_ms) <= 0) {
        return;
    }
    for (const auto& x : p) {
        handle(x.fd, x.revents);
    }
}

void server::accept_all() {
    for (;;) {
        const int fd = ::accept4(_listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            return;
        }
        ++_counters.accepted;
        _conns[_next_id++] = connection{fd, false, {}};
    }
}

bool server::send_to(int fd, const message& m) {
    const rns::bytes b = encode(m);
    return ::send(fd, b.data(), b.size(), MSG_NOSIGNAL | MSG_DONTWAIT) == static_cast<ssize_t>(b.size());
}

void server::read_conn(conn_id id) {
    std::uint8_t buf[max_message];
    for (;;) {
        auto it = _conns.find(id);
        if (it == _conns.end()) {
            return;
        }
        connection& c = it->second;
        const ssize_t n = ::recv(c.fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            close_conn(id);
            return;
        }
        if (n < 0) {
            return;
        }
        const decoded d = decode(rns::byte_view(buf, static_cast<std::size_t>(n)));
        if (!d.msg) {
            ++_counters.decode_errors;
            if (!c.registered) {
                // A peer that cannot even register gets the reason and is dropped.
                std::string reason = std::string("registration refused: ") + to_string(d.error);
                if (d.error == decode_error::version_mismatch) {
                    reason = "sidecar link protocol version " + std::to_string(d.peer_version) +
                             " is not supported; this router speaks version " + std::to_string(version);
                }
                ++_counters.refused;
                (void)send_to(c.fd, refuse{reason});
                close_conn(id);
                return;
            }
            continue;
        }
        if (const auto* h = std::get_if<hello>(&*d.msg)) {
            if (c.registered) {
                ++_counters.unexpected;
                continue;
            }
            std::string reason = _cb.on_hello ? _cb.on_hello(id, *h) : std::string();
            if (!reason.empty()) {
                ++_counters.refused;
                (void)send_to(c.fd, refuse{reason});
                close_conn(id);
                return;
            }
            c.registered = true;
            c.info = *h;
            ++_counters.registered;
            (void)send_to(c.fd, welcome{id});
        } else if (!c.registered) {
            ++_counters.unexpected;
        } else if (const auto* p = std::get_if<packet_in>(&*d.msg)) {
            ++_counters.packets_in;
            if (_cb.on_packet) {
                _cb.on_packet(id, *p);
            }
        } else if (const auto* s = std::get_if<stats>(&*d.msg)) {
            if (_cb.on_stats) {
                _cb.on_stats(id, *s);
            }
        } else {
            ++_counters.unexpected;
        }
    }
}

void server::close_conn(conn_id id) {
    auto it = _conns.find(id);
    if (it == _conns.end()) {
        return;
    }
    const bool was_registered = it->second.registered;
    ::close(it->second.fd);
    _conns.erase(it);
    ++_counters.closed;
    if (was_registered && _cb.on_close) {
        _cb.on_close(id);
    }
}

bool server::send_packet(conn_id id, rns::byte_view payload) {
    auto it = _conns.find(id);
    if (it == _conns.end() || !it->second.registered || payload.empty() || payload.size() > max_packet ||
        !send_to(it->second.fd, packet_out{rns::bytes(payload.begin(), payload.end())})) {
        ++_counters.send_drops;
        return false;
    }
    ++_counters.packets_out;
    return true;
}

std::vector<server::conn_id> server::registered() const {
    std::vector<conn_id> out;
    for (const auto& [id, c] : _conns) {
        if (c.registered) {
            out.push_back(id);
        }
    }
    return out;
}

const hello* server::registration(conn_id id) const {
    auto it = _conns.find(id);
    return it != _conns.end() && it->second.registered ? &it->second.info : nullptr;
}

} // namespace sidecar_link
