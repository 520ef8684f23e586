// rnode-sidecar: one RNode radio joined to rnsrouter over the sidecar link (LINK_PROTOCOL.md).
// A single-threaded poll loop over the serial port, the router socket and a signalfd.
#include "drivers/rnode_sidecar/link_client.hpp"
#include "drivers/rnode_sidecar/options.hpp"
#include "drivers/rnode_sidecar/radio_session.hpp"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace {

using clock_type = std::chrono::steady_clock;

void log_line(const std::string& name, const std::string& msg) {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    std::tm tm{};
    ::gmtime_r(&ts.tv_sec, &tm);
    std::fprintf(stderr, "%02d:%02d:%02d.%03ld rnode-sidecar[%s]: %s\n", tm.tm_hour, tm.tm_min, tm.tm_sec,
                 ts.tv_nsec / 1000000, name.c_str(), msg.c_str());
    std::fflush(stderr);
}

sidecar_link::hello registration(const rnode::sidecar_options& o, double bitrate) {
    sidecar_link::hello h;
    h.name = o.name;
    h.mode = o.mode;
    h.bitrate_mbps = static_cast<std::uint64_t>(bitrate * 1000.0);
    h.hw_mtu = sidecar_link::max_packet;
    const bool ifac = !o.netname.empty() || !o.netkey.empty();
    // spec/rnode.md §7: RNode's default IFAC size is 8 bytes.
    h.ifac_size = ifac ? static_cast<std::uint8_t>(o.ifac_size_bits != 0 ? o.ifac_size_bits / 8 : 8) : 0;
    h.netname = o.netname;
    h.netkey = o.netkey;
    return h;
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (std::find(args.begin(), args.end(), "--help") != args.end() ||
        std::find(args.begin(), args.end(), "-h") != args.end()) {
        std::fputs(rnode::usage_text(), stdout);
        return 0;
    }
    auto parsed = rnode::parse_options(args);
    if (auto* err = std::get_if<std::string>(&parsed)) {
        std::fprintf(stderr, "rnode-sidecar: %s\n%s", err->c_str(), rnode::usage_text());
        return 2;
    }
    const rnode::sidecar_options opt = std::get<rnode::sidecar_options>(parsed);
    auto log = [name = opt.name](const std::string& m) { log_line(name, m); };

    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigprocmask(SIG_BLOCK, &mask, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    const int sfd = ::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sfd < 0) {
        std::perror("rnode-sidecar: signalfd");
        return 1;
    }

    std::uint64_t drops_router_away = 0;
    std::unique_ptr<sidecar_link::client> link;
    rnode::radio_session radio(
        opt,
        [&](int rssi, int snr_q, rns::byte_view packet) {
            sidecar_link::packet_in p{static_cast<std::int16_t>(rssi), static_cast<std::int16_t>(snr_q),
                                      rns::bytes(packet.begin(), packet.end())};
            if (!link->send(p)) {
                ++drops_router_away; // nothing is held while the router is away
            }
        },
        log);
    link = std::make_unique<sidecar_link::client>(
        opt.router, registration(opt, 0.0), std::chrono::milliseconds(1000),
        [&](const sidecar_link::packet_out& p) { radio.send_packet(p.payload, clock_type::now()); }, log);

    log("starting: port " + opt.port + ", router " + opt.router);
    auto next_stats = clock_type::now();
    double registered_bitrate = -1;
    bool running = true;
    while (running) {
        auto now = clock_type::now();
        // The registration carries the bitrate computed from the echoed settings (spec/rnode.md
        // §5.2), so the sidecar registers once the radio first comes online, and again only when
        // the radio comes back with a different bitrate. While the radio is offline the
        // interface stays registered (stats say radio_online = 0).
        if (radio.online() && radio.bitrate() != registered_bitrate) {
            registered_bitrate = radio.bitrate();
            link->reregister(registration(opt, registered_bitrate), now);
        }
        auto next = radio.tick(now);
        if (registered_bitrate > 0) {
            next = std::min(next, link->tick(now));
        }
        if (now >= next_stats) {
            (void)link->send(radio.stats_message(drops_router_away));
            next_stats = now + std::chrono::seconds(1);
        }
        next = std::min(next, next_stats);
        std::vector<pollfd> fds;
        fds.push_back({sfd, POLLIN, 0});
        const int rfd = radio.fd();
        const int lfd = link->fd();
        if (rfd >= 0) {
            fds.push_back({rfd, static_cast<short>(POLLIN | (radio.wants_write() ? POLLOUT : 0)), 0});
        }
        if (lfd >= 0) {
            fds.push_back({lfd, POLLIN, 0});
        }
        const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - clock_type::now()).count();
        const int timeout = static_cast<int>(std::clamp<long long>(wait + 1, 0, 1000));
        if (::poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR) {
            std::perror("rnode-sidecar: poll");
            return 1;
        }
        now = clock_type::now();
        for (const pollfd& p : fds) {
            if (p.revents == 0) {
                continue;
            }
            if (p.fd == sfd) {
                signalfd_siginfo si{};
                if (::read(sfd, &si, sizeof(si)) > 0) {
                    log(std::string("signal ") + (si.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM") + ", shutting down");
                    running = false;
                }
            } else if (p.fd == rfd && p.fd == radio.fd()) {
                if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
                    radio.on_readable(now);
                }
                if ((p.revents & POLLOUT) && radio.fd() == rfd) {
                    radio.on_writable(now);
                }
                if ((p.revents & (POLLHUP | POLLERR)) && radio.fd() == rfd) {
                    radio.on_hangup(now);
                }
            } else if (p.fd == lfd && p.fd == link->fd()) {
                link->on_readable(now);
            }
        }
    }
    radio.shutdown();
    ::close(sfd);
    return 0;
}
