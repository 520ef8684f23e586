#pragma once
// Shared helpers for the control-plane unit tests: a sink that records what the transport sends
// and the table notifications, and access to the reference vectors (VECTORS_DIR).

#include "router/control/sink.hpp"
#include "router/control/transport.hpp"
#include "router/rns/bytes.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace rns::control::testing {

struct sent_packet {
    iface_id iface;
    bytes raw;
};

class recording_sink : public transport_sink {
  public:
    void send(iface_id out, byte_view raw) override { sent.push_back({out, bytes(raw.begin(), raw.end())}); }
    void path_set(const hash16& d, const fast_path_entry& e) override { paths[d] = e; }
    void path_removed(const hash16& d) override { paths.erase(d); }
    void link_set(const hash16& d, const fast_link_entry& e) override { links[d] = e; }
    void link_removed(const hash16& d) override { links.erase(d); }
    void ratchet_learned(const hash16& d, const byte_array<32>& r, double) override { ratchets[d] = r; }

    std::vector<sent_packet> take() {
        auto out = std::move(sent);
        sent.clear();
        return out;
    }

    std::vector<sent_packet> sent;
    std::map<hash16, fast_path_entry> paths;
    std::map<hash16, fast_link_entry> links;
    std::map<hash16, byte_array<32>> ratchets;
};

inline std::string vectors_dir() {
    if (const char* v = std::getenv("VECTORS_DIR"); v != nullptr && *v != '\0') {
        return v;
    }
    return RNS_DEFAULT_VECTORS_DIR; // tests/vectors in the repository (tests/meson.build)
}

inline nlohmann::json load_vector(const std::string& name) {
    std::ifstream f(vectors_dir() + "/" + name);
    if (!f) {
        throw std::runtime_error("cannot open vector file " + vectors_dir() + "/" + name);
    }
    return nlohmann::json::parse(f);
}

inline bytes hex(const std::string& s) {
    auto b = from_hex(s);
    if (!b) {
        throw std::runtime_error("bad hex in vector: " + s);
    }
    return *b;
}

template <std::size_t N> byte_array<N> hexa(const std::string& s) {
    auto b = array_from_hex<N>(s);
    if (!b) {
        throw std::runtime_error("bad hex in vector: " + s);
    }
    return *b;
}

/// A UDPInterface-like config (spec §10.3, §10.5): 10 Mb/s, HW_MTU 1064, no MTU autoconfiguration.
inline iface_config udp_iface(const std::string& name, iface_mode mode = iface_mode::full) {
    iface_config c;
    c.name = name;
    c.mode = mode;
    c.bitrate = 10'000'000;
    c.hw_mtu = 1064;
    return c;
}

/// A 16-byte hash of one repeated byte (a destination, transport id or link id in tests).
inline hash16 hash_of(std::uint8_t b) {
    hash16 h{};
    h.fill(b);
    return h;
}

} // namespace rns::control::testing
