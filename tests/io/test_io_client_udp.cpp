// The io thread's TCP client (reconnect with back-off), UDP interface (spec §10.3) and an IPv6
// listener, on loopback.

#include "io_test_util.hpp"

#include <doctest/doctest.h>

using namespace io_test;
using namespace std::chrono_literals;
using rns::io::close_reason;
using rns::io::get;
using rns::io::iface_event;

namespace {

int plain_listener(std::uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 8) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

int accept_within(int lfd, std::chrono::milliseconds limit) {
    pollfd p{lfd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(limit.count())) <= 0) {
        return -1;
    }
    return ::accept(lfd, nullptr, nullptr);
}

} // namespace

TEST_CASE("tcp client: connects, exchanges frames, reconnects on the same interface id after the peer goes") {
    recording_seam seam;
    const std::uint16_t port = free_port();
    int lfd = plain_listener(port);
    REQUIRE(lfd >= 0);
    rns::io::io_config cfg;
    cfg.max_connections = 16;
    cfg.rx_buffers = 16;
    cfg.clients.push_back({});
    cfg.clients[0].peer = ep("127.0.0.1:" + std::to_string(port));
    cfg.clients[0].reconnect_min_seconds = 0.2;
    cfg.clients[0].reconnect_max_seconds = 0.4;
    rns::io::io_thread io(std::move(cfg), seam);
    const auto& st = io.eng().client_stats(0);

    int c1 = accept_within(lfd, 5s);
    REQUIRE(c1 >= 0);
    REQUIRE(seam.wait_for([&] { return !seam.events.empty(); }));
    auto up = seam.locked([&] { return seam.events[0]; });
    CHECK(up.kind == rns::io::iface_kind::tcp_client);
    CHECK(up.iface == 0);
    CHECK(rns::io::to_string(up.peer) == "127.0.0.1:" + std::to_string(port));
    bytes p = test_packet(80, 1);
    REQUIRE(write_all(c1, spec_frame(p)));
    REQUIRE(seam.wait_for([&] { return seam.frames.size() == 1; }));
    CHECK(seam.locked([&] { return seam.frames[0].data; }) == p);
    bytes q = test_packet(33, 2);
    seam.send(0, q);
    CHECK(read_some(c1, spec_frame(q).size(), 3s) == spec_frame(q));

    ::close(c1);
    REQUIRE(seam.wait_for([&] { return seam.events.size() >= 2; }));
    CHECK(seam.locked([&] { return seam.events[1].reason; }) == close_reason::peer_closed);
    // It comes back by itself, under the same interface id.
    int c2 = accept_within(lfd, 5s);
    REQUIRE(c2 >= 0);
    REQUIRE(seam.wait_for([&] { return seam.events.size() >= 3; }));
    CHECK(seam.locked([&] { return seam.events[2].what; }) == iface_event::type::up);
    CHECK(seam.locked([&] { return seam.events[2].iface; }) == 0);
    CHECK(get(st.connects) == 2);
    REQUIRE(write_all(c2, spec_frame(p)));
    CHECK(seam.wait_for([&] { return seam.frames.size() == 2; }));

    // Nobody listening: attempts back off (0.2, 0.4, 0.4, ... s), far fewer than a tight loop.
    ::close(lfd);
    ::close(c2);
    std::this_thread::sleep_for(2s);
    const auto failures = get(st.connect_failures);
    CHECK(failures >= 3);
    CHECK(failures <= 7);
}

TEST_CASE("udp interface: one packet per datagram in, every packet to forward out (spec §10.3)") {
    recording_seam seam;
    const std::uint16_t listen_port = free_port(SOCK_DGRAM);
    const std::uint16_t peer_port = free_port(SOCK_DGRAM);
    rns::io::io_config cfg;
    cfg.max_connections = 8;
    cfg.rx_buffers = 16;
    cfg.max_frame = 600;
    cfg.udps.push_back({});
    cfg.udps[0].listen = ep("127.0.0.1:" + std::to_string(listen_port));
    cfg.udps[0].forward = ep("127.0.0.1:" + std::to_string(peer_port));
    rns::io::io_thread io(std::move(cfg), seam);
    REQUIRE(seam.wait_for([&] { return !seam.events.empty(); }));
    const std::uint16_t id = seam.locked([&] { return seam.events[0].iface; });
    CHECK(seam.locked([&] { return seam.events[0].kind; }) == rns::io::iface_kind::udp);

    int peer = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in me{};
    me.sin_family = AF_INET;
    me.sin_port = htons(peer_port);
    me.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(peer, reinterpret_cast<sockaddr*>(&me), sizeof me) == 0);
    sockaddr_in to = me;
    to.sin_port = htons(listen_port);
    bytes p = test_packet(120, 3);
    bytes too_big = test_packet(700, 4);
    REQUIRE(::sendto(peer, too_big.data(), too_big.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) > 0);
    REQUIRE(::sendto(peer, p.data(), p.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) > 0);
    REQUIRE(seam.wait_for([&] { return seam.frames.size() == 1; }));
    CHECK(seam.locked([&] { return seam.frames[0].data; }) == p); // no framing: the datagram itself
    CHECK(seam.locked([&] { return seam.frames[0].iface; }) == id);
    CHECK(get(io.eng().udp_stats(0).frames_too_long) == 1);

    bytes q = test_packet(200, 5);
    seam.send(id, q);
    bytes got = read_some(peer, q.size(), 3s);
    CHECK(got == q);
    ::close(peer);
}

