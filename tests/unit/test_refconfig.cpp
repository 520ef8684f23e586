// The reference configuration file read as is (router/refconfig). The independent truths: the
// configs the reference itself ran with in the captures (capture_*.json topology.configs, checked
// against the same capture's udp_links), ConfigObj's syntax rules, and the key semantics of spec
// §6.16, §9 and §10.
#include "router/refconfig/reference_config.hpp"
#include "test_control_support.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

using namespace rns;
using namespace rns::refconfig;

namespace {

reference_config ok(std::string_view text) {
    auto r = read_reference_config(text, "cfg");
    if (const auto* e = std::get_if<config_error>(&r)) {
        FAIL("unexpected error: " << e->what());
    }
    return std::get<reference_config>(r);
}

config_error bad(std::string_view text) {
    auto r = read_reference_config(text, "cfg");
    REQUIRE(std::holds_alternative<config_error>(r));
    return std::get<config_error>(r);
}

constexpr std::string_view head = "[reticulum]\n  enable_transport = yes\n";

} // namespace

TEST_CASE("refconfig: the transport node configs the reference ran in every capture") {
    namespace fs = std::filesystem;
    int checked = 0;
    for (const auto& de : fs::directory_iterator(rns::control::testing::vectors_dir())) {
        const std::string name = de.path().filename().string();
        if (name.rfind("capture_", 0) != 0 || de.path().extension() != ".json") {
            continue;
        }
        std::ifstream in(de.path());
        const auto cap = nlohmann::json::parse(in);
        const auto& topo = cap.at("topology");
        for (const auto& node : topo.at("transport_nodes")) {
            const std::string n = node.get<std::string>();
            INFO(name << " node " << n);
            const reference_config c = ok(topo.at("configs").at(n).get<std::string>());
            CHECK(c.enable_transport);
            // Every UDP link of the node is one enabled UDPInterface with the link's ports.
            for (const auto& link : topo.at("udp_links")) {
                const bool a = link.at("a") == n;
                if (!a && link.at("b") != n) {
                    continue;
                }
                const int mine = link.at(a ? "a_listen_port" : "b_listen_port").get<int>();
                const int theirs = link.at(a ? "b_listen_port" : "a_listen_port").get<int>();
                const auto it = std::find_if(c.interfaces.begin(), c.interfaces.end(), [&](const auto& f) {
                    return f.listen_port == mine;
                });
                REQUIRE(it != c.interfaces.end());
                CHECK(it->kind == iface_kind::udp);
                CHECK(it->enabled);
                CHECK(it->forward_port == theirs);
                ++checked;
            }
        }
        // The endpoints are not transport nodes: refused with the line of enable_transport.
        for (const auto& [n, text] : topo.at("configs").items()) {
            if (std::find(topo.at("transport_nodes").begin(), topo.at("transport_nodes").end(), n) !=
                topo.at("transport_nodes").end()) {
                continue;
            }
            const config_error e = bad(text.get<std::string>());
            CHECK(e.key == "enable_transport");
            CHECK(e.line > 0);
        }
    }
    CHECK(checked > 0);
}

TEST_CASE("refconfig: ConfigObj syntax") {
    const auto c = ok(std::string(head) +
                      "# a comment\n"
                      "  remote_management_allowed = 0123456789abcdef0123456789abcdef, "
                      "fedcba9876543210fedcba9876543210  # trailing comment\n"
                      "[logging]\n"
                      "loglevel = 7\n"
                      "[interfaces]\n"
                      "  [[Quoted # name]]\n"
                      "    type = \"UDPInterface\"\n"
                      "    enabled = True\n"
                      "    port = 4242\n"
                      "    forward_ip = '255.255.255.255'\n"
                      "    passphrase = \"a, b # not a comment\"\n");
    REQUIRE(c.remote_management_allowed.size() == 2);
    CHECK(to_hex(c.remote_management_allowed[1]) == "fedcba9876543210fedcba9876543210");
    CHECK(c.loglevel == 7);
    REQUIRE(c.interfaces.size() == 1);
    const auto& f = c.interfaces[0];
    CHECK(f.name == "Quoted # name");
    CHECK(f.type == "UDPInterface");
    CHECK(f.listen_port == 4242); // spec §10.3: port sets listen and forward ports
    CHECK(f.forward_port == 4242);
    CHECK(f.forward_ip == "255.255.255.255");
    CHECK(f.passphrase == "a, b # not a comment");
}

