// rnsgen: a DPDK traffic generator for the forwarding benchmark (tools/bench/run forward).
//
//   rnsgen [EAL args] -- --router IP --self IP [--phase setup|traffic|both] [--udp N]
//                        [--paths N] [--links N] [--mixes data,link,proof] [--payloads 64,400]
//                        [--seconds S] [--rate PPS] [--setup-timeout S] [--proof-batch N]
//                        [--transport-id HEX] [--telemetry SOCKET] [--flood-rate R]
//                        [--dup-rate R] [--dup-set N] [--announce-rate R] [--data-rate R]
//                        [--dest HEX]
//
// Port 0 (e.g. net_memif) faces the device under test (rnsgen.hpp). The router must be
// configured with broadcast=<--self>:<--udp>, so that it sends its announce rebroadcasts here.
//  setup (phase setup/both): announces --paths destinations of one fresh identity and re-announces
//            the ones whose rebroadcast did not come back, until all are confirmed or the timeout
//            (rnsgen_setup.cpp); if the link mix is asked for, then establishes --links links.
//  traffic (phase traffic/both): for each mix, for each payload size, one measurement
//            (rnsgen_traffic.cpp), each printed as
//            "rnsgen: result mix M payload P sent N received R seconds S tx_pps T rx_pps X".
//  data:  HEADER_2 DATA to --transport-id (the router) for the destinations, round robin;
//  link:  HEADER_1 DATA to the established link ids (spec §6.5);
//  proof: PROOFs for DATA packets the router forwarded just before (reverse table, spec §6.11).
//  announce, duplicate, data_announce: the announce mixes (rnsgen_announce.cpp), rates from the
//         router's counters read through its telemetry socket (--telemetry).
// With --phase traffic (dpdk-testpmd, which echoes whatever it gets) only the data mix makes sense.
// --dest sends the data mix to one destination announced by someone else (tools/bench/run tcp: a
// TCP peer of the router), which counts what arrives; rnsgen's own received count is then 0.
#include "tools/rnsgen.hpp"

#include "crypto/random.hpp"

#include <rte_eal.h>

#include <arpa/inet.h>

#include <cstdio>
#include <stdexcept>

namespace rnsgen {

namespace {

bool is_announce_mix(const std::string& m) {
    return m == "announce" || m == "duplicate" || m == "data_announce";
}

std::uint32_t ip_of(const char* s) {
    in_addr a{};
    if (::inet_pton(AF_INET, s, &a) != 1) {
        throw std::invalid_argument(std::string("bad IPv4 address ") + s);
    }
    return a.s_addr;
}

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos <= s.size()) {
        const std::size_t comma = s.find(',', pos);
        out.push_back(s.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
        pos = comma == std::string::npos ? s.size() + 1 : comma + 1;
    }
    return out;
}

} // namespace

options parse_options(int argc, char** argv) {
    options o;
    for (int i = 0; i + 1 < argc; i += 2) {
        const std::string k = argv[i];
        const char* v = argv[i + 1];
        if (k == "--phase") {
            o.phase = v;
        } else if (k == "--router") {
            o.router = ip_of(v);
        } else if (k == "--self") {
            o.self = ip_of(v);
        } else if (k == "--udp") {
            o.udp = static_cast<std::uint16_t>(std::stoul(v));
        } else if (k == "--paths") {
            o.paths = static_cast<unsigned>(std::stoul(v));
        } else if (k == "--links") {
            o.links = static_cast<unsigned>(std::stoul(v));
        } else if (k == "--proof-batch") {
            o.proof_batch = static_cast<unsigned>(std::stoul(v));
        } else if (k == "--mixes") {
            o.mixes = split(v);
        } else if (k == "--payloads") {
            o.payloads.clear();
            for (const std::string& p : split(v)) {
                o.payloads.push_back(static_cast<unsigned>(std::stoul(p)));
            }
        } else if (k == "--seconds") {
            o.seconds = std::stod(v);
        } else if (k == "--rate") {
            o.rate = std::stod(v);
        } else if (k == "--setup-timeout") {
            o.setup_timeout = std::stod(v);
        } else if (k == "--flood-rate") {
            o.flood_rate = std::stod(v);
        } else if (k == "--dup-rate") {
            o.dup_rate = std::stod(v);
        } else if (k == "--dup-set") {
            o.dup_set = static_cast<unsigned>(std::stoul(v));
        } else if (k == "--announce-rate") {
            o.announce_rate = std::stod(v);
        } else if (k == "--data-rate") {
            o.data_rate = std::stod(v);
        } else if (k == "--telemetry") {
            o.telemetry = v;
        } else if (k == "--transport-id") {
            const auto b = rns::array_from_hex<16>(v);
            if (!b) {
                throw std::invalid_argument("bad --transport-id");
            }
            o.transport_id = *b;
        } else if (k == "--dest") {
            const auto b = rns::array_from_hex<16>(v);
            if (!b) {
                throw std::invalid_argument("bad --dest");
            }
            o.dest = *b;
        } else {
            throw std::invalid_argument("unknown flag " + k);
        }
    }
    if (o.router == 0 || o.self == 0) {
        throw std::invalid_argument("--router and --self are required");
    }
    for (const unsigned p : o.payloads) {
        // 8 bytes of counter; the largest packet is HEADER_2 (35) + payload within the MTU (500).
        if (p < 8 || p > 464) {
            throw std::invalid_argument("--payloads: 8..464 bytes");
        }
    }
    for (const std::string& m : o.mixes) {
        if (m != "data" && m != "link" && m != "proof" && !is_announce_mix(m)) {
            throw std::invalid_argument("--mixes: data, link, proof, announce, duplicate, data_announce");
        }
    }
    if (o.paths == 0 || o.rate <= 0 || o.proof_batch == 0) {
        throw std::invalid_argument("--paths, --rate and --proof-batch must be positive");
    }
    if (o.flood_rate <= 0 || o.announce_rate <= 0 || o.dup_rate < 0 || o.data_rate < 0 || o.dup_set == 0) {
        throw std::invalid_argument("--flood-rate, --announce-rate, --dup-set positive; --dup-rate, --data-rate >= 0");
    }
    return o;
}

