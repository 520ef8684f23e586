// The router–sidecar link (drivers/rnode_sidecar/LINK_PROTOCOL.md): byte layout, round trips,
// refusals, and the server and client over a real SOCK_SEQPACKET socket.
#include "drivers/rnode_sidecar/link_client.hpp"
#include "drivers/rnode_sidecar/link_server.hpp"

#include <doctest/doctest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <poll.h>

using namespace sidecar_link;

TEST_CASE("sidecar link: byte layout of the documented examples") {
    // LINK_PROTOCOL.md: packet_out 01 02 03 → 52 53 01 05 01 02 03.
    CHECK(encode(packet_out{{1, 2, 3}}) == rns::bytes{0x52, 0x53, 0x01, 0x05, 0x01, 0x02, 0x03});
    // packet_in at −90 dBm, SNR −7.5 dB (−30 quarter dB), payload AA.
    CHECK(encode(packet_in{-90, -30, {0xaa}}) ==
          rns::bytes{0x52, 0x53, 0x01, 0x04, 0xff, 0xa6, 0xff, 0xe2, 0xaa});
    hello h;
    h.name = "lora0";
    h.mode = iface_mode::gateway;
    h.bitrate_mbps = 3125000;
    h.hw_mtu = 508;
    h.ifac_size = 8;
    h.netname = "n";
    h.netkey = "k";
    CHECK(encode(h) == rns::bytes{0x52, 0x53, 0x01, 0x01, 0x06, 0x01, 0xfc, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2f,
                                  0xaf, 0x08, 0x08, 0x05, 'l',  'o',  'r',  'a',  '0',  0x01, 'n',  0x00, 0x01, 'k'});
}

TEST_CASE("sidecar link: every message round-trips") {
    hello h;
    h.name = "RNodeInterface[/dev/ttyUSB0]";
    h.bitrate_mbps = 5468750;
    const std::vector<message> msgs = {h,
                                       welcome{7},
                                       refuse{"no"},
                                       packet_in{-120, 48, rns::bytes(508, 0xc0)},
                                       packet_out{rns::bytes(1, 0)},
                                       stats{{{stat_key::rx_packets, 5}, {stat_key::last_rssi_dbm, -97}}}};
    for (const message& m : msgs) {
        const decoded d = decode(encode(m));
        REQUIRE(d.msg.has_value());
        CHECK(*d.msg == m);
    }
}

TEST_CASE("sidecar link: refusals") {
    rns::bytes b = encode(packet_out{{1}});
    b[2] = 2;
    decoded d = decode(b);
    CHECK_FALSE(d.msg);
    CHECK(d.error == decode_error::version_mismatch);
    CHECK(d.peer_version == 2);
    CHECK(decode(rns::bytes{0x52, 0x53, 0x01}).error == decode_error::too_short);
    CHECK(decode(rns::bytes{0x52, 0x54, 0x01, 0x05, 0x00}).error == decode_error::bad_magic);
    CHECK(decode(rns::bytes{0x52, 0x53, 0x01, 0x09}).error == decode_error::unknown_type);
    CHECK(decode(rns::bytes{0x52, 0x53, 0x01, 0x05}).error == decode_error::bad_value); // empty packet
    CHECK(decode(encode(packet_out{rns::bytes(509, 1)})).error == decode_error::bad_value);
    CHECK(decode(rns::bytes{0x52, 0x53, 0x01, 0x02, 0x00, 0x00}).error == decode_error::truncated);
    CHECK(decode(rns::bytes{0x52, 0x53, 0x01, 0x02, 0, 0, 0, 1, 9}).error == decode_error::trailing_bytes);
    // Unknown stats keys are skipped (forward compatible), known ones kept.
    const rns::bytes s = {0x52, 0x53, 0x01, 0x06, 200, 0, 0, 0, 0, 0, 0, 0, 1, 3, 0, 0, 0, 0, 0, 0, 0, 9};
    d = decode(s);
    REQUIRE(d.msg);
    CHECK(std::get<stats>(*d.msg).entries == std::vector<stat_entry>{{stat_key::rx_packets, 9}});
}

