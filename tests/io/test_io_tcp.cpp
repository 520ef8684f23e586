// The io thread on loopback: TCP listener framing, hostile peers, listener hygiene, the
// registered-table bound, and many concurrent connections (spec §10.1).

#include "io_test_util.hpp"

#include <doctest/doctest.h>

#include <sys/resource.h>

#include <algorithm>
#include <random>

using namespace io_test;
using namespace std::chrono_literals;
using rns::io::close_reason;
using rns::io::get;
using rns::io::iface_event;

namespace {

rns::io::io_config listener_config(std::uint16_t port) {
    rns::io::io_config cfg;
    cfg.max_connections = 64;
    cfg.rx_buffers = 64;
    cfg.listeners.push_back({});
    cfg.listeners[0].listen = ep("127.0.0.1:" + std::to_string(port));
    return cfg;
}

std::uint16_t spawned_id(recording_seam& seam, std::size_t nth) {
    return seam.locked([&] {
        std::size_t k = 0;
        for (const auto& e : seam.events) {
            if (e.what == iface_event::type::up && e.kind == rns::io::iface_kind::tcp_spawned && k++ == nth) {
                return e.iface;
            }
        }
        return std::uint16_t{0xffff};
    });
}

std::size_t ups(recording_seam& seam) {
    return seam.locked([&] {
        return static_cast<std::size_t>(std::count_if(seam.events.begin(), seam.events.end(),
                                                      [](const iface_event& e) { return e.what == iface_event::type::up; }));
    });
}

std::size_t downs(recording_seam& seam) {
    return seam.locked([&] {
        return static_cast<std::size_t>(std::count_if(seam.events.begin(), seam.events.end(),
                                                      [](const iface_event& e) { return e.what == iface_event::type::down; }));
    });
}

bool wait_until(const std::function<bool()>& f, std::chrono::milliseconds limit = 10s) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (f()) {
            return true;
        }
        std::this_thread::sleep_for(2ms);
    }
    return f();
}

/// Undoes HDLC framing per spec §10.1, independently of the library's deframer.
std::vector<bytes> spec_deframe(byte_view stream) {
    std::vector<bytes> out;
    bytes cur;
    bool in = false;
    for (std::size_t i = 0; i < stream.size(); ++i) {
        std::uint8_t b = stream[i];
        if (b == 0x7e) {
            if (in && !cur.empty()) {
                out.push_back(cur);
            }
            cur.clear();
            in = true;
        } else if (in) {
            if (b == 0x7d && i + 1 < stream.size() && stream[i + 1] != 0x7e) {
                cur.push_back(static_cast<std::uint8_t>(stream[++i] ^ 0x20));
            } else {
                cur.push_back(b);
            }
        }
    }
    return out;
}

} // namespace

TEST_CASE("tcp listener: frames in both directions, escapes per spec §10.1") {
    recording_seam seam;
    const std::uint16_t port = free_port();
    rns::io::io_thread io(listener_config(port), seam);
    int fd = tcp_connect(port);
    REQUIRE(fd >= 0);
    REQUIRE(seam.wait_for([&] { return !seam.events.empty(); }));
    const std::uint16_t id = spawned_id(seam, 0);
    CHECK(id == io.eng().first_spawned_iface());
    CHECK(rns::io::to_string(seam.locked([&] { return seam.events[0].peer; })).rfind("127.0.0.1:", 0) == 0);

    std::vector<bytes> packets = {test_packet(20, 1), test_packet(100, 2), test_packet(500, 3), test_packet(2048, 4)};
    bytes stream;
    for (const auto& p : packets) {
        bytes f = spec_frame(p);
        stream.insert(stream.end(), f.begin(), f.end());
    }
    REQUIRE(write_all(fd, stream));
    REQUIRE(seam.wait_for([&] { return seam.frames.size() == packets.size(); }));
    seam.locked([&] {
        for (std::size_t i = 0; i < packets.size(); ++i) {
            CHECK(seam.frames[i].iface == id);
            CHECK(seam.frames[i].data == packets[i]);
        }
        return 0;
    });

    // Router → peer: the frames on the wire deframe (by the spec) to the packets sent.
    std::size_t expect = 0;
    for (const auto& p : packets) {
        seam.send(id, p);
        expect += spec_frame(p).size();
    }
    bytes got = read_some(fd, expect, 5s);
    CHECK(got.size() == expect);
    CHECK(spec_deframe(got) == packets);

    const auto& st = io.eng().listener_stats(0);
    CHECK(get(st.accepted) == 1);
    CHECK(get(st.frames_in) == packets.size());
    CHECK(get(st.frames_out) == packets.size());
    CHECK(get(st.bytes_in) == stream.size());
    // Counted when the send completes, which the peer may see before the io thread does.
    CHECK(wait_until([&] { return get(st.bytes_out) == expect; }));
    ::close(fd);
    REQUIRE(seam.wait_for([&] { return seam.events.size() == 2; }));
    CHECK(seam.locked([&] { return seam.events[1].reason; }) == close_reason::peer_closed);
    CHECK(get(st.closed[static_cast<std::size_t>(close_reason::peer_closed)]) == 1);
}

