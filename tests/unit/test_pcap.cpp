// The pcap reader (tests/pcap.hpp) on synthetic captures: every supported link type, IPv4 and
// IPv6, both file byte orders and timestamp resolutions, and the frames it must skip.

#include "tests/pcap.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace rns;

namespace {

void put16be(bytes& b, std::uint16_t v) {
    b.push_back(static_cast<std::uint8_t>(v >> 8));
    b.push_back(static_cast<std::uint8_t>(v));
}

void put32(bytes& b, std::uint32_t v, bool big_endian) {
    for (int i = 0; i < 4; ++i) {
        const int shift = big_endian ? 24 - 8 * i : 8 * i;
        b.push_back(static_cast<std::uint8_t>(v >> shift));
    }
}

bytes udp(std::uint16_t sport, std::uint16_t dport, byte_view payload) {
    bytes u;
    put16be(u, sport);
    put16be(u, dport);
    put16be(u, static_cast<std::uint16_t>(8 + payload.size()));
    put16be(u, 0);
    u.insert(u.end(), payload.begin(), payload.end());
    return u;
}

bytes ipv4(byte_view l4, std::uint8_t proto = 17, std::uint16_t frag = 0) {
    bytes ip{0x45, 0};
    put16be(ip, static_cast<std::uint16_t>(20 + l4.size()));
    put16be(ip, 0x1234);
    put16be(ip, frag);
    ip.push_back(64);
    ip.push_back(proto);
    put16be(ip, 0);
    for (std::uint8_t a : {127, 0, 0, 1, 127, 0, 0, 2}) {
        ip.push_back(a);
    }
    ip.insert(ip.end(), l4.begin(), l4.end());
    return ip;
}

bytes ipv6(byte_view l4, bool with_dest_opts = false) {
    bytes ip{0x60, 0, 0, 0};
    put16be(ip, static_cast<std::uint16_t>(l4.size() + (with_dest_opts ? 8 : 0)));
    ip.push_back(with_dest_opts ? 60 : 17);
    ip.push_back(64);
    for (int i = 0; i < 32; ++i) {
        ip.push_back(i == 15 || i == 31 ? 1 : 0);
    }
    if (with_dest_opts) {
        bytes opt{17, 0, 1, 4, 0, 0, 0, 0}; // next = UDP, 8 bytes, PadN
        ip.insert(ip.end(), opt.begin(), opt.end());
    }
    ip.insert(ip.end(), l4.begin(), l4.end());
    return ip;
}

bytes ethernet(std::uint16_t type, byte_view l3, bool vlan = false) {
    bytes e(12, 0xaa);
    if (vlan) {
        put16be(e, 0x8100);
        put16be(e, 7);
    }
    put16be(e, type);
    e.insert(e.end(), l3.begin(), l3.end());
    while (e.size() < 60) {
        e.push_back(0); // Ethernet padding after a short IP packet
    }
    return e;
}

struct capture {
    bool big_endian = false;
    bool nsec = false;
    bytes b;
    capture(std::uint32_t linktype, bool be, bool ns) : big_endian(be), nsec(ns) {
        put32(b, ns ? 0xa1b23c4d : 0xa1b2c3d4, be);
        b.push_back(0);
        b.push_back(be ? 2 : 4);
        b.push_back(0);
        b.push_back(be ? 4 : 0);
        put32(b, 0, be);
        put32(b, 0, be);
        put32(b, 65535, be);
        put32(b, linktype, be);
    }
    void add(byte_view frame, std::uint32_t orig_len = 0) {
        put32(b, 1700000000, big_endian);
        put32(b, nsec ? 123456789 : 123456, big_endian);
        put32(b, static_cast<std::uint32_t>(frame.size()), big_endian);
        put32(b, orig_len != 0 ? orig_len : static_cast<std::uint32_t>(frame.size()), big_endian);
        b.insert(b.end(), frame.begin(), frame.end());
    }
};

const bytes payload = *from_hex("0000701be3e977cd2f730f6693603d2a372100");

} // namespace