namespace {

std::string temp_socket() {
    char dir[] = "/tmp/sidecar_link_XXXXXX";
    REQUIRE(::mkdtemp(dir) != nullptr);
    return std::string(dir) + "/router.sock";
}

} // namespace

TEST_CASE("sidecar link: server and client register, exchange packets, survive a router restart") {
    const std::string path = temp_socket();
    std::vector<packet_in> got_in;
    std::vector<packet_out> got_out;
    std::vector<std::string> log;
    std::optional<hello> registered;
    auto make_server = [&] {
        return std::make_unique<server>(path, server::callbacks{
                                                  [&](server::conn_id, const hello& h) {
                                                      registered = h;
                                                      return std::string();
                                                  },
                                                  [&](server::conn_id, const packet_in& p) { got_in.push_back(p); },
                                                  nullptr, nullptr});
    };
    auto srv = make_server();
    hello h;
    h.name = "lora0";
    h.bitrate_mbps = 3125000;
    client cl(path, h, std::chrono::milliseconds(50), [&](const packet_out& p) { got_out.push_back(p); },
              [&](const std::string& m) { log.push_back(m); });
    auto pump = [&](auto done) {
        const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (!done() && std::chrono::steady_clock::now() < end) {
            const auto now = std::chrono::steady_clock::now();
            cl.tick(now);
            if (srv) {
                srv->poll_once(5);
            }
            if (cl.fd() >= 0) {
                pollfd p{cl.fd(), POLLIN, 0};
                if (::poll(&p, 1, 5) > 0) {
                    cl.on_readable(std::chrono::steady_clock::now());
                }
            } else {
                ::usleep(5000);
            }
        }
        return done();
    };
    REQUIRE(pump([&] { return cl.registered(); }));
    REQUIRE(registered.has_value());
    CHECK(*registered == h);
    REQUIRE(cl.send(packet_in{-80, 20, {1, 2, 3}}));
    REQUIRE(pump([&] { return got_in.size() == 1; }));
    CHECK(got_in[0] == packet_in{-80, 20, {1, 2, 3}});
    const auto id = srv->registered().at(0);
    REQUIRE(srv->send_packet(id, rns::bytes{9, 8}));
    REQUIRE(pump([&] { return got_out.size() == 1; }));
    CHECK(got_out[0].payload == rns::bytes{9, 8});
    CHECK_FALSE(srv->send_packet(id, rns::bytes{}));       // empty: refused and counted
    CHECK_FALSE(srv->send_packet(id, rns::bytes(509, 0))); // over 508 bytes
    CHECK(srv->counters().send_drops == 2);

    // Router restart: the client notices, reconnects with its back-off and registers again.
    srv.reset();
    registered.reset();
    REQUIRE(pump([&] { return !cl.registered(); }));
    CHECK_FALSE(cl.send(packet_in{0, 0, {1}}));
    srv = make_server();
    REQUIRE(pump([&] { return cl.registered() && registered.has_value(); }));
    srv.reset();
    ::rmdir(path.substr(0, path.rfind('/')).c_str());
}

TEST_CASE("sidecar link: a registration with another version is refused with a clear reason") {
    const std::string path = temp_socket();
    server srv(path, {});
    const int fd = ::socket(AF_UNIX, SOCK_SEQPACKET, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    hello h;
    h.name = "x";
    rns::bytes b = encode(h);
    b[2] = 9;
    REQUIRE(::send(fd, b.data(), b.size(), 0) == static_cast<ssize_t>(b.size()));
    for (int i = 0; i < 20 && srv.counters().refused == 0; ++i) {
        srv.poll_once(50);
    }
    std::uint8_t buf[max_message];
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    REQUIRE(n > 0);
    const decoded d = decode(rns::byte_view(buf, static_cast<std::size_t>(n)));
    REQUIRE(d.msg);
    const auto& r = std::get<refuse>(*d.msg);
    CHECK(r.reason == "sidecar link protocol version 9 is not supported; this router speaks version 1");
    CHECK(::recv(fd, buf, sizeof(buf), 0) == 0); // and the connection is closed
    ::close(fd);
    ::unlink(path.c_str());
    ::rmdir(path.substr(0, path.rfind('/')).c_str());
}
