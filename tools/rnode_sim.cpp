// rnode-sim: emulated RNode radios on pseudo-terminals sharing a simulated LoRa channel
// (spec/rnode.md §6), for testing rnode-sidecar (and the reference's RNodeInterface) without
// hardware.
//   rnode-sim --radios N --dir DIR [--seed S] [--loss P] [--firmware VERSION]
//             [--platform esp32|nrf52|avr]
#include "tools/rnode_sim.hpp"

#include "drivers/rnode_sidecar/commands.hpp"

#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace rnode_sim {

simulator::simulator(sim_options o) : rng(o.seed), _opt(std::move(o)), _t0(clock::now()) {
    platform_info p;
    if (_opt.platform == "nrf52") {
        p = {rnode::cmd::platform_nrf52, rnode::cmd::mcu_nrf52, chip::sx1262, true};
    } else if (_opt.platform == "avr") {
        p = {rnode::cmd::platform_avr, rnode::cmd::mcu_1284p, chip::sx1276, false};
    }
    _air.resize(static_cast<std::size_t>(_opt.radios));
    for (int i = 0; i < _opt.radios; ++i) {
        auto r = std::make_unique<radio>(*this, i, _opt.dir + "/rnode" + std::to_string(i), p, _opt.fw_major,
                                         _opt.fw_minor);
        const std::string err = r->plug();
        if (!err.empty()) {
            throw std::runtime_error("radio " + std::to_string(i) + ": " + err);
        }
        _radios.push_back(std::move(r));
    }
    _control_path = _opt.dir + "/control";
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (_control_path.size() >= sizeof(addr.sun_path)) {
        throw std::runtime_error(_control_path + ": path too long for a unix socket");
    }
    std::memcpy(addr.sun_path, _control_path.c_str(), _control_path.size() + 1);
    _control_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    ::unlink(_control_path.c_str());
    if (_control_fd < 0 || ::bind(_control_fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(_control_fd, 8) != 0) {
        throw std::runtime_error(_control_path + ": " + std::strerror(errno));
    }
}

simulator::~simulator() {
    for (auto& [fd, buf] : _control_clients) {
        ::close(fd);
    }
    if (_control_fd >= 0) {
        ::close(_control_fd);
        ::unlink(_control_path.c_str());
    }
}

void simulator::accept_control() {
    for (;;) {
        const int fd = ::accept4(_control_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            return;
        }
        _control_clients[fd] = {};
    }
}

void simulator::read_control(int fd) {
    char buf[1024];
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        ::close(fd);
        _control_clients.erase(fd);
        return;
    }
    if (n < 0) {
        return;
    }
    std::string& pending = _control_clients[fd];
    pending.append(buf, static_cast<std::size_t>(n));
    if (pending.size() > 4096) {
        ::close(fd);
        _control_clients.erase(fd);
        return;
    }
    std::size_t nl;
    while ((nl = pending.find('\n')) != std::string::npos) {
        std::string line = pending.substr(0, nl);
        pending.erase(0, nl + 1);
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        const std::string reply = control_command(line) + "\n";
        // Replies are small except stats; a client that does not read loses its reply.
        (void)!::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    }
}

int simulator::run() {
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigprocmask(SIG_BLOCK, &mask, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    const int sfd = ::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    std::printf("rnode-sim: %d radio(s) in %s, control socket %s\n", _opt.radios, _opt.dir.c_str(),
                _control_path.c_str());
    for (const auto& r : _radios) {
        std::printf("rnode-sim: radio %d: %s/rnode%d\n", r->index(), _opt.dir.c_str(), r->index());
    }
    std::fflush(stdout);
    for (;;) {
        const int timeout = loop.run_due();
        std::vector<pollfd> fds;
        fds.push_back({sfd, POLLIN, 0});
        fds.push_back({_control_fd, POLLIN, 0});
        for (const auto& [fd, b] : _control_clients) {
            fds.push_back({fd, POLLIN, 0});
        }
        const std::size_t first_radio = fds.size();
        for (const auto& r : _radios) {
            fds.push_back({r->master_fd(), static_cast<short>(r->master_fd() < 0 ? 0 : POLLIN | (r->wants_write() ? POLLOUT : 0)), 0});
        }
        if (::poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR) {
            std::perror("rnode-sim: poll");
            return 1;
        }
        if (fds[0].revents != 0) {
            std::printf("rnode-sim: signal, exiting\n");
            return 0;
        }
        for (std::size_t i = 0; i < _radios.size(); ++i) {
            const pollfd& p = fds[first_radio + i];
            radio& r = *_radios[i];
            if (p.fd < 0 || p.fd != r.master_fd()) {
                continue;
            }
            if (p.revents & POLLIN) {
                r.on_readable();
            }
            if ((p.revents & POLLOUT) && p.fd == r.master_fd()) {
                r.on_writable();
            }
        }
        for (std::size_t i = 2; i < first_radio; ++i) {
            if (fds[i].revents != 0) {
                read_control(fds[i].fd);
            }
        }
        if (fds[1].revents != 0) {
            accept_control();
        }
    }
}

} // namespace rnode_sim