TEST_CASE("tcp listener: a peer sending one byte at a time") {
    recording_seam seam;
    const std::uint16_t port = free_port();
    rns::io::io_thread io(listener_config(port), seam);
    int fd = tcp_connect(port);
    REQUIRE(fd >= 0);
    bytes p1 = test_packet(40, 9);
    bytes p2 = test_packet(25, 77);
    bytes stream = spec_frame(p1);
    bytes f2 = spec_frame(p2);
    stream.insert(stream.end(), f2.begin(), f2.end());
    for (std::uint8_t b : stream) {
        REQUIRE(write_all(fd, byte_view(&b, 1)));
        std::this_thread::sleep_for(1ms); // each byte its own segment (TCP_NODELAY)
    }
    REQUIRE(seam.wait_for([&] { return seam.frames.size() == 2; }));
    CHECK(seam.locked([&] { return seam.frames[0].data; }) == p1);
    CHECK(seam.locked([&] { return seam.frames[1].data; }) == p2);
    CHECK(get(io.eng().listener_stats(0).bytes_in) == stream.size());
    ::close(fd);
}

TEST_CASE("tcp listener: garbage, short and oversize frames are counted; a garbage-only peer is closed") {
    recording_seam seam;
    const std::uint16_t port = free_port();
    auto cfg = listener_config(port);
    cfg.max_frame = 600;
    rns::io::io_thread io(std::move(cfg), seam);
    int fd = tcp_connect(port);
    REQUIRE(fd >= 0);
    bytes stream = {'h', 'e', 'l', 'l', 'o'};                 // 5 garbage bytes before any FLAG
    bytes shortf = spec_frame(test_packet(19, 1));           // length 19: dropped (spec §10.1)
    bytes longf = spec_frame(test_packet(601, 2));           // over the frame limit
    bytes good = test_packet(50, 3);
    bytes goodf = spec_frame(good);
    for (const bytes* b : {&shortf, &longf, &goodf}) {
        stream.insert(stream.end(), b->begin(), b->end());
    }
    REQUIRE(write_all(fd, stream));
    REQUIRE(seam.wait_for([&] { return seam.frames.size() == 1; }));
    CHECK(seam.locked([&] { return seam.frames[0].data; }) == good);
    const auto& st = io.eng().listener_stats(0);
    CHECK(wait_until([&] { return get(st.garbage_bytes) == 5; }));
    CHECK(get(st.frames_too_short) == 1);
    CHECK(get(st.frames_too_long) == 1);
    CHECK(downs(seam) == 0);

    // Then only noise (never a FLAG): closed as no_valid_frames, not kept forever.
    bytes noise(64 * 1024);
    std::mt19937 rng(7);
    for (auto& b : noise) {
        do {
            b = static_cast<std::uint8_t>(rng());
        } while (b == 0x7e);
    }
    write_all(fd, noise);
    CHECK(closed_by_peer(fd, 5s));
    REQUIRE(seam.wait_for([&] { return seam.events.size() == 2; }));
    CHECK(seam.locked([&] { return seam.events[1].reason; }) == close_reason::no_valid_frames);
    CHECK(get(st.closed[static_cast<std::size_t>(close_reason::no_valid_frames)]) == 1);
    ::close(fd);
}

