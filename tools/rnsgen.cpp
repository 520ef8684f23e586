// rnsgen: a DPDK traffic generator for the forwarding benchmark (tools/bench forward).
//
//   rnsgen [EAL args] -- --phase announce|traffic --router IP --self IP [--udp N] [--paths N]
//                        [--payload BYTES] [--seconds S] [--rate PPS] [--transport-id HEX]
//
// Port 0 (e.g. net_memif) faces the device under test. Frames go to the Ethernet broadcast
// address (the router accepts them; no ARP needed) as UDP/IPv4 from --self to --router.
//  announce: announces --paths destinations of one fresh identity (HEADER_1, hops 0), paced at
//            --rate per second, so the router's path table holds them (via this port).
//  traffic:  sends HEADER_2 DATA packets addressed to --transport-id (the router) for those
//            destinations, round robin, each unique (a counter in the payload, so the duplicate
//            filter passes them), as fast as the port takes them, for --seconds; counts the
//            packets that come back (forwarded by the router, or echoed by testpmd) and prints
//            "rnsgen: sent N received M seconds S rx_pps P".
// The destination names are deterministic ("rnsbench.dest.<i>") but the identity is fresh, so
// the announce and traffic phases must run in the same rnsgen process: use --phase both.
#include "router/rns/announce.hpp"
#include "router/rns/destination.hpp"
#include "router/rns/identity.hpp"
#include "router/rns/packet.hpp"

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include <arpa/inet.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

struct options {
    std::string phase = "both";
    std::uint32_t router = 0;
    std::uint32_t self = 0;
    std::uint16_t udp = 4242;
    unsigned paths = 100000;
    unsigned payload = 64;
    double seconds = 5;
    double rate = 5000;
    rns::hash16 transport_id{};
};

std::uint32_t ip_of(const char* s) {
    in_addr a{};
    if (::inet_pton(AF_INET, s, &a) != 1) {
        throw std::invalid_argument(std::string("bad IPv4 address ") + s);
    }
    return a.s_addr;
}

options parse(int argc, char** argv) {
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
        } else if (k == "--payload") {
            o.payload = static_cast<unsigned>(std::stoul(v));
        } else if (k == "--seconds") {
            o.seconds = std::stod(v);
        } else if (k == "--rate") {
            o.rate = std::stod(v);
        } else if (k == "--transport-id") {
            const auto b = rns::array_from_hex<16>(v);
            if (!b) {
                throw std::invalid_argument("bad --transport-id");
            }
            o.transport_id = *b;
        } else {
            throw std::invalid_argument("unknown flag " + k);
        }
    }
    if (o.router == 0 || o.self == 0 || o.payload > rns::plain_mdu) {
        throw std::invalid_argument("--router and --self are required; --payload <= 464");
    }
    return o;
}

constexpr std::uint16_t hdr_len = sizeof(rte_ether_hdr) + sizeof(rte_ipv4_hdr) + sizeof(rte_udp_hdr);

/// Frame = Ethernet (broadcast) / IPv4 / UDP / raw, written into a fresh mbuf.
rte_mbuf* frame(rte_mempool* pool, const options& o, const rte_ether_addr& mac,
                const std::uint8_t* raw, std::size_t len) {
    rte_mbuf* m = rte_pktmbuf_alloc(pool);
    if (m == nullptr) {
        return nullptr;
    }
    auto* eth = reinterpret_cast<rte_ether_hdr*>(
        rte_pktmbuf_append(m, static_cast<std::uint16_t>(hdr_len + len)));
    if (eth == nullptr) {
        rte_pktmbuf_free(m);
        return nullptr;
    }
    std::memset(&eth->dst_addr, 0xff, sizeof eth->dst_addr);
    eth->src_addr = mac;
    eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
    auto* ip = reinterpret_cast<rte_ipv4_hdr*>(eth + 1);
    std::memset(ip, 0, sizeof *ip);
    ip->version_ihl = RTE_IPV4_VHL_DEF;
    ip->total_length = rte_cpu_to_be_16(static_cast<std::uint16_t>(sizeof(rte_ipv4_hdr) + sizeof(rte_udp_hdr) + len));
    ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
    ip->time_to_live = 64;
    ip->next_proto_id = IPPROTO_UDP;
    ip->src_addr = o.self;
    ip->dst_addr = o.router;
    ip->hdr_checksum = rte_ipv4_cksum(ip);
    auto* udp = reinterpret_cast<rte_udp_hdr*>(ip + 1);
    udp->src_port = htons(o.udp);
    udp->dst_port = htons(o.udp);
    udp->dgram_len = rte_cpu_to_be_16(static_cast<std::uint16_t>(sizeof(rte_udp_hdr) + len));
    udp->dgram_cksum = 0; // optional over IPv4 (RFC 768): the generator does not pay for it
    std::memcpy(udp + 1, raw, len);
    return m;
}

unsigned drain(std::uint16_t port) {
    rte_mbuf* rx[64];
    unsigned total = 0;
    for (;;) {
        const std::uint16_t n = rte_eth_rx_burst(port, 0, rx, 64);
        rte_pktmbuf_free_bulk(rx, n);
        total += n;
        if (n < 64) {
            return total;
        }
    }
}