TEST_CASE("refconfig: syntax errors name the line") {
    CHECK(bad(std::string(head) + "[interfaces]\n  [[x]\n").line == 4);
    CHECK(bad(std::string(head) + "just words\n").line == 3);
    CHECK(bad(std::string(head) + "enable_transport = yes\n").line == 3); // duplicate key
    CHECK(bad(std::string(head) + "[interfaces]\n[[a]]\ntype=UDPInterface\n[[a]]\n").line == 6);
    CHECK(bad("[[orphan]]\n").line == 1);
    CHECK(bad(std::string(head) + "x = \"open\n").line == 3);
}

TEST_CASE("refconfig: bad values name the line and key") {
    auto e = bad("[reticulum]\nenable_transport = maybe\n");
    CHECK(e.line == 2);
    CHECK(e.key == "enable_transport");
    CHECK(e.what() == "cfg:2: key 'enable_transport': 'maybe' is not a boolean (yes/no, true/false, on/off, 1/0)");
    e = bad("[reticulum]\nenable_transport = no\n");
    CHECK(e.key == "enable_transport");
    CHECK(e.line == 2);
    e = bad("[logging]\nloglevel = 3\n");
    CHECK(e.key == "enable_transport"); // no [reticulum]: not a transport node
    e = bad(std::string(head) + "remote_management_allowed = abcd\n");
    CHECK(e.key == "remote_management_allowed");
    CHECK(e.line == 3);
    e = bad(std::string(head) + "[interfaces]\n[[u]]\ntype = UDPInterface\nenabled = yes\nlisten_port = 70000\n");
    CHECK(e.key == "listen_port");
    CHECK(e.line == 7);
    e = bad(std::string(head) + "[interfaces]\n[[u]]\ntype = TCPServerInterface\nenabled = yes\nmode = sideways\n");
    CHECK(e.key == "mode");
    e = bad(std::string(head) + "[interfaces]\n[[c]]\ntype = TCPClientInterface\nenabled = yes\ntarget_port = 4242\n");
    CHECK(e.key == "target_host");
    CHECK(e.line == 4);
}

TEST_CASE("refconfig: interface kinds, modes, defaults and what is not served") {
    const auto c = ok(std::string(head) +
                      "[interfaces]\n"
                      "[[Default Interface]]\n  type = AutoInterface\n  enabled = yes\n"
                      "[[off]]\n  type = UDPInterface\n  listen_port = 1\n"
                      "[[srv]]\n  type = TCPServerInterface\n  interface_enabled = yes\n"
                      "  listen_ip = 0.0.0.0\n  listen_port = 4242\n  mode = gateway\n"
                      "  interface_mode = ap\n  bitrate = 3\n  announce_cap = 5\n"
                      "  network_name = net\n  ifac_size = 64\n  ingress_control = no\n"
                      "[[bb]]\n  type = BackboneInterface\n  enabled = yes\n  remote = example.net\n"
                      "  port = 4343\n  outgoing = no\n"
                      "[[radio]]\n  type = RNodeInterface\n  enabled = yes\n  port = /dev/ttyUSB0\n"
                      "  frequency = 867200000\n  bandwidth = 125000\n  txpower = 7\n"
                      "  spreadingfactor = 8\n  codingrate = 5\n  flow_control = yes\n");
    REQUIRE(c.interfaces.size() == 5);
    CHECK(c.interfaces[0].kind == iface_kind::unsupported);
    // The notice names the section, its type and the reason; the rest of the file applies.
    const bool named = std::any_of(c.notices.begin(), c.notices.end(), [](const std::string& n) {
        return n.find("[[Default Interface]] (AutoInterface) not started") != std::string::npos;
    });
    CHECK(named);
    CHECK_FALSE(c.interfaces[1].enabled); // the reference starts only enabled interfaces
    const auto& srv = c.interfaces[2];
    CHECK(srv.kind == iface_kind::tcp_server);
    CHECK(srv.enabled);
    CHECK(srv.mode == control::iface_mode::access_point); // interface_mode wins over mode
    CHECK_FALSE(srv.bitrate.has_value());                  // spec §10.5: below 5 is ignored
    CHECK(srv.announce_cap == doctest::Approx(0.05));      // percent in the file
    CHECK(srv.network_name == "net");
    CHECK(srv.ifac_size_bits == 64u);
    CHECK(srv.ingress.enabled == false);
    const auto& bb = c.interfaces[3];
    CHECK(bb.kind == iface_kind::backbone_connect);
    CHECK(bb.target_host == "example.net");
    CHECK(bb.target_port == 4343);
    CHECK_FALSE(bb.outgoing);
    const auto& radio = c.interfaces[4];
    CHECK(radio.kind == iface_kind::rnode);
    CHECK(radio.serial_port == "/dev/ttyUSB0");
    CHECK(radio.frequency == 867'200'000u);
    CHECK(radio.spreading_factor == 8);
    CHECK(radio.flow_control);
}
