// IFAC on mbufs (router/datapath/ifac_mbuf.*): the reference's vectors (ifac.json) through
// ifac_add / ifac_strip in hand-built mbufs, the spec §9.5 example, every refusal, and the
// header checks that follow (rns_parse.hpp) on what ifac_strip leaves.

#include "fake_mbuf.hpp"

#include "router/datapath/dataplane.hpp"
#include "router/datapath/ifac_mbuf.hpp"
#include "router/datapath/rns_parse.hpp"
#include "router/rns/ifac.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <string>

using namespace rns;
using namespace rns::datapath;
using rns::datapath::test::fake_mbuf;

namespace {

nlohmann::json load_vectors() {
    std::string dir;
    if (const char* v = std::getenv("VECTORS_DIR"); v != nullptr && *v != '\0') {
        dir = v;
    } else {
        dir = RNS_DEFAULT_VECTORS_DIR;
    }
    std::ifstream f(dir + "/ifac.json");
    REQUIRE(f.good());
    return nlohmann::json::parse(f);
}

std::optional<std::string> opt_string(const nlohmann::json& j) {
    if (j.is_null()) {
        return std::nullopt;
    }
    return j.get<std::string>();
}

bytes hex(const nlohmann::json& j) {
    auto b = from_hex(j.get<std::string>());
    REQUIRE(b);
    return *b;
}

constexpr std::uint16_t mtu = 500;

} // namespace

TEST_CASE("ifac_mbuf: spec §9.5 example, code in the headroom, payload in place") {
    auto k = ifac::key::derive("testnet", "secret", 16);
    REQUIRE(k);
    const bytes raw = *from_hex("08006b9f66014d9853faab220fba47d0276100000102030405060708090a0b0c0d0e0f"
                                "101112131415161718191a1b1c1d1e1f");
    const std::string wire = "dcf30438335613f6d5c335c3b3b3c546cf01f856fd5fed2df43ab36aa20002b73c3bf0a8cd6dbb"
                             "276123bc7b3846c3d636916a282c63f12510593154cbe51386fef4e6";
    fake_mbuf m(raw);
    const std::uint16_t off = m.get()->data_off;
    REQUIRE(ifac_add(*k, m.get(), mtu) == ifac_add_result::ok);
    CHECK(to_hex(m.data()) == wire);
    CHECK(m.get()->data_off == off - 16); // grew at the front
    CHECK(m.get()->pkt_len == raw.size() + 16);

    REQUIRE(ifac_strip(*k, m.get(), mtu) == ifac_strip_result::ok);
    CHECK(equal(m.data(), raw));
    CHECK(m.get()->data_off == off - 16); // stripped in place: trimmed at the tail
    CHECK(m.get()->pkt_len == raw.size());
}

TEST_CASE("ifac_mbuf: the reference's ifac.json through ifac_add and ifac_strip") {
    const auto v = load_vectors();
    auto dp = std::make_unique<dataplane>();
    std::size_t packets = 0;
    std::size_t rejected = 0;
    for (const auto& s : v.at("settings")) {
        const std::size_t size = ifac::size_from_config_bits(s.at("config_ifac_size_bits").get<long long>(),
                                                             ifac::default_size_stream);
        REQUIRE(size == s.at("ifac_size_bytes").get<std::size_t>());
        auto k = ifac::key::derive(opt_string(s.at("network_name")), opt_string(s.at("passphrase")), size);
        REQUIRE(k);
        for (const auto& p : s.at("packets")) {
            CAPTURE(p.at("what").get<std::string>());
            const bytes raw = hex(p.at("raw"));
            const bytes wire = hex(p.at("wire"));
            fake_mbuf out(raw);
            REQUIRE(ifac_add(*k, out.get(), mtu) == ifac_add_result::ok);
            CHECK(equal(out.data(), wire));
            fake_mbuf in(wire);
            REQUIRE(ifac_strip(*k, in.get(), mtu) == ifac_strip_result::ok);
            CHECK(equal(in.data(), hex(p.at("accepted_raw"))));
            // What ifac_in hands on is a packet the header checks accept as if received plain
            // (a HEADER_2 one when we are its transport id, spec §6.3 rule 1).
            if ((raw[0] & 0x40) != 0) {
                std::copy_n(raw.begin() + 2, 16, dp->transport_id.begin());
            }
            CHECK(check_rns_header(*dp, in.get()) == rns_check::ok);
            CHECK(priv(in.get()).hops == raw[1] + 1);
            ++packets;
        }
        for (const auto& r : s.at("rejected")) {
            const std::string what = r.at("what").get<std::string>();
            CAPTURE(what);
            const bytes wire = hex(r.at("wire"));
            fake_mbuf in(wire);
            if (r.at("received_on").get<std::string>() == "interface without IFAC") {
                // No key: rns_parse's own check drops the flag (spec §9.3 last sentence).
                CHECK(check_rns_header(*dp, in.get()) == rns_check::ifac_flag);
                CHECK(r.at("accepted_raw").is_null());
                ++rejected;
                continue;
            }
            const ifac_strip_result res = ifac_strip(*k, in.get(), mtu);
            if (r.at("accepted_raw").is_null()) {
                CHECK(res != ifac_strip_result::ok);
                if (what.find("flag clear") != std::string::npos) {
                    CHECK(res == ifac_strip_result::missing);
                } else if (what.find("<= 2 + ifac_size") != std::string::npos) {
                    CHECK(res == ifac_strip_result::short_);
                } else {
                    CHECK(res == ifac_strip_result::mismatch);
                }
            } else { // a lucky match with a 1-byte code, accepted by the reference too
                REQUIRE(res == ifac_strip_result::ok);
                CHECK(equal(in.data(), hex(r.at("accepted_raw"))));
            }
            ++rejected;
        }
    }
    CHECK(packets == 40);
    CHECK(rejected == 64);
}