int run(int argc, char** argv) {
    const int eal = rte_eal_init(argc, argv);
    if (eal < 0) {
        std::fprintf(stderr, "rnsgen: EAL init failed\n");
        return 1;
    }
    const options o = parse(argc - eal - 1, argv + eal + 1);
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
    rte_ether_addr mac{};
    (void)rte_eth_macaddr_get(port, &mac);
    // memif connects asynchronously: wait (bounded) for the link.
    for (int i = 0; i < 300; ++i) {
        rte_eth_link link{};
        (void)rte_eth_link_get_nowait(port, &link);
        if (link.link_status != 0) {
            break;
        }
        rte_delay_ms(100);
    }

    const rns::identity id = rns::identity::generate();
    std::vector<rns::hash16> dests(o.paths);
    for (unsigned i = 0; i < o.paths; ++i) {
        const std::string n = std::to_string(i);
        dests[i] = rns::destination_hash(rns::name_hash("rnsbench", {"dest", n}), id.hash());
    }
    const std::uint64_t hz = rte_get_tsc_hz();
    if (o.phase == "announce" || o.phase == "both") {
        const auto now = static_cast<std::uint64_t>(
            std::chrono::system_clock::now().time_since_epoch() / std::chrono::seconds(1));
        const std::uint64_t gap = static_cast<std::uint64_t>(static_cast<double>(hz) / o.rate);
        std::uint64_t next = rte_rdtsc();
        unsigned sent = 0;
        for (unsigned i = 0; i < o.paths; ++i) {
            const std::string n = std::to_string(i);
            rns::announce_params ap;
            ap.name_hash = rns::name_hash("rnsbench", {"dest", n});
            ap.random = rns::make_random_hash(now);
            const rns::bytes a = rns::build_announce(id, ap);
            while (rte_rdtsc() < next) {
                (void)drain(port);
            }
            next += gap;
            rte_mbuf* m = frame(pool, o, mac, a.data(), a.size());
            if (m != nullptr && rte_eth_tx_burst(port, 0, &m, 1) == 1) {
                ++sent;
            } else if (m != nullptr) {
                rte_pktmbuf_free(m);
            }
        }
        std::printf("rnsgen: announced %u of %u destinations\n", sent, o.paths);
        std::fflush(stdout);
        // Let the router finish validating and rebroadcasting (two sends per announce, the
        // second ~6 s after the first, spec §6.7); we discard what comes back.
        const std::uint64_t until = rte_rdtsc() + 9 * hz;
        while (rte_rdtsc() < until) {
            (void)drain(port);
        }
    }
    if (o.phase == "traffic" || o.phase == "both") {
        // HEADER_2 DATA to the router's transport id: spec §6.4 forwarding. Context NONE,
        // payload = an 8-byte counter (unique packet hash) + filler.
        std::vector<std::uint8_t> pkt(rns::header_maxsize + o.payload, 0x5a);
        pkt[0] = 0x50; // HEADER_2, TRANSPORT, SINGLE, DATA (spec §4.1)
        pkt[1] = 0;
        std::memcpy(&pkt[2], o.transport_id.data(), 16);
        pkt[34] = rns::ctx::none;
        std::uint64_t counter = 0;
        std::uint64_t sent = 0;
        std::uint64_t received = 0;
        const std::uint64_t start = rte_rdtsc();
        const std::uint64_t end = start + static_cast<std::uint64_t>(o.seconds * static_cast<double>(hz));
        rte_mbuf* burst[32];
        while (rte_rdtsc() < end) {
            unsigned n = 0;
            for (; n < 32; ++n) {
                std::memcpy(&pkt[18], dests[counter % o.paths].data(), 16);
                std::memcpy(&pkt[35], &counter, sizeof counter);
                ++counter;
                burst[n] = frame(pool, o, mac, pkt.data(), pkt.size());
                if (burst[n] == nullptr) {
                    break;
                }
            }
            const std::uint16_t tx = rte_eth_tx_burst(port, 0, burst, static_cast<std::uint16_t>(n));
            rte_pktmbuf_free_bulk(burst + tx, n - tx);
            sent += tx;
            received += drain(port);
        }
        const double secs = static_cast<double>(rte_rdtsc() - start) / static_cast<double>(hz);
        const std::uint64_t tail_end = rte_rdtsc() + hz / 5;
        while (rte_rdtsc() < tail_end) {
            received += drain(port);
        }
        std::printf("rnsgen: sent %llu received %llu seconds %.2f tx_pps %.0f rx_pps %.0f\n",
                    static_cast<unsigned long long>(sent), static_cast<unsigned long long>(received),
                    secs, static_cast<double>(sent) / secs, static_cast<double>(received) / secs);
    }
    (void)rte_eth_dev_stop(port);
    (void)rte_eth_dev_close(port);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    int rc = 1;
    try {
        rc = run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "rnsgen: %s\n", e.what());
    }
    rte_eal_cleanup();
    return rc;
}
