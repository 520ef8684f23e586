// The transport's forwarding decisions against the reference: packets.json "forwarding" is a
// sequence of packets given to a reference transport node (two interfaces ifA/ifB) with the exact
// bytes it sent in response, and "announce_rebroadcasts" what its job loop sent afterwards.

#include "test_control_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace rns;
using namespace rns::control;
using namespace rns::control::testing;

namespace {

struct vector_node {
    recording_sink sink;
    seeded_random rng{7};
    transport t;
    iface_id ifa;
    iface_id ifb;

    explicit vector_node(const nlohmann::json& v)
        : t(hexa<64>(v["description"]["transport_identity_private_key"].get<std::string>()), sink, rng),
          ifa(t.add_interface(udp_iface("ifA"), 1000.0)), ifb(t.add_interface(udp_iface("ifB"), 1000.0)) {}

    iface_id by_name(const std::string& n) const { return n == "ifA" ? ifa : ifb; }
};

} // namespace

TEST_CASE("control: transport id is the identity hash of the vector's key") {
    auto v = load_vector("packets.json");
    vector_node n(v);
    CHECK(to_hex(n.t.transport_id()) == v["description"]["transport_identity_hash"].get<std::string>());
}

TEST_CASE("control: packets.json forwarding sequence gives the reference's outputs byte for byte") {
    auto v = load_vector("packets.json");
    const auto& steps = v["forwarding"];
    REQUIRE(steps.size() > 0);
    vector_node n(v);
    double now = 1000.0;
    for (const auto& step : steps) {
        now += 0.01;
        INFO(step["what"].get<std::string>());
        const iface_id in = n.by_name(step["received_on"].get<std::string>());
        n.t.inbound(in, hex(step["input"]["raw"].get<std::string>()), now);
        auto sent = n.sink.take();
        const auto& outs = step["outputs"];
        REQUIRE(sent.size() == outs.size());
        for (std::size_t i = 0; i < outs.size(); ++i) {
            CHECK(sent[i].iface == n.by_name(outs[i]["interface"].get<std::string>()));
            CHECK(to_hex(sent[i].raw) == outs[i]["packet"]["raw"].get<std::string>());
        }
    }

    // The job loop: both announces go out on both interfaces, HEADER_2 with our id.
    std::vector<std::pair<iface_id, std::string>> got;
    for (int i = 0; i < 20; ++i) {
        now += 0.1;
        n.t.tick(now);
        for (auto& s : n.sink.take()) {
            got.emplace_back(s.iface, to_hex(s.raw));
        }
    }
    std::vector<std::pair<iface_id, std::string>> want;
    for (const auto& r : v["announce_rebroadcasts"]) {
        want.emplace_back(n.by_name(r["interface"].get<std::string>()), r["packet"]["raw"].get<std::string>());
    }
    std::sort(got.begin(), got.end());
    std::sort(want.begin(), want.end());
    CHECK(got == want);
}

TEST_CASE("control: forwarding sequence leaves the tables and counters the spec says") {
    auto v = load_vector("packets.json");
    vector_node n(v);
    double now = 1000.0;
    for (const auto& step : v["forwarding"]) {
        now += 0.01;
        n.t.inbound(n.by_name(step["received_on"].get<std::string>()), hex(step["input"]["raw"].get<std::string>()), now);
    }
    // Two announces → two paths, mirrored to the fast path.
    CHECK(n.t.path_count() == 2);
    CHECK(n.sink.paths.size() == 2);
    // One link request → one link entry, validated by the LRPROOF.
    REQUIRE(n.t.link_count() == 1);
    REQUIRE(n.sink.links.size() == 1);
    CHECK(n.sink.links.begin()->second.validated);
    CHECK(n.sink.links.begin()->second.nh_iface == n.ifb);
    CHECK(n.sink.links.begin()->second.received_on == n.ifa);
    // The proof consumed the reverse entry of the first DATA; the 2-hop DATA left one.
    CHECK(n.t.reverse_count() == 1);
    const auto& c = n.t.counters();
    CHECK(c.drop_count(drop_reason::duplicate) >= 1);
    CHECK(c.drop_count(drop_reason::foreign_transport) == 1);
    CHECK(c.drop_count(drop_reason::plain_hops) == 1);
    CHECK(c.ifaces[n.ifb].announces_accepted == 2);
}