namespace {

int run(int argc, char** argv) {
    const int eal = rte_eal_init(argc, argv);
    if (eal < 0) {
        std::fprintf(stderr, "rnsgen: EAL init failed\n");
        return 1;
    }
    const options o = parse_options(argc - eal - 1, argv + eal + 1);
    if (!rns::crypto::init()) {
        throw std::runtime_error("libsodium init failed");
    }
    rte_mempool* pool = rte_pktmbuf_pool_create("gen_pool", 16383, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                                static_cast<int>(rte_socket_id()));
    if (pool == nullptr || rte_eth_dev_count_avail() == 0) {
        throw std::runtime_error("no mbuf pool or no port");
    }
    const std::uint16_t port = 0;
    rte_eth_conf conf{};
    if (rte_eth_dev_configure(port, 1, 1, &conf) != 0 ||
        rte_eth_rx_queue_setup(port, 0, 1024, rte_socket_id(), nullptr, pool) != 0 ||
        rte_eth_tx_queue_setup(port, 0, 1024, rte_socket_id(), nullptr) != 0 ||
        rte_eth_dev_start(port) != 0) {
        throw std::runtime_error("port set-up failed");
    }
    // memif connects asynchronously: wait (bounded) for the link.
    for (int i = 0; i < 300; ++i) {
        rte_eth_link link{};
        (void)rte_eth_link_get_nowait(port, &link);
        if (link.link_status != 0) {
            break;
        }
        rte_delay_ms(100);
    }
    port_io io(o, pool, port);
    state s;
    if (o.phase == "setup" || o.phase == "both") {
        announce_all(o, io, s);
        for (const std::string& m : o.mixes) {
            if (m == "link") {
                establish_links(o, io, s);
                break;
            }
        }
    }
    if (o.phase == "traffic" || o.phase == "both") {
        if (o.dest) {
            s.dests.assign(1, *o.dest);
        } else if (s.dests.empty()) {
            // Nobody announced them (testpmd does not care): any destination hashes will do.
            s.dests.resize(o.paths);
            for (unsigned i = 0; i < o.paths; ++i) {
                s.dests[i] = rns::crypto::random_array<16>();
            }
        }
        for (const std::string& m : o.mixes) {
            if (is_announce_mix(m)) {
                measure_announces(o, io, s, m);
                continue;
            }
            for (const unsigned payload : o.payloads) {
                const result r = measure(o, io, s, m, payload);
                if (r.sent == 0 || r.received > r.sent) {
                    std::fprintf(stderr, "rnsgen: warning: mix %s payload %u: sent %llu received %llu: not a "
                                 "valid measurement (port stalled or duplicated frames)\n",
                                 m.c_str(), payload, static_cast<unsigned long long>(r.sent),
                                 static_cast<unsigned long long>(r.received));
                }
                const double secs = r.seconds > 0 ? r.seconds : 1;
                if (m == "data" && payload == 64) {
                    s.data_rx_pps = static_cast<double>(r.received) / secs;
                }
                std::printf("rnsgen: result mix %s payload %u sent %llu received %llu seconds %.3f "
                            "tx_pps %.0f rx_pps %.0f\n",
                            m.c_str(), payload, static_cast<unsigned long long>(r.sent),
                            static_cast<unsigned long long>(r.received), r.seconds,
                            static_cast<double>(r.sent) / secs, static_cast<double>(r.received) / secs);
                std::fflush(stdout);
            }
        }
    }
    (void)rte_eth_dev_stop(port);
    (void)rte_eth_dev_close(port);
    return 0;
}

} // namespace

} // namespace rnsgen

int main(int argc, char** argv) {
    int rc = 1;
    try {
        rc = rnsgen::run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "rnsgen: %s\n", e.what());
    }
    rte_eal_cleanup();
    return rc;
}