TEST_CASE("Ethernet: IPv4, VLAN-tagged IPv6 with a destination-options header; skipped frames") {
    for (bool be : {false, true}) {
        capture c(pcap::linktype_ethernet, be, false);
        c.add(ethernet(0x0800, ipv4(udp(4000, 29012, payload))));
        c.add(ethernet(0x86dd, ipv6(udp(4001, 29013, payload), true), true));
        c.add(ethernet(0x0800, ipv4(udp(1, 2, payload), 6)));           // TCP
        c.add(ethernet(0x0800, ipv4(udp(1, 2, payload), 17, 0x2000)));  // first fragment
        c.add(ethernet(0x0806, bytes(28, 0)));                          // ARP
        const bytes whole = ethernet(0x0800, ipv4(udp(1, 2, payload)));
        c.add(byte_view(whole).first(40), static_cast<std::uint32_t>(whole.size())); // snapped
        std::string err;
        auto f = pcap::file::parse(c.b, err);
        REQUIRE_MESSAGE(f, err);
        CHECK(f->linktype() == pcap::linktype_ethernet);
        CHECK(f->frames().size() == 6);
        std::size_t skipped = 0;
        const auto d = f->udp_datagrams(&skipped);
        CHECK(skipped == 4);
        REQUIRE(d.size() == 2);
        CHECK(d[0].ip_version == 4);
        CHECK(to_hex(d[0].src_addr) == "7f000001");
        CHECK(d[0].src_port == 4000);
        CHECK(d[0].dst_port == 29012);
        CHECK(d[0].ts_sec == 1700000000);
        CHECK(d[0].ts_usec == 123456);
        CHECK(equal(d[0].payload, payload)); // Ethernet padding not included
        CHECK(d[1].ip_version == 6);
        CHECK(d[1].dst_port == 29013);
        CHECK(equal(d[1].payload, payload));
    }
}

TEST_CASE("loopback, raw IP, Linux cooked v1 and v2; nanosecond timestamps") {
    struct lt {
        std::uint32_t type;
        bytes frame;
    };
    bytes null4{2, 0, 0, 0};
    const bytes v4 = ipv4(udp(5, 6, payload));
    null4.insert(null4.end(), v4.begin(), v4.end());
    bytes sll(14, 0);
    put16be(sll, 0x0800);
    sll.insert(sll.end(), v4.begin(), v4.end());
    bytes sll2;
    put16be(sll2, 0x86dd);
    sll2.resize(20, 0);
    const bytes v6 = ipv6(udp(5, 6, payload));
    sll2.insert(sll2.end(), v6.begin(), v6.end());
    for (const auto& [type, frame] : {lt{pcap::linktype_null, null4}, lt{pcap::linktype_raw, v6},
                                      lt{pcap::linktype_linux_sll, sll}, lt{pcap::linktype_linux_sll2, sll2}}) {
        capture c(type, false, true);
        c.add(frame);
        std::string err;
        auto f = pcap::file::parse(c.b, err);
        REQUIRE_MESSAGE(f, err);
        const auto d = f->udp_datagrams();
        REQUIRE(d.size() == 1);
        CHECK(d[0].ts_usec == 123456);
        CHECK(d[0].src_port == 5);
        CHECK(equal(d[0].payload, payload));
    }
}

TEST_CASE("malformed files are refused with a reason, never read past") {
    std::string err;
    CHECK(!pcap::file::parse(bytes(10, 0), err));
    CHECK(!err.empty());
    capture c(pcap::linktype_ethernet, false, false);
    bytes bad_magic = c.b;
    bad_magic[0] ^= 0xff;
    CHECK(!pcap::file::parse(bad_magic, err));
    c.add(ethernet(0x0800, ipv4(udp(1, 2, payload))));
    for (std::size_t n = 25; n < c.b.size(); ++n) {
        CHECK(!pcap::file::parse(bytes(c.b.begin(), c.b.begin() + static_cast<std::ptrdiff_t>(n)), err));
    }
    // A UDP length beyond the IP packet, an IPv4 total length beyond the frame.
    bytes u = udp(1, 2, payload);
    u[5] = 0xff;
    capture d(pcap::linktype_raw, false, false);
    d.add(ipv4(u));
    bytes v4 = ipv4(udp(1, 2, payload));
    v4[3] = 0xff;
    d.add(v4);
    auto f = pcap::file::parse(d.b, err);
    REQUIRE(f);
    std::size_t skipped = 0;
    CHECK(f->udp_datagrams(&skipped).empty());
    CHECK(skipped == 2);
}
