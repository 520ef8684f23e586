// Control-level capture replay: for every capture_*.json in VECTORS_DIR (with its .pcap), each
// transport node of the capture is impersonated by a rns::control::transport holding that node's
// identity and interfaces. Every datagram the node received (receiver_running) is fed to it at
// its recorded time, the clock advanced with tick(), and what it sends is compared with what the
// reference node sent (relation forwarded / rebroadcast / path_response): same bytes, same
// interface; forwards at the instant of the packet they forward, announces within the timing
// slack of the reference's 1 s job loop. Nothing else may be sent.

#include "router/control/random_source.hpp"
#include "router/control/sink.hpp"
#include "router/control/transport.hpp"
#include "router/rns/bytes.hpp"
#include "router/rns/destination.hpp"
#include "router/rns/packet.hpp"

#include "crypto/random.hpp"
#include "tests/pcap.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

using namespace rns;
using namespace rns::control;
using json = nlohmann::json;

namespace {

int g_failures = 0;
int g_checks = 0;

void check(bool ok, const std::string& what) {
    ++g_checks;
    if (!ok) {
        ++g_failures;
        std::printf("  FAIL: %s\n", what.c_str());
    }
}

// --- pcap: the shared reader (tests/pcap.hpp) ----------------------------------------------------

struct datagram {
    double time = 0;
    std::uint16_t dst_port = 0;
    bytes payload;
};

std::optional<std::vector<datagram>> read_pcap(const std::string& path, std::string& err) {
    auto f = pcap::file::load(path, err);
    if (!f) {
        return std::nullopt;
    }
    std::vector<datagram> out;
    for (const auto& d : f->udp_datagrams()) {
        out.push_back({d.ts_sec + d.ts_usec / 1e6, d.dst_port, bytes(d.payload.begin(), d.payload.end())});
    }
    return out;
}

// --- interface configs from the reference config text --------------------------------------------

std::map<std::string, iface_config> parse_interfaces(const std::string& config) {
    std::map<std::string, iface_config> out;
    std::istringstream in(config);
    std::string line;
    std::string current;
    auto trim = [](std::string s) {
        s.erase(0, s.find_first_not_of(" \t"));
        s.erase(s.find_last_not_of(" \t\r") + 1);
        return s;
    };
    while (std::getline(in, line)) {
        line = trim(line);
        if (line.rfind("[[", 0) == 0) {
            current = line.substr(2, line.find("]]") - 2);
            iface_config c;
            c.name = current;
            out[current] = c;
            continue;
        }
        if (line.rfind("[", 0) == 0) {
            current.clear();
            continue;
        }
        const auto eq = line.find('=');
        if (current.empty() || eq == std::string::npos) {
            continue;
        }
        const std::string key = trim(line.substr(0, eq));
        const std::string val = trim(line.substr(eq + 1));
        iface_config& c = out[current];
        if (key == "type") {
            if (val == "UDPInterface") {
                // spec §10.5 / §7.2: 10 Mb/s, HW_MTU 1064, neither autoconfigured nor fixed.
                c.bitrate = 10'000'000;
                c.hw_mtu = 1064;
            } else if (val == "TCPClientInterface" || val == "TCPServerInterface") {
                c.bitrate = 10'000'000;
                c.hw_mtu = 8192;
                c.autoconfigure_mtu = true;
            } else if (val == "BackboneInterface") {
                c.bitrate = 1'000'000'000;
                c.hw_mtu = 524288;
                c.autoconfigure_mtu = true;
            }
        } else if (key == "mode" || key == "interface_mode") {
            if (auto m = parse_iface_mode(val)) {
                c.mode = *m;
            }
        } else if (key == "bitrate") {
            const auto v = std::strtoull(val.c_str(), nullptr, 10);
            if (v >= 5) {
                c.bitrate = v;
            }
        } else if (key == "announce_cap") {
            c.announce_cap = std::strtod(val.c_str(), nullptr) / 100.0;
        }
    }
    return out;
}

// --- the node under replay ------------------------------------------------------------------------

struct output {
    double time;
    iface_id iface;
    bytes raw;
};

class capture_sink : public transport_sink {
  public:
    double now = 0;
    std::vector<output> sent;
    void send(iface_id out, byte_view raw) override { sent.push_back({now, out, bytes(raw.begin(), raw.end())}); }
};

bool is_path_request(byte_view raw) {
    auto p = parse_packet(raw);
    return p && p.packet.flags.type == packet_type::data &&
           equal(p.packet.destination_hash, transport_destinations::path_request());
}

void replay_node(const json& cap, const std::string& node, const std::vector<datagram>& pcap) {
    std::printf(" transport node %s\n", node.c_str());
    const auto& packets = cap["packets"];
    const auto& port_map = cap["description"]["udp_port_map"];

    const std::string key_name = node + ".transport_identity";
    if (!cap["secrets"].contains(key_name)) {
        check(false, "no secret " + key_name);
        return;
    }
    auto key = array_from_hex<64>(cap["secrets"][key_name].get<std::string>());
    check(key.has_value(), "transport identity key decodes");
    if (!key) {
        return;
    }

    // Interfaces: one per UDP link this node listens on; peer → interface name.
    std::map<std::string, std::string> iface_to_peer;
    for (const auto& [port, m] : port_map.items()) {
        if (m["receiver"] == node) {
            iface_to_peer[m["receiver_interface"].get<std::string>()] = m["sender"].get<std::string>();
        }
    }
    std::map<std::string, iface_config> configs;
    if (cap["topology"]["configs"].contains(node)) {
        configs = parse_interfaces(cap["topology"]["configs"][node].get<std::string>());
    }

    capture_sink sink;
    seeded_random rng(0x5eed);
    transport t(*key, sink, rng);
    if (cap["identities"]["transport_nodes"].contains(node)) {
        check(to_hex(t.transport_id()) ==
                  cap["identities"]["transport_nodes"][node]["transport_identity_hash"].get<std::string>(),
              "transport id equals the recorded transport identity hash");
    }
    const double start = packets.at(0)["time"].get<double>() - 1.0;
    std::map<std::string, iface_id> iface_by_name;
    std::map<std::string, iface_id> iface_by_peer;
    std::map<iface_id, std::string> name_of;
    for (const auto& [name, peer] : iface_to_peer) {
        iface_config c = configs.contains(name) ? configs[name] : iface_config{};
        c.name = name;
        if (!configs.contains(name)) {
            c.hw_mtu = 1064; // captures are UDP links (spec §10.3)
        }
        const iface_id id = t.add_interface(c, start);
        iface_by_name[name] = id;
        iface_by_peer[peer] = id;
        name_of[id] = name;
    }

    // What the reference node sent as a transport node.
    struct expected {
        std::size_t index;
        double time;
        iface_id iface;
        std::string raw;
        std::string kind;
        std::optional<std::size_t> from;
    };
    std::vector<expected> want;
    std::vector<std::string> originated_prs; // path requests the node originated (random tags)
    for (const auto& p : packets) {
        if (p["sender"] != node) {
            continue;
        }
        const std::string kind = p.contains("relation") ? p["relation"]["kind"].get<std::string>() : "";
        const std::string peer = p["receiver"].get<std::string>();
        if (!iface_by_peer.contains(peer)) {
            check(false, "no interface toward " + peer);
            continue;
        }
        if (kind == "originated") {
            originated_prs.push_back(p["raw"].get<std::string>());
            continue;
        }
        std::optional<std::size_t> from;
        if (p["relation"].contains("from_index")) {
            from = p["relation"]["from_index"].get<std::size_t>();
        }
        want.push_back({p["index"].get<std::size_t>(), p["time"].get<double>(), iface_by_peer[peer],
                        p["raw"].get<std::string>(), kind, from});
    }

    // Feed: every datagram this node received while running, at its recorded time.
    std::map<std::size_t, double> fed_at;
    double now = start;
    auto advance = [&](double until) {
        while (now + 0.05 < until) {
            now += 0.05;
            sink.now = now;
            t.tick(now);
        }
        now = until;
        sink.now = now;
        t.tick(now);
    };
    double last = start;
    for (const auto& p : packets) {
        if (p["receiver"] != node || !p["receiver_running"].get<bool>()) {
            continue;
        }
        const std::string name = p["receiver_interface"].get<std::string>();
        const std::size_t index = p["index"].get<std::size_t>();
        const double at = p["time"].get<double>();
        advance(at);
        // The bytes come from the pcap (checked equal to the JSON above).
        const bytes& raw = pcap.at(index).payload;
        fed_at[index] = at;
        t.inbound(iface_by_name.at(name), raw, at);
        last = at;
    }
    advance(last + 1.0);

    // Match.
    std::vector<bool> used(sink.sent.size(), false);
    int matched = 0;
    for (const auto& w : want) {
        const bool is_forward = w.kind == "forwarded";
        bool found = false;
        for (std::size_t i = 0; i < sink.sent.size() && !found; ++i) {
            const auto& s = sink.sent[i];
            if (used[i] || s.iface != w.iface || to_hex(s.raw) != w.raw) {
                continue;
            }
            if (is_forward) {
                // Sent while processing the packet it forwards (same instant).
                if (!w.from || !fed_at.contains(*w.from) || s.time != fed_at[*w.from]) {
                    continue;
                }
            } else if (std::fabs(s.time - w.time) > 2.0) {
                // Announces: random 0–0.5 s delays and the reference's 1 s job loop.
                continue;
            }
            used[i] = true;
            found = true;
        }
        check(found, "#" + std::to_string(w.index) + " (" + w.kind + " on " + name_of[w.iface] +
                         ") sent with the same bytes");
        matched += found ? 1 : 0;
    }
    int extra = 0;
    for (std::size_t i = 0; i < sink.sent.size(); ++i) {
        if (used[i]) {
            continue;
        }
        const auto& s = sink.sent[i];
        if (is_path_request(s.raw) && !originated_prs.empty()) {
            continue; // re-originated requests carry random tags; the reference sent some too
        }
        ++extra;
        check(false, "unexpected output on " + name_of[s.iface] + " at +" +
                         std::to_string(s.time - start) + ": " + to_hex(s.raw).substr(0, 80));
    }
    std::printf("  %d/%zu transport sends reproduced, %d unexpected\n", matched, want.size(), extra);
    check(!want.empty(), "the capture has transport sends to compare");
}

void replay_file(const std::filesystem::path& json_path) {
    std::printf("%s\n", json_path.filename().c_str());
    std::ifstream f(json_path);
    const json cap = json::parse(f);
    const std::string pcap_name = cap["pcap"]["file"].get<std::string>();
    std::string err;
    auto pcap = read_pcap((json_path.parent_path() / pcap_name).string(), err);
    check(pcap.has_value(), "read " + pcap_name + ": " + err);
    if (!pcap) {
        return;
    }
    const auto& packets = cap["packets"];
    check(pcap->size() == packets.size(), "pcap holds one datagram per JSON packet");
    if (pcap->size() != packets.size()) {
        return;
    }
    bool same = true;
    for (std::size_t i = 0; i < packets.size(); ++i) {
        const std::string dst = packets[i]["udp"]["dst"].get<std::string>();
        same = same && to_hex((*pcap)[i].payload) == packets[i]["raw"].get<std::string>() &&
               dst.substr(dst.rfind(':') + 1) == std::to_string((*pcap)[i].dst_port);
    }
    check(same, "pcap payloads and ports equal the JSON packets");
    for (const auto& node : cap["topology"]["transport_nodes"]) {
        replay_node(cap, node.get<std::string>(), *pcap);
    }
}

} // namespace

int main() {
    if (!crypto::init()) {
        return 1;
    }
    std::string dir = RNS_DEFAULT_VECTORS_DIR; // tests/vectors in the repository (tests/meson.build)
    if (const char* v = std::getenv("VECTORS_DIR"); v != nullptr && *v != '\0') {
        dir = v;
    }
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
        const auto name = e.path().filename().string();
        if (name.rfind("capture_", 0) == 0 && e.path().extension() == ".json") {
            files.push_back(e.path());
        }
    }
    if (ec || files.empty()) {
        std::printf("no capture_*.json in %s\n", dir.c_str());
        return 1;
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
        try {
            replay_file(f);
        } catch (const std::exception& e) {
            check(false, std::string("exception: ") + e.what());
        }
    }
    std::printf("%d passed, %d failed\n", g_checks - g_failures, g_failures);
    return g_failures == 0 ? 0 : 1;
}