TEST_CASE("tcp listener on [::1]: IPv6 peers, peer address reported") {
    recording_seam seam;
    const std::uint16_t port = free_port();
    rns::io::io_config cfg;
    cfg.max_connections = 8;
    cfg.rx_buffers = 16;
    cfg.listeners.push_back({});
    cfg.listeners[0].listen = ep("[::1]:" + std::to_string(port));
    rns::io::io_thread io(std::move(cfg), seam);
    int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(port);
    a.sin6_addr = in6addr_loopback;
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(seam.wait_for([&] { return !seam.events.empty(); }));
    CHECK(rns::io::to_string(seam.locked([&] { return seam.events[0].peer; })).rfind("[::1]:", 0) == 0);
    bytes p = test_packet(60, 8);
    REQUIRE(write_all(fd, spec_frame(p)));
    REQUIRE(seam.wait_for([&] { return seam.frames.size() == 1; }));
    CHECK(seam.locked([&] { return seam.frames[0].data; }) == p);
    ::close(fd);
}

TEST_CASE("start-up errors are clear") {
    recording_seam seam;
    const std::uint16_t port = free_port();
    rns::io::io_config cfg;
    cfg.max_connections = 8;
    cfg.listeners.push_back({});
    cfg.listeners[0].listen = ep("127.0.0.1:" + std::to_string(port));
    rns::io::io_thread first(cfg, seam);
    try {
        rns::io::io_thread second(cfg, seam); // same address: bind fails
        FAIL("second listener on the same port started");
    } catch (const std::exception& e) {
        CHECK(std::string(e.what()).find("bind") != std::string::npos);
        CHECK(std::string(e.what()).find(std::to_string(port)) != std::string::npos);
    }
    cfg.max_connections = 1;
    CHECK_THROWS_WITH_AS(rns::io::io_thread(cfg, seam), doctest::Contains("max-connections"), std::runtime_error);
    std::string err;
    CHECK(!rns::io::parse_endpoint("::1:80", false, &err));
    CHECK(err.find("brackets") != std::string::npos);
    CHECK(!rns::io::parse_endpoint("1.2.3.4:0", false, &err));
    CHECK(rns::io::parse_endpoint("[fe80::1]:4242", false, &err)->port() == 4242);
}

TEST_CASE("confirm_up: nothing is received on a new interface before the router confirms it") {
    recording_seam seam;
    const std::uint16_t port = free_port();
    rns::io::io_config cfg;
    cfg.max_connections = 8;
    cfg.rx_buffers = 16;
    cfg.confirm_up = true;
    cfg.listeners.push_back({});
    cfg.listeners[0].listen = ep("127.0.0.1:" + std::to_string(port));
    rns::io::io_thread io(std::move(cfg), seam);
    int fd = tcp_connect(port);
    REQUIRE(fd >= 0);
    REQUIRE(seam.wait_for([&] { return !seam.events.empty(); }));
    const auto up = seam.locked([&] { return seam.events[0]; });
    bytes p = test_packet(40, 1);
    REQUIRE(write_all(fd, spec_frame(p)));
    std::this_thread::sleep_for(200ms);
    CHECK(seam.locked([&] { return seam.frames.size(); }) == 0);
    io.confirm(up.iface, up.serial + 1); // a confirmation for another up event does not count
    std::this_thread::sleep_for(100ms);
    CHECK(seam.locked([&] { return seam.frames.size(); }) == 0);
    io.confirm(up.iface, up.serial);
    REQUIRE(seam.wait_for([&] { return seam.frames.size() == 1; }));
    CHECK(seam.locked([&] { return seam.frames[0].data; }) == p);
    ::close(fd);
}