TEST_CASE("tcp listener: a peer that never reads is closed; a good peer on the same listener keeps flowing") {
    recording_seam seam;
    const std::uint16_t port = free_port();
    auto cfg = listener_config(port);
    cfg.out_queue_bytes = 8192;
    cfg.out_stall_s = 0.2; // output that has not moved for 0.2 s: the peer does not read
    rns::io::io_thread io(std::move(cfg), seam);

    int lazy = ::socket(AF_INET, SOCK_STREAM, 0);
    int small = 4096;
    ::setsockopt(lazy, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(lazy, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(seam.wait_for([&] { return !seam.events.empty(); }));
    const std::uint16_t lazy_id = spawned_id(seam, 0);
    int good = tcp_connect(port);
    REQUIRE(good >= 0);
    REQUIRE(seam.wait_for([&] { return seam.events.size() == 2; }));
    const std::uint16_t good_id = spawned_id(seam, 1);

    // Flood the lazy peer (it never reads) while the good one exchanges a frame each round.
    const bytes big = test_packet(1000, 5);
    std::size_t rounds = 0;
    bool lazy_closed = false;
    // Until the lazy peer's output has been stuck for out_stall_s (bounded: 5 s).
    const auto give_up = std::chrono::steady_clock::now() + 5s;
    for (; std::chrono::steady_clock::now() < give_up && !lazy_closed; ++rounds) {
        for (int i = 0; i < 8; ++i) {
            seam.send(lazy_id, big);
        }
        bytes p = test_packet(30, static_cast<std::uint8_t>(rounds));
        seam.send(good_id, p);
        bytes f = spec_frame(p);
        CHECK(read_some(good, f.size(), 2s) == f);
        REQUIRE(write_all(good, f));
        lazy_closed = seam.locked([&] { return seam.events.size() >= 3; });
    }
    REQUIRE(lazy_closed);
    CHECK(seam.locked([&] { return seam.events[2].iface; }) == lazy_id);
    CHECK(seam.locked([&] { return seam.events[2].reason; }) == close_reason::out_queue_full);
    CHECK(get(io.eng().listener_stats(0).closed[static_cast<std::size_t>(close_reason::out_queue_full)]) == 1);
    // The good peer still works after the lazy one is gone.
    bytes p = test_packet(64, 42);
    seam.send(good_id, p);
    CHECK(read_some(good, spec_frame(p).size(), 2s) == spec_frame(p));
    REQUIRE(write_all(good, spec_frame(p)));
    CHECK(seam.wait_for([&] { return !seam.frames.empty() && seam.frames.back().data == p; }));
    ::close(lazy);
    ::close(good);
}

TEST_CASE("tcp listener: a source reconnecting too often is refused (flap guard), others are not") {
    recording_seam seam;
    const std::uint16_t port = free_port();
    auto cfg = listener_config(port);
    cfg.listeners[0].flap_limit = 3;
    cfg.listeners[0].flap_seconds = 20;
    rns::io::io_thread io(std::move(cfg), seam);
    const auto& st = io.eng().listener_stats(0);
    const std::size_t tries = 10;
    for (std::size_t i = 0; i < tries; ++i) {
        int fd = tcp_connect(port, "127.0.0.1");
        REQUIRE(fd >= 0);
        // Wait for the server's verdict (admitted or refused), then drop the connection.
        REQUIRE(wait_until([&] {
            return get(st.accepted) + get(st.closed[static_cast<std::size_t>(close_reason::refused_flapping)]) == i + 1;
        }));
        ::close(fd);
        REQUIRE(wait_until([&] { return io.eng().listener_connections(0) == 0; }));
        REQUIRE(wait_until([&] { return downs(seam) == ups(seam); }));
    }
    // Connections 1..4 are flaps; after more than 3 the source is refused (spec §10.1).
    CHECK(get(st.accepted) == 4);
    CHECK(get(st.closed[static_cast<std::size_t>(close_reason::refused_flapping)]) == tries - 4);
    // Another source address is unaffected.
    int other = tcp_connect(port, "127.0.0.2");
    REQUIRE(other >= 0);
    CHECK(wait_until([&] { return get(st.accepted) == 5; }));
    ::close(other);
}

TEST_CASE("tcp listener: per-listener limit and the registered table bound") {
    recording_seam seam;
    const std::uint16_t port = free_port();
    auto cfg = listener_config(port);
    cfg.max_connections = 1 + 4; // the listener plus four accepted connections
    rns::io::io_thread io(std::move(cfg), seam);
    const auto& st = io.eng().listener_stats(0);
    std::vector<int> fds;
    for (int i = 0; i < 6; ++i) {
        fds.push_back(tcp_connect(port));
        REQUIRE(fds.back() >= 0);
    }
    CHECK(wait_until([&] { return get(st.accepted) == 4 && get(st.refused_table_full) == 2; }));
    CHECK(io.eng().sockets_open() == 5);
    for (int fd : fds) {
        ::close(fd);
    }
    CHECK(wait_until([&] { return io.eng().sockets_open() == 1; }));

    recording_seam seam2;
    const std::uint16_t port2 = free_port();
    auto cfg2 = listener_config(port2);
    cfg2.listeners[0].max_clients = 2;
    rns::io::io_thread io2(std::move(cfg2), seam2);
    const auto& st2 = io2.eng().listener_stats(0);
    std::vector<int> more;
    for (int i = 0; i < 3; ++i) {
        more.push_back(tcp_connect(port2));
        REQUIRE(wait_until([&] {
            return get(st2.accepted) + get(st2.closed[static_cast<std::size_t>(close_reason::refused_limit)]) ==
                   static_cast<std::uint64_t>(i + 1);
        }));
    }
    CHECK(get(st2.accepted) == 2);
    CHECK(get(st2.closed[static_cast<std::size_t>(close_reason::refused_limit)]) == 1);
    CHECK(closed_by_peer(more[2], 2s));
    for (int fd : more) {
        ::close(fd);
    }
}

TEST_CASE("tcp listener: 1000 concurrent clients, one frame each; no descriptor used or leaked") {
    rlimit rl{};
    getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < 2048) {
        rl.rlim_cur = std::min<rlim_t>(rl.rlim_max, 4096);
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    REQUIRE(rl.rlim_cur >= 1100);
    recording_seam seam;
    const std::uint16_t port = free_port();
    auto cfg = listener_config(port);
    cfg.max_connections = 2048;
    cfg.listeners[0].backlog = 1024;
    cfg.rx_buffers = 256;
    rns::io::io_thread io(std::move(cfg), seam);
    const std::size_t before = fd_count();
    const std::size_t n = 1000;
    std::vector<int> fds;
    for (std::size_t i = 0; i < n; ++i) {
        int fd = tcp_connect(port);
        REQUIRE(fd >= 0);
        fds.push_back(fd);
    }
    for (std::size_t i = 0; i < n; ++i) {
        bytes p = test_packet(64, static_cast<std::uint8_t>(i));
        p[1] = static_cast<std::uint8_t>(i >> 8);
        p[2] = static_cast<std::uint8_t>(i);
        REQUIRE(write_all(fds[i], spec_frame(p)));
    }
    REQUIRE(seam.wait_for([&] { return seam.frames.size() == n; }, 30s));
    // Every client's frame arrived once, on its own interface.
    std::vector<bool> seen(n);
    std::vector<bool> iface_seen(65536);
    seam.locked([&] {
        for (const auto& f : seam.frames) {
            std::size_t i = (std::size_t{f.data[1]} << 8) | f.data[2];
            REQUIRE(i < n);
            CHECK(!seen[i]);
            seen[i] = true;
            CHECK(!iface_seen[f.iface]);
            iface_seen[f.iface] = true;
        }
        return 0;
    });
    CHECK(std::all_of(seen.begin(), seen.end(), [](bool b) { return b; }));
    // The server side holds 1000 sockets, none in the process descriptor table.
    CHECK(io.eng().sockets_open() == n + 1);
    CHECK(fd_count() == before + n);
    for (int fd : fds) {
        ::close(fd);
    }
    CHECK(wait_until([&] { return io.eng().sockets_open() == 1; }, 20s));
    CHECK(fd_count() == before - 0);
    CHECK(get(io.eng().listener_stats(0).accepted) == n);
    CHECK(downs(seam) == n);
}
