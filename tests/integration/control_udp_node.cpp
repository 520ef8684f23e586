// A test harness: rns::control::transport on kernel UDP sockets (one per interface, like the
// reference UDPInterface), with the wall clock and system randomness. It lets the control plane
// be exercised live by rnsprobe endpoints without DPDK. Prints a JSON line with its transport id
// at start and one with its counters and table sizes at exit.
//
// usage: control_udp_node --identity FILE --iface NAME,LISTEN_IP:PORT,FORWARD_IP:PORT [...]
//                         [--mode NAME=MODE] [--duration S]

#include "router/rns/identity.hpp"
#include "router/control/transport.hpp"
#include "tools/rnsprobe_udp.hpp"

#include "crypto/random.hpp"

#include <nlohmann/json.hpp>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <poll.h>
#include <string>
#include <vector>

using namespace rns;
using namespace rns::control;

namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

struct udp_sink final : transport_sink {
    std::vector<std::unique_ptr<probe::udp_interface>>* ifaces = nullptr;
    void send(iface_id out, byte_view raw) override {
        if (out < ifaces->size()) {
            (*ifaces)[out]->send(raw);
        }
    }
};

} // namespace

int main(int argc, char** argv) {
    crypto::init();
    std::string identity_file;
    double duration = 0;
    struct spec {
        std::string name, listen, forward;
        iface_mode mode = iface_mode::full;
    };
    std::vector<spec> specs;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (i + 1 >= argc) {
            std::fprintf(stderr, "%s needs a value\n", a.c_str());
            return 2;
        }
        const std::string v = argv[++i];
        if (a == "--identity") {
            identity_file = v;
        } else if (a == "--duration") {
            duration = std::stod(v);
        } else if (a == "--iface") {
            const auto c1 = v.find(',');
            const auto c2 = v.find(',', c1 + 1);
            if (c1 == std::string::npos || c2 == std::string::npos) {
                std::fprintf(stderr, "--iface NAME,LISTEN,FORWARD\n");
                return 2;
            }
            specs.push_back({v.substr(0, c1), v.substr(c1 + 1, c2 - c1 - 1), v.substr(c2 + 1)});
        } else if (a == "--mode") {
            const auto eq = v.find('=');
            auto m = parse_iface_mode(v.substr(eq + 1));
            bool found = false;
            for (auto& s : specs) {
                if (m && s.name == v.substr(0, eq)) {
                    s.mode = *m;
                    found = true;
                }
            }
            if (!found) {
                std::fprintf(stderr, "--mode NAME=MODE after its --iface\n");
                return 2;
            }
        } else {
            std::fprintf(stderr, "unknown option %s\n", a.c_str());
            return 2;
        }
    }
    if (identity_file.empty() || specs.empty()) {
        std::fprintf(stderr, "need --identity and at least one --iface\n");
        return 2;
    }
    auto loaded = rns::identity::from_file_or_create(identity_file);
    if (!loaded) {
        std::fprintf(stderr, "%s\n", loaded.error.c_str());
        return 2;
    }
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);

    std::vector<std::unique_ptr<probe::udp_interface>> udp;
    udp_sink sink;
    sink.ifaces = &udp;
    system_random rng;
    transport t(loaded.id->private_key(), sink, rng);
    const double start = probe::now_seconds();
    for (const auto& s : specs) {
        udp.push_back(std::make_unique<probe::udp_interface>(s.listen, s.forward));
        iface_config c;
        c.name = s.name;
        c.mode = s.mode;
        c.hw_mtu = 1064;
        t.add_interface(c, start);
    }
    std::cout << nlohmann::json{{"event", "ready"}, {"transport_id", to_hex(t.transport_id())}}.dump() << std::endl;

    while (!g_stop && (duration <= 0 || probe::now_seconds() < start + duration)) {
        for (std::size_t i = 0; i < udp.size(); ++i) {
            while (auto pkt = udp[i]->receive(0)) {
                t.inbound(static_cast<iface_id>(i), *pkt, probe::now_seconds());
            }
        }
        t.tick(probe::now_seconds());
        ::poll(nullptr, 0, 5);
    }

    nlohmann::json out = {{"event", "stopped"},
                          {"paths", t.path_count()},
                          {"links", t.link_count()},
                          {"reverse", t.reverse_count()}};
    nlohmann::json drops = nlohmann::json::object();
    for (std::size_t r = 0; r < drop_reason_count; ++r) {
        if (t.counters().drops[r] != 0) {
            drops[to_string(static_cast<drop_reason>(r))] = t.counters().drops[r];
        }
    }
    out["drops"] = drops;
    for (std::size_t i = 0; i < specs.size(); ++i) {
        const auto& c = t.counters().ifaces[i];
        out["ifaces"][specs[i].name] = {{"forwarded", c.forwarded},
                                        {"announces_accepted", c.announces_accepted},
                                        {"announces_rebroadcast", c.announces_rebroadcast},
                                        {"path_responses_sent", c.path_responses_sent},
                                        {"rx_packets", c.rx_packets},
                                        {"tx_packets", c.tx_packets}};
    }
    std::cout << out.dump() << std::endl;
    return 0;
}
