#include "router/config.hpp"

#include <arpa/inet.h>

#include <cstdlib>
#include <stdexcept>
#include <string_view>

namespace rns::router {

namespace {

[[noreturn]] void bad(const std::string& what) { throw std::invalid_argument(what); }

std::uint32_t parse_ip4(const std::string& s, const std::string& flag) {
    in_addr a{};
    if (::inet_pton(AF_INET, s.c_str(), &a) != 1) {
        bad(flag + ": not an IPv4 address: " + s);
    }
    return a.s_addr;
}

unsigned long parse_uint(const std::string& s, unsigned long max, const std::string& flag) {
    char* end = nullptr;
    const unsigned long v = std::strtoul(s.c_str(), &end, 10);
    if (s.empty() || *end != '\0' || v > max) {
        bad(flag + ": bad number: " + s);
    }
    return v;
}

std::array<std::uint8_t, 16> parse_ip6(const std::string& s, const std::string& flag) {
    std::array<std::uint8_t, 16> a{};
    if (::inet_pton(AF_INET6, s.c_str(), a.data()) != 1) {
        bad(flag + ": not an IPv6 address: " + s);
    }
    return a;
}

// IP:PORT or [IPv6]:PORT (RFC 3986 §3.2.2 brackets).
peer_flag parse_peer(const std::string& s, bool broadcast, bool catch_all, const std::string& flag) {
    const auto colon = s.rfind(':');
    if (colon == std::string::npos) {
        bad(flag + ": expected IP:PORT or [IPv6]:PORT, got " + s);
    }
    peer_flag p;
    if (!s.empty() && s.front() == '[') {
        if (colon < 2 || s[colon - 1] != ']') {
            bad(flag + ": expected [IPv6]:PORT, got " + s);
        }
        p.ipv6 = true;
        p.ip6 = parse_ip6(s.substr(1, colon - 2), flag);
    } else {
        p.ip4 = parse_ip4(s.substr(0, colon), flag);
    }
    p.udp = htons(static_cast<std::uint16_t>(parse_uint(s.substr(colon + 1), 65535, flag)));
    p.broadcast = broadcast;
    p.catch_all = catch_all;
    return p;
}

// PORT,addr=IP/PREFIX,udp=N[,peer=IP:PORT]...[,broadcast=IP:PORT][,learn][,mode=M][,bitrate=N]
port_flag parse_port(const std::string& spec) {
    const std::string flag = "--port " + spec;
    port_flag pf;
    std::size_t pos = 0;
    bool first = true;
    bool have_addr = false;
    bool have_udp = false;
    while (pos <= spec.size()) {
        const auto comma = spec.find(',', pos);
        const std::string item = spec.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        pos = comma == std::string::npos ? spec.size() + 1 : comma + 1;
        if (first) {
            pf.port = static_cast<std::uint16_t>(parse_uint(item, 1023, flag));
            first = false;
            continue;
        }
        const auto eq = item.find('=');
        const std::string key = item.substr(0, eq);
        const std::string val = eq == std::string::npos ? "" : item.substr(eq + 1);
        if (key == "addr" && val.find(':') != std::string::npos) {
            const auto slash = val.find('/');
            pf.ip6 = parse_ip6(val.substr(0, slash), flag);
            if (slash != std::string::npos) {
                pf.prefix6 = static_cast<std::uint8_t>(parse_uint(val.substr(slash + 1), 128, flag));
            }
            pf.has_ip6 = true;
            have_addr = true;
        } else if (key == "addr") {
            const auto slash = val.find('/');
            pf.ip4 = parse_ip4(val.substr(0, slash), flag);
            if (slash != std::string::npos) {
                pf.prefix = static_cast<std::uint8_t>(parse_uint(val.substr(slash + 1), 32, flag));
            }
            have_addr = true;
        } else if (key == "udp") {
            pf.udp = htons(static_cast<std::uint16_t>(parse_uint(val, 65535, flag)));
            have_udp = true;
        } else if (key == "peer") {
            pf.peers.push_back(parse_peer(val, false, false, flag));
        } else if (key == "forward") {
            pf.peers.push_back(parse_peer(val, false, true, flag));
        } else if (key == "broadcast") {
            pf.peers.push_back(parse_peer(val, true, true, flag));
        } else if (key == "learn") {
            pf.learn = true;
        } else if (key == "mode") {
            pf.mode = val;
        } else if (key == "ingress") {
            pf.ingress_control = val != "off";
        } else if (key == "bitrate") {
            pf.bitrate = parse_uint(val, ~0UL, flag);
        } else if (key == "netname" || key == "netkey") {
            // Commas end the item, so the names cannot hold one; empty ones are refused (the
            // reference's config treats an empty value as absent, which would silently turn
            // the access code off).
            if (val.empty()) {
                bad(flag + ": " + key + "= needs a value");
            }
            (key == "netname" ? pf.netname : pf.netkey) = val;
        } else if (key == "ifac_size") {
            // In bits like the reference's ifac_size; at most a whole 512-bit signature.
            pf.ifac_size_bits = static_cast<unsigned>(parse_uint(val, 512, flag));
            if (pf.ifac_size_bits < 8) {
                bad(flag + ": ifac_size is in bits, at least 8");
            }
        } else {
            bad(flag + ": unknown key " + key);
        }
    }
    if (!have_addr || !have_udp) {
        bad(flag + ": addr= and udp= are required");
    }
    if (pf.ifac_size_bits != 0 && !pf.has_ifac()) {
        bad(flag + ": ifac_size= without netname= or netkey=");
    }
    if (pf.learn && pf.has_ifac()) {
        // A learned peer's first packet is punted before any interface (and so any key) exists.
        bad(flag + ": learn cannot be combined with netname=/netkey=");
    }
    for (const peer_flag& p : pf.peers) {
        if (p.ipv6 ? !pf.has_ip6 : pf.ip4 == 0) {
            bad(flag + ": a peer of an address family the port has no addr= for");
        }
    }
    return pf;
}

} // namespace

namespace {

const char* port_usage() noexcept {
    return "usage: rnsrouter [EAL args] -- [router flags]\n"
           "\n"
           "Router flags:\n"
           "  --port SPEC            an ethdev port carrying RNS over UDP/IPv4 (repeatable):\n"
           "                         PORT,addr=IP[/PREFIX],udp=N[,peer=IP:PORT]...\n"
           "                         (addr= may be given twice: an IPv4 and an IPv6 address;\n"
           "                         IPv6 peers are written [IPv6]:PORT)\n"
           "                         (repeat with the same PORT and addr for more UDP listeners)\n"
           "                         [,forward=IP:PORT][,broadcast=IP:PORT][,learn][,mode=MODE]\n"
           "                         [,bitrate=BPS][,netname=NAME][,netkey=PASSPHRASE]\n"
           "                         [,ifac_size=BITS]\n"
           "                           peer=       a unicast peer (matched by address and port)\n"
           "                           forward=    like the reference UDPInterface forward_ip/port:\n"
           "                                       sends there, hears every sender on the port\n"
           "                           broadcast=  send to IP:PORT as Ethernet broadcast; also\n"
           "                                       receives from any sender (reference UDPInterface)\n"
           "                           learn       unknown senders become interfaces of their own\n"
           "                           mode=       full|gateway|access_point|pointtopoint|roaming|\n"
           "                                       boundary (spec §6.13), default full\n"
           "                           bitrate=    interface bitrate (announce cap), default 10000000\n"
           "                           ingress=off no announce ingress control (spec §6.6.1)\n"
           "                           netname=    Interface Access Code network name (spec §9;\n"
           "                                       the reference's network_name)\n"
           "                           netkey=     Interface Access Code passphrase (the\n"
           "                                       reference's passphrase). With either, every\n"
           "                                       packet on the port's interfaces carries the\n"
           "                                       code; packets without it or with a wrong one\n"
           "                                       are dropped (drop_ifac_*)\n"
           "                           ifac_size=  access code length in bits, 8..512 (bytes =\n"
           "                                       bits / 8), default 128 (16 bytes, spec §9.4)\n";
}

const char* rest_usage() noexcept {
    return "  --state-dir DIR        state directory (transport identity), default ./rnsrouter-state\n"
           "  --identity FILE        transport identity (64-byte private key) to load instead\n"
           "  --persist-slots N      open-file bound of the persistence thread (default 16, >= 2);\n"
           "                         ratchets, paths, known destinations live in --state-dir\n"
           "  --persist-fsync-ms MS  group commit interval (default 50)\n"
           "  --path-snapshot-interval SEC  path table snapshot period (default 300; 0: at stop)\n"
           "  --status-interval SEC  print a status line every SEC seconds (0: never)\n"
           "  --mbufs N              mbufs in the packet pool (default 8191)\n"
           "  --fast-entries N       paths and links the fast path holds (default 1048576; 128\n"
           "                         bytes each: 128 MiB); beyond it they stay on the slow path\n"
           "  --packet-hashes N      slots of the packet-hash table (duplicate filter and reverse\n"
           "                         entries, 16 bytes each, rounded up to a power of two; default\n"
           "                         4194304 = 64 MiB). Size it for 2 x 500000 remembered hashes\n"
           "                         plus forwarded packets/s x the time proofs take to come back,\n"
           "                         with room to spare: a hash has one bucket of 8 slots, and a\n"
           "                         full bucket gives up its oldest entry (counted as evicted)\n"
           "  --control-slice-us US  control work per slice between graph walks on a shared core:\n"
           "                         punts and announce verifications, at least one (default 30)\n"
           "  --announce-backlog N   announces waiting for verification; beyond, dropped and counted\n"
           "                         as announce_overload (default 2048)\n"
           "  --announce-cache N     verified announces remembered so that copies of them (other\n"
           "                         interfaces, rebroadcasts) need no verification (default 65536;\n"
           "                         0: off)\n"
           "  --run-seconds SEC      stop by itself after SEC seconds (tests)\n"
           "  --ready-file FILE      write the transport id there once running (tests)\n"
           "  --prometheus ADDR:PORT serve GET /metrics (Prometheus text format) there, e.g.\n"
           "                         127.0.0.1:9242 or [::1]:9242; from its own thread\n"
           "  --slow-path-only       every RNS packet goes through the control plane (testing)\n"
           "  --help                 this text\n"
           "\n"
           "Lcores: the main lcore runs the control plane; the other lcores are graph workers.\n"
           "With one lcore (-l 0) the main lcore runs both. Ports need one TX queue per worker.\n"
           "Kernel interfaces (--tcp-listen, --tcp-connect, --udp-listen) run on an io thread of\n"
           "their own; the router runs with them alone, without any --port.\n";
}

} // namespace

const char* router_usage() noexcept {
    static const std::string text = std::string(port_usage()) + kernel_iface_usage() + rest_usage();
    return text.c_str();
}

router_flags parse_router_flags(int argc, char** argv) {
    router_flags f;
    for (int i = 0; i < argc; ++i) {
        const std::string_view a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                bad(std::string(a) + " needs a value");
            }
            return argv[++i];
        };
        if (a == "--port") {
            f.ports.push_back(parse_port(value()));
        } else if (a == "--state-dir") {
            f.state_dir = value();
        } else if (a == "--identity") {
            f.identity_file = value();
        } else if (a == "--persist-slots") {
            f.persist_slots = static_cast<unsigned>(parse_uint(value(), 4096, "--persist-slots"));
            if (f.persist_slots < 2) {
                bad("--persist-slots: at least 2");
            }
        } else if (a == "--persist-fsync-ms") {
            f.persist_fsync_ms = static_cast<unsigned>(parse_uint(value(), 600000, "--persist-fsync-ms"));
        } else if (a == "--path-snapshot-interval") {
            f.path_snapshot_interval = std::strtod(value().c_str(), nullptr);
        } else if (a == "--status-interval") {
            f.status_interval = std::strtod(value().c_str(), nullptr);
        } else if (a == "--fast-entries") {
            f.fast_entries = static_cast<std::size_t>(parse_uint(value(), std::uint64_t{1} << 30, "--fast-entries"));
            if (f.fast_entries < 16) {
                throw std::invalid_argument("--fast-entries: at least 16");
            }
        } else if (a == "--packet-hashes") {
            f.packet_hashes = static_cast<std::size_t>(parse_uint(value(), std::uint64_t{1} << 32, "--packet-hashes"));
            if (f.packet_hashes < 1024) {
                throw std::invalid_argument("--packet-hashes: at least 1024");
            }
        } else if (a == "--mbufs") {
            f.mbufs = static_cast<unsigned>(parse_uint(value(), 1U << 24, "--mbufs"));
        } else if (a == "--control-slice-us") {
            f.control_slice_us = static_cast<double>(parse_uint(value(), 100000, "--control-slice-us"));
        } else if (a == "--announce-backlog") {
            f.announce_backlog = parse_uint(value(), 1U << 20, "--announce-backlog");
            if (f.announce_backlog == 0) {
                bad("--announce-backlog: at least 1");
            }
        } else if (a == "--announce-cache") {
            f.announce_cache = parse_uint(value(), 1U << 26, "--announce-cache");
        } else if (a == "--run-seconds") {
            f.run_seconds = std::strtod(value().c_str(), nullptr);
        } else if (a == "--ready-file") {
            f.ready_file = value();
        } else if (a == "--tcp-listen" || a == "--tcp-connect" || a == "--udp-listen" ||
                   a == "--max-connections") {
            (void)parse_kernel_iface_flag(f.kernel, std::string(a), value());
        } else if (a == "--prometheus") {
            // ADDR:PORT or [IPv6]:PORT (the address is checked by parse_peer's rules).
            const std::string v = value();
            const peer_flag p = parse_peer(v, false, false, "--prometheus");
            if (p.udp == 0) {
                bad("--prometheus: port 0");
            }
            f.prometheus_addr = p.ipv6 ? v.substr(1, v.rfind(':') - 2) : v.substr(0, v.rfind(':'));
            f.prometheus_port = ntohs(p.udp);
        } else if (a == "--slow-path-only") {
            f.slow_path_only = true;
        } else if (a == "--help" || a == "-h") {
            f.help = true;
        } else {
            bad("unknown flag " + std::string(a));
        }
    }
    if (f.ports.empty() && !f.kernel.any() && !f.help) {
        bad("at least one --port, --tcp-listen, --tcp-connect or --udp-listen is needed");
    }
    return f;
}

} // namespace rns::router
