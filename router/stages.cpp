#include "router/stages.hpp"

#include "drivers/dpdk_port.hpp"
#include "router/datapath/pkt_priv.hpp"
#include "router/rns/identity.hpp"

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>

#include <cstdio>
#include <stdexcept>
#include <string>

namespace rns::router {

namespace {

std::string ip6_string(const std::array<std::uint8_t, 16>& ip6) {
    char buf[INET6_ADDRSTRLEN];
    ::inet_ntop(AF_INET6, ip6.data(), buf, sizeof buf);
    return buf;
}

std::string ip_string(std::uint32_t ip4) {
    char buf[INET_ADDRSTRLEN];
    ::inet_ntop(AF_INET, &ip4, buf, sizeof buf);
    return buf;
}

} // namespace

eal_session::eal_session(int argc, char** argv) {
    const int n = rte_eal_init(argc, argv);
    if (n < 0) {
        throw eal_error(std::string("EAL initialisation failed: ") + rte_strerror(rte_errno));
    }
    _consumed = n;
}

eal_session::~eal_session() { (void)rte_eal_cleanup(); }

mbuf_pool::mbuf_pool(unsigned mbufs)
    : _pool(rte_pktmbuf_pool_create("rns_pool", mbufs, 256, datapath::pkt_priv_size,
                                    RTE_MBUF_DEFAULT_BUF_SIZE, static_cast<int>(rte_socket_id()))) {
    if (_pool == nullptr) {
        throw std::runtime_error(std::string("cannot create the mbuf pool: ") + rte_strerror(rte_errno));
    }
}

mbuf_pool::~mbuf_pool() { rte_mempool_free(_pool); }

port_set::port_set(const router_flags& flags, datapath::dataplane& dp, rte_mempool* pool,
                   std::uint16_t queues) {
    try {
        for (const port_flag& pf : flags.ports) {
            datapath::port_l3& l3 = dp.ports[pf.port];
            // A repeated --port for the same device adds a listener (another UDP port on it).
            if (l3.enabled) {
                if (pf.ip4 != l3.ip4 || pf.has_ip6 != l3.has_ip6 || pf.ip6 != l3.ip6 ||
                    l3.n_listeners == datapath::max_listeners || l3.listener(pf.udp) != nullptr) {
                    throw std::runtime_error("--port " + std::to_string(pf.port) +
                                             ": a repeated port needs the same addr and a new udp port");
                }
                l3.listeners[l3.n_listeners++] = {pf.udp, pf.learn, datapath::no_iface};
                std::printf("port %u: RNS UDP port %u\n", pf.port, ntohs(pf.udp));
                continue;
            }
            drivers::port_request req;
            req.port_id = pf.port;
            req.rx_queues = queues;
            req.tx_queues = queues;
            req.pool = pool;
            const auto info = drivers::setup_port(req);
            _queues.push_back({pf.port, info.rx_queues}); // started: closed by the destructor
            l3.enabled = true;
            l3.mac = info.mac;
            l3.ip4 = pf.ip4;
            const std::uint32_t mask = pf.prefix == 0 ? 0 : htonl(~std::uint32_t{0} << (32 - pf.prefix));
            l3.bcast4 = pf.ip4 | ~mask;
            l3.has_ip6 = pf.has_ip6;
            l3.ip6 = pf.ip6;
            if (pf.has_ip6) {
                std::printf("port %u: IPv6 address %s/%u\n", pf.port, ip6_string(pf.ip6).c_str(),
                            pf.prefix6);
            }
            l3.listeners[0] = {pf.udp, pf.learn, datapath::no_iface};
            l3.n_listeners = 1;
            l3.ip_cksum_offload = info.ip_cksum_offload;
            l3.udp_cksum_offload = info.udp_cksum_offload;
            std::printf("port %u (%s, %s): mac %s, address %s/%u, RNS UDP port %u, %u RX queue(s)%s\n",
                        pf.port, info.name.c_str(), info.driver.c_str(),
                        drivers::mac_to_string(info.mac).c_str(), ip_string(pf.ip4).c_str(),
                        pf.prefix, ntohs(pf.udp), info.rx_queues, info.rss ? " with RSS" : "");
        }
    } catch (...) {
        close_all(); // a throwing constructor runs no destructor: close what was started
        throw;
    }
}

port_set::~port_set() { close_all(); }

void port_set::close_all() noexcept {
    for (const datapath::port_queues& p : _queues) {
        drivers::close_port(p.port);
    }
    _queues.clear();
}

interfaces::interfaces(const router_flags& flags, datapath::dataplane& dp,
                       ctlplane::control_plane& cp, double now)
    : _dp(dp) {
    try {
        add_all(flags, cp, now);
    } catch (...) {
        _dp.ifac_keys.fill(nullptr); // the keys go with this half-built object
        throw;
    }
}

void interfaces::add_all(const router_flags& flags, ctlplane::control_plane& cp, double now) {
    datapath::dataplane& dp = _dp;
    for (const port_flag& pf : flags.ports) {
        const ifac::key* ifac_key = nullptr;
        if (pf.has_ifac()) {
            const std::size_t size = ifac::size_from_config_bits(
                pf.ifac_size_bits, ifac::default_size_stream); // UDP: spec §9.4
            auto k = ifac::key::derive(pf.netname, pf.netkey, size);
            if (!k) {
                throw std::runtime_error("--port " + std::to_string(pf.port) + ": cannot derive the IFAC key");
            }
            _keys.push_back(std::make_unique<const ifac::key>(std::move(*k)));
            ifac_key = _keys.back().get();
        }
        control::iface_config cfg;
        const auto mode = control::parse_iface_mode(pf.mode);
        if (!mode) {
            throw std::runtime_error("--port " + std::to_string(pf.port) + ": unknown mode " + pf.mode);
        }
        cfg.mode = *mode;
        cfg.bitrate = pf.bitrate;
        cfg.ingress_control = pf.ingress_control;
        for (const peer_flag& peer : pf.peers) {
            ctlplane::udp_iface_spec spec;
            spec.eth_port = pf.port;
            spec.listen_udp = pf.udp;
            spec.ip4 = peer.ip4;
            spec.ipv6 = peer.ipv6;
            spec.ip6 = peer.ip6;
            spec.udp = peer.udp;
            spec.broadcast = peer.broadcast;
            spec.catch_all = peer.catch_all;
            spec.cfg = cfg;
            spec.cfg.name = "udp" + std::to_string(pf.port) + "[" +
                            (peer.ipv6 ? "[" + ip6_string(peer.ip6) + "]" : ip_string(peer.ip4)) + ":" +
                            std::to_string(ntohs(peer.udp)) + "]";
            const auto id = cp.add_udp_iface(spec, now);
            if (ifac_key != nullptr) {
                dp.ifac_keys.at(id) = ifac_key;
            }
            std::printf("interface %u: %s%s", id, spec.cfg.name.c_str(),
                        peer.broadcast ? " (broadcast)" : "");
            if (ifac_key != nullptr) {
                std::printf(" (IFAC, %zu bytes)", ifac_key->size());
            }
            std::printf("\n");
        }
        if (pf.learn) {
            cfg.name = "udp" + std::to_string(pf.port);
            cp.set_learned_template(pf.port, pf.udp, cfg);
        }
    }
}

interfaces::~interfaces() { _dp.ifac_keys.fill(nullptr); }

kernel_interfaces::kernel_interfaces(const router_flags& flags, datapath::dataplane& dp,
                                     rte_mempool* pool) {
    if (flags.kernel.any()) {
        _bridge = std::make_unique<ctlplane::io_bridge>(flags.kernel, pool, dp);
    }
}

void kernel_interfaces::start(ctlplane::control_plane& cp) {
    if (!_bridge) {
        return;
    }
    _bridge->start(cp.transport());
    const io::io_config& kc = _bridge->flags().io;
    for (const auto& l : kc.listeners) {
        std::printf("tcp listener %s (HDLC)\n", io::to_string(l.listen).c_str());
    }
    for (const auto& c : kc.clients) {
        std::printf("tcp client to %s (HDLC)\n", io::to_string(c.peer).c_str());
    }
    for (const auto& u : kc.udps) {
        std::printf("udp interface %s%s%s\n", io::to_string(u.listen).c_str(),
                    u.forward ? (" forward " + io::to_string(*u.forward)).c_str() : "",
                    u.broadcast ? " (broadcast)" : "");
    }
    std::printf("io thread: %u socket slots (--max-connections)\n", kc.max_connections);
}

void kernel_interfaces::stop(double now) {
    if (_bridge) {
        _bridge->stop(now);
    }
}

byte_array<64> load_transport_key(const router_flags& flags) {
    identity_file_result loaded;
    if (flags.identity_file.empty()) {
        ::mkdir(flags.state_dir.c_str(), 0700);
        loaded = identity::from_file_or_create(flags.state_dir + "/" + transport_identity_file);
    } else {
        loaded = identity::from_file(flags.identity_file);
    }
    if (!loaded) {
        throw std::runtime_error("transport identity: " + loaded.error);
    }
    return loaded.id->private_key();
}

metrics_endpoint::metrics_endpoint(const router_flags& flags) {
    if (flags.prometheus_port != 0) {
        _server = std::make_unique<ctlplane::prometheus_server>(flags.prometheus_addr, flags.prometheus_port);
        std::printf("prometheus: /metrics on %s port %u\n", flags.prometheus_addr.c_str(), flags.prometheus_port);
    }
}

metrics_endpoint::~metrics_endpoint() = default;

void notify_service_manager(const char* state) noexcept {
    const char* path = std::getenv("NOTIFY_SOCKET");
    if (path == nullptr || *path == '\0') {
        return;
    }
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    const std::size_t n = std::strlen(path);
    if (n >= sizeof sa.sun_path || (path[0] != '/' && path[0] != '@')) {
        std::fprintf(stderr, "rnsrouter: NOTIFY_SOCKET %s: not a socket path\n", path);
        return;
    }
    std::memcpy(sa.sun_path, path, n);
    if (path[0] == '@') {
        sa.sun_path[0] = '\0'; // an abstract socket (sd_notify(3))
    }
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + n);
    if (fd < 0 || ::sendto(fd, state, std::strlen(state), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&sa), len) < 0) {
        std::fprintf(stderr, "rnsrouter: NOTIFY_SOCKET %s: %s\n", path, std::strerror(errno));
    }
    if (fd >= 0) {
        ::close(fd);
    }
}

} // namespace rns::router