namespace {

const char* usage =
    "usage: rnode-sim --radios N --dir DIR [--seed S] [--loss P] [--firmware VERSION]\n"
    "                 [--platform esp32|nrf52|avr]\n"
    "  --radios    number of emulated RNodes, 1..64 (DIR/rnode0 .. DIR/rnodeN-1)\n"
    "  --dir       folder for the port symlinks and the control socket (created if missing)\n"
    "  --seed      random seed (back-off, sequence nibbles, link budgets, loss), default 1\n"
    "  --loss      probability 0..1 that a frame is lost at a receiver, default 0\n"
    "  --firmware  reported firmware version MAJOR.MINOR, default 1.86\n"
    "  --platform  esp32 (SX1262, default), nrf52 (SX1262) or avr (SX1276, no status reports)\n"
    "control socket DIR/control, one command per line:\n"
    "  unplug K | replug K | garbage K BYTES | stats | reboot K | error K CODE\n"
    "  wrong-echo K frequency|bandwidth|txpower|sf|cr|none | firmware K MAJOR.MINOR | silent K on|off\n"
    "  battery K STATE PERCENT [TEMP_C]\n";

int bad(const std::string& msg) {
    std::fprintf(stderr, "rnode-sim: %s\n%s", msg.c_str(), usage);
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    rnode_sim::sim_options o;
    o.radios = 0;
    for (int i = 1; i < argc; ++i) {
        const std::string f = argv[i];
        if (f == "--help" || f == "-h") {
            std::fputs(usage, stdout);
            return 0;
        }
        if (i + 1 >= argc) {
            return bad(f + ": missing value");
        }
        const std::string v = argv[++i];
        if (f == "--radios") {
            int n = 0;
            auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
            if (ec != std::errc() || p != v.data() + v.size() || n < 1 || n > 64) {
                return bad("--radios: '" + v + "' is not in 1..64");
            }
            o.radios = n;
        } else if (f == "--dir") {
            o.dir = v;
        } else if (f == "--seed") {
            auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), o.seed);
            if (ec != std::errc() || p != v.data() + v.size()) {
                return bad("--seed: '" + v + "' is not an unsigned integer");
            }
        } else if (f == "--loss") {
            auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), o.loss);
            if (ec != std::errc() || p != v.data() + v.size() || o.loss < 0 || o.loss > 1) {
                return bad("--loss: '" + v + "' is not in 0..1");
            }
        } else if (f == "--firmware") {
            unsigned major = 0, minor = 0;
            if (std::sscanf(v.c_str(), "%u.%u", &major, &minor) != 2 || major > 255 || minor > 255) {
                return bad("--firmware: '" + v + "' is not MAJOR.MINOR");
            }
            o.fw_major = static_cast<std::uint8_t>(major);
            o.fw_minor = static_cast<std::uint8_t>(minor);
        } else if (f == "--platform") {
            if (v != "esp32" && v != "nrf52" && v != "avr") {
                return bad("--platform: '" + v + "' is not esp32, nrf52 or avr");
            }
            o.platform = v;
        } else {
            return bad("unknown flag '" + f + "'");
        }
    }
    if (o.radios == 0) {
        return bad("--radios: required");
    }
    if (o.dir.empty()) {
        return bad("--dir: required");
    }
    if (::mkdir(o.dir.c_str(), 0755) != 0 && errno != EEXIST) {
        return bad("--dir: " + o.dir + ": " + std::strerror(errno));
    }
    try {
        rnode_sim::simulator sim(o);
        return sim.run();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "rnode-sim: %s\n", e.what());
        return 1;
    }
}