TEST_CASE("ifac_mbuf: refusals leave the mbuf as it was, or name why") {
    auto k = ifac::key::derive("net", "key", 16);
    REQUIRE(k);
    bytes raw(500);
    for (std::size_t i = 0; i < raw.size(); ++i) {
        raw[i] = static_cast<std::uint8_t>(i * 7 + 1);
    }
    raw[0] = 0x08; // bit 7 clear
    raw[1] = 0x00;

    SUBCASE("an MTU-sized packet takes the code; one byte more does not") {
        fake_mbuf ok(raw);
        CHECK(ifac_add(*k, ok.get(), mtu) == ifac_add_result::ok);
        CHECK(ok.get()->data_len == 516);
        bytes big = raw;
        big.push_back(0x42);
        fake_mbuf over(big);
        CHECK(ifac_add(*k, over.get(), mtu) == ifac_add_result::oversize);
        CHECK(equal(over.data(), big));
        // inbound: 500 + 16 fits, 500 + 16 + 1 is refused before the signature is computed
        REQUIRE(ifac_strip(*k, ok.get(), mtu) == ifac_strip_result::ok);
        CHECK(equal(ok.data(), raw));
        bytes wire_big(517, 0x80);
        fake_mbuf over_in(wire_big);
        CHECK(ifac_strip(*k, over_in.get(), mtu) == ifac_strip_result::oversize);
    }
    SUBCASE("not enough headroom for the code") {
        fake_mbuf m(byte_view(raw).first(40), 15);
        CHECK(ifac_add(*k, m.get(), mtu) == ifac_add_result::no_room);
        CHECK(m.get()->data_off == 15);
        CHECK(equal(m.data(), byte_view(raw).first(40)));
        fake_mbuf exact(byte_view(raw).first(40), 16);
        CHECK(ifac_add(*k, exact.get(), mtu) == ifac_add_result::ok);
        CHECK(exact.get()->data_off == 0);
    }
    SUBCASE("a chained mbuf is refused") {
        fake_mbuf m(byte_view(raw).first(40));
        m.get()->nb_segs = 2;
        CHECK(ifac_add(*k, m.get(), mtu) == ifac_add_result::no_room);
        m.get()->nb_segs = 1;
    }
    SUBCASE("2 bytes are no packet, in or out") {
        fake_mbuf m(byte_view(raw).first(2));
        CHECK(ifac_add(*k, m.get(), mtu) == ifac_add_result::too_short);
        bytes two{0x88, 0x00};
        fake_mbuf in(two);
        CHECK(ifac_strip(*k, in.get(), mtu) == ifac_strip_result::too_short);
    }
    SUBCASE("a code from another key, or another size, does not verify") {
        auto other = ifac::key::derive("net", "other", 16);
        auto shorter = ifac::key::derive("net", "key", 8);
        REQUIRE(other);
        REQUIRE(shorter);
        fake_mbuf a(byte_view(raw).first(100));
        REQUIRE(ifac_add(*other, a.get(), mtu) == ifac_add_result::ok);
        CHECK(ifac_strip(*k, a.get(), mtu) == ifac_strip_result::mismatch);
        fake_mbuf b(byte_view(raw).first(100));
        REQUIRE(ifac_add(*shorter, b.get(), mtu) == ifac_add_result::ok);
        CHECK(ifac_strip(*k, b.get(), mtu) == ifac_strip_result::mismatch);
    }
}

TEST_CASE("ifac_mbuf: in the headroom equals out of place, every size, lengths up to the MTU") {
    for (std::size_t size : {1U, 8U, 16U, 33U, 64U}) {
        auto k = ifac::key::derive(std::nullopt, "round trip", size);
        REQUIRE(k);
        for (std::size_t len : {3U, 19U, 35U, 83U, 255U, 499U, 500U}) {
            CAPTURE(size);
            CAPTURE(len);
            bytes raw(len);
            for (std::size_t i = 0; i < len; ++i) {
                raw[i] = static_cast<std::uint8_t>((i * 31 + size) & 0xff);
            }
            raw[0] &= 0x7f;
            bytes expected(len + size);
            REQUIRE(k->apply(raw, expected) == expected.size());
            fake_mbuf m(raw);
            REQUIRE(ifac_add(*k, m.get(), mtu) == ifac_add_result::ok);
            CHECK(equal(m.data(), expected));
            REQUIRE(ifac_strip(*k, m.get(), mtu) == ifac_strip_result::ok);
            CHECK(equal(m.data(), raw));
        }
    }
}
