#include "router/ctlplane/prometheus.hpp"

#include "router/ctlplane/http_request.hpp"
#include "router/ctlplane/router_persistence.hpp"
#include "router/ctlplane/telemetry.hpp"

#include <rte_lcore.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string_view>

namespace rns::ctlplane {

namespace {

// Label values escape backslash, double quote and line feed; HELP text backslash and line feed
// (exposition format 0.0.4).
std::string escape(std::string_view s, bool label) {
    std::string out;
    for (char c : s) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '"' && label) {
            out += "\\\"";
        } else {
            out += c;
        }
    }
    return out;
}

// /rns/persist keys that are levels; every other one only grows.
bool persist_gauge(std::string_view k) {
    return k == "queue_depth" || k == "write_latency_p50_us" || k == "write_latency_p99_us" ||
           k == "slots_total" || k == "slots_in_use" || k == "slots_high_water" ||
           k == "ratchets_live" || k == "process_fds";
}

bool send_all(int fd, std::string_view s) {
    while (!s.empty()) {
        const ssize_t n = ::send(fd, s.data(), s.size(), MSG_NOSIGNAL);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) {
                continue;
            }
            return false;
        }
        s.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

} // namespace

std::string prometheus_text() {
    std::vector<metric> ms = telemetry_metrics();
    for (const auto& [k, v] : persistence_values()) {
        // A gauge does not end in _total (exposition conventions): slots_total is persist_slots.
        const bool gauge = persist_gauge(k);
        std::string name = "persist_" + k;
        if (gauge && name.ends_with("_total")) {
            name.resize(name.size() - 6);
        }
        ms.push_back({std::move(name), !gauge, "/rns/persist " + k, {}, std::to_string(v)});
    }
    // One HELP/TYPE per family, then all its samples together (a family's samples, e.g. one per
    // interface, are not adjacent in ms).
    std::vector<std::string> order;
    std::map<std::string, std::vector<const metric*>> families;
    for (const metric& m : ms) {
        auto& members = families[m.name];
        if (members.empty()) {
            order.push_back(m.name);
        }
        members.push_back(&m);
    }
    std::string out;
    for (const std::string& name : order) {
        const std::vector<const metric*>& members = families[name];
        const metric& first = *members.front();
        const std::string family = "rnsrouter_" + name + (first.counter ? "_total" : "");
        out += "# HELP " + family + " " + escape(first.help, false) + "\n";
        out += "# TYPE " + family + (first.counter ? " counter\n" : " gauge\n");
        for (const metric* m : members) {
            out += family;
            if (!m->labels.empty()) {
                out += "{";
                for (std::size_t k = 0; k < m->labels.size(); ++k) {
                    out += (k ? "," : "") + m->labels[k].first + "=\"" + escape(m->labels[k].second, true) + "\"";
                }
                out += "}";
            }
            out += " " + m->value + "\n";
        }
    }
    return out;
}

prometheus_server::prometheus_server(const std::string& addr, std::uint16_t port) {
    const std::string where = addr.find(':') != std::string::npos
                                  ? "[" + addr + "]:" + std::to_string(port)
                                  : addr + ":" + std::to_string(port);
    sockaddr_storage ss{};
    socklen_t len = 0;
    auto* a4 = reinterpret_cast<sockaddr_in*>(&ss);
    auto* a6 = reinterpret_cast<sockaddr_in6*>(&ss);
    if (::inet_pton(AF_INET, addr.c_str(), &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons(port);
        len = sizeof *a4;
    } else if (::inet_pton(AF_INET6, addr.c_str(), &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons(port);
        len = sizeof *a6;
    } else {
        throw std::runtime_error("--prometheus " + where + ": not an IP address");
    }
    _listen = ::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    if (_listen < 0 || ::setsockopt(_listen, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        ::bind(_listen, reinterpret_cast<sockaddr*>(&ss), len) != 0 || ::listen(_listen, 16) != 0 ||
        ::pipe2(_wake, O_CLOEXEC) != 0) {
        const std::string why = std::strerror(errno);
        if (_listen >= 0) {
            ::close(_listen);
        }
        throw std::runtime_error("--prometheus " + where + ": cannot listen: " + why);
    }
    // A DPDK control thread: it runs on the CPUs no lcore polls (rte_ctrl_thread_create), so a
    // scrape never waits behind a busy-polling lcore.
    const int rc = rte_ctrl_thread_create(
        &_thread, "rns-prometheus", nullptr,
        [](void* self) -> void* {
            static_cast<prometheus_server*>(self)->run();
            return nullptr;
        },
        this);
    if (rc != 0) {
        ::close(_listen);
        ::close(_wake[0]);
        ::close(_wake[1]);
        throw std::runtime_error("--prometheus " + where + ": cannot start its thread: " + std::strerror(rc));
    }
}

prometheus_server::~prometheus_server() {
    const char c = 0;
    (void)!::write(_wake[1], &c, 1);
    (void)::pthread_join(_thread, nullptr);
    ::close(_listen);
    ::close(_wake[0]);
    ::close(_wake[1]);
}

void prometheus_server::run() {
    for (;;) {
        pollfd p[2] = {{_listen, POLLIN, 0}, {_wake[0], POLLIN, 0}};
        if (::poll(p, 2, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            return;
        }
        if (p[1].revents != 0) {
            return;
        }
        if ((p[0].revents & POLLIN) != 0) {
            const int fd = ::accept4(_listen, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd >= 0) {
                serve(fd);
                ::close(fd);
            }
        }
    }
}

void prometheus_server::serve(int fd) {
    // Read up to the end of the headers (bounded in size and time), then answer and close.
    timeval tv{2, 0};
    (void)::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    (void)::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    std::string req;
    char buf[1024];
    std::size_t head = 0;
    while ((head = request_head_size(req)) == 0 && req.size() < max_request_head) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) {
                continue;
            }
            return; // closed or timed out before a whole head: nothing to answer
        }
        req.append(buf, static_cast<std::size_t>(n));
    }
    std::string status = "200 OK";
    std::string type = "text/plain; version=0.0.4; charset=utf-8";
    std::string body;
    switch (head == 0 ? http_route::bad_request : route_request(std::string_view(req).substr(0, head))) {
    case http_route::metrics:
        body = prometheus_text();
        break;
    case http_route::not_found:
        status = "404 Not Found";
        type = "text/plain";
        body = "rnsrouter serves /metrics\n";
        break;
    case http_route::bad_method:
        status = "405 Method Not Allowed";
        type = "text/plain";
        body = "only GET\n";
        break;
    case http_route::bad_request:
        status = "400 Bad Request";
        type = "text/plain";
        body = "not an HTTP request\n";
        break;
    }
    const std::string answer = "HTTP/1.0 " + status + "\r\nContent-Type: " + type +
                             "\r\nContent-Length: " + std::to_string(body.size()) +
                             "\r\nConnection: close\r\n\r\n";
    if (send_all(fd, answer)) {
        (void)send_all(fd, body);
    }
}

} // namespace rns::ctlplane
