#include "tests/integration/rnode/harness.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <sstream>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace rnode_test {

child::child(std::vector<std::string> argv, std::string log_path) : _log(std::move(log_path)) {
    _pid = ::fork();
    if (_pid == 0) {
        const int fd = ::open(_log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        std::vector<char*> args;
        for (auto& a : argv) {
            args.push_back(a.data());
        }
        args.push_back(nullptr);
        ::execv(args[0], args.data());
        std::_Exit(127);
    }
    if (_pid < 0) {
        throw std::runtime_error("fork failed");
    }
}

child::~child() {
    if (_pid > 0 && !_status) {
        stop(SIGTERM);
    }
}

int child::stop(int sig, std::chrono::milliseconds timeout) {
    if (_status) {
        return *_status;
    }
    ::kill(_pid, sig);
    const auto end = clock::now() + timeout;
    while (clock::now() < end) {
        int st = 0;
        if (::waitpid(_pid, &st, WNOHANG) == _pid) {
            _status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
            return *_status;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(_pid, SIGKILL);
    int st = 0;
    ::waitpid(_pid, &st, 0);
    _status = -1;
    return -1;
}

bool child::running() {
    if (_status) {
        return false;
    }
    int st = 0;
    if (::waitpid(_pid, &st, WNOHANG) == _pid) {
        _status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        return false;
    }
    return true;
}

std::string child::log() const {
    std::ifstream f(_log);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

std::size_t child::count(const std::string& text) const {
    const std::string l = log();
    std::size_t n = 0;
    for (std::size_t p = l.find(text); p != std::string::npos; p = l.find(text, p + 1)) {
        ++n;
    }
    return n;
}

std::pair<int, std::string> run_to_end(std::vector<std::string> argv, std::chrono::milliseconds timeout) {
    const std::string log = temp_dir() + "/out.log";
    child c(std::move(argv), log);
    const auto end = clock::now() + timeout;
    while (c.running() && clock::now() < end) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const int code = c.stop(SIGKILL, std::chrono::milliseconds(100));
    return {code, c.log()};
}

std::string sim_command(const std::string& dir, const std::string& line) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string path = dir + "/control";
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
        ::close(fd);
        return {};
    }
    const std::string msg = line + "\n";
    (void)!::write(fd, msg.data(), msg.size());
    std::string reply;
    const auto end = clock::now() + std::chrono::seconds(3);
    while (reply.find('\n') == std::string::npos && clock::now() < end) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) {
            continue;
        }
        char buf[65536];
        const ssize_t n = ::read(fd, buf, sizeof(buf));
        if (n <= 0) {
            break;
        }
        reply.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    if (auto nl = reply.find('\n'); nl != std::string::npos) {
        reply.resize(nl);
    }
    return reply;
}

test_router::test_router(std::string p) : path(std::move(p)) { restart(); }

void test_router::stop() {
    srv.reset();
    conn.reset();
}

void test_router::restart() {
    srv.reset();
    conn.reset();
    sidecar_link::server::callbacks cb;
    cb.on_hello = [this](sidecar_link::server::conn_id id, const sidecar_link::hello& h) {
        hello = h;
        conn = id;
        ++registrations;
        return std::string();
    };
    cb.on_packet = [this](sidecar_link::server::conn_id, const sidecar_link::packet_in& p) {
        packets.push_back({clock::now(), p});
    };
    cb.on_stats = [this](sidecar_link::server::conn_id, const sidecar_link::stats& s) {
        ++stats_messages;
        for (const auto& e : s.entries) {
            stats[e.key] = e.value;
        }
    };
    cb.on_close = [this](sidecar_link::server::conn_id id) {
        if (conn == id) {
            conn.reset();
        }
    };
    srv = std::make_unique<sidecar_link::server>(path, cb);
}

bool test_router::send(const rns::bytes& p) { return srv && conn && srv->send_packet(*conn, p); }

std::int64_t test_router::stat(sidecar_link::stat_key k) const {
    auto it = stats.find(k);
    return it == stats.end() ? -1 : it->second;
}

std::vector<test_router::received> test_router::matching(const rns::bytes& p) const {
    std::vector<received> out;
    for (const auto& r : packets) {
        if (r.packet.payload == p) {
            out.push_back(r);
        }
    }
    return out;
}

bool wait_for(std::vector<test_router*> routers, const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
    const auto end = clock::now() + timeout;
    while (!pred()) {
        if (clock::now() >= end) {
            return false;
        }
        std::vector<pollfd> fds;
        std::vector<test_router*> owner;
        for (test_router* r : routers) {
            if (!r->srv) {
                continue;
            }
            for (int fd : r->srv->fds()) {
                fds.push_back({fd, POLLIN, 0});
                owner.push_back(r);
            }
        }
        if (fds.empty()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
            continue;
        }
        if (::poll(fds.data(), fds.size(), 5) <= 0) {
            continue;
        }
        for (std::size_t i = 0; i < fds.size(); ++i) {
            if (fds[i].revents != 0 && owner[i]->srv) {
                owner[i]->srv->handle(fds[i].fd, fds[i].revents);
            }
        }
    }
    return true;
}

std::string sim_binary() {
    const char* p = std::getenv("RNODE_SIM");
    return p ? p : "rnode-sim";
}

std::string sidecar_binary() {
    const char* p = std::getenv("RNODE_SIDECAR");
    return p ? p : "rnode-sidecar";
}

std::string temp_dir() {
    char d[] = "/tmp/rnode_test_XXXXXX";
    if (::mkdtemp(d) == nullptr) {
        throw std::runtime_error("mkdtemp failed");
    }
    return d;
}

} // namespace rnode_test
