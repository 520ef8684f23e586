#pragma once
// The owned start-up stages of rnsrouter (main.cpp runs them in order): each owner's destructor
// releases what its constructor acquired, so a failure at any stage unwinds what was built and
// main prints one message. Failures are thrown as std::runtime_error with a message that says
// what failed.

#include "router/config.hpp"
#include "router/ctlplane/control_plane.hpp"
#include "router/ctlplane/io_bridge.hpp"
#include "router/ctlplane/prometheus.hpp"
#include "router/datapath/dataplane.hpp"
#include "router/datapath/graph_setup.hpp"
#include "router/rns/ifac.hpp"

#include <rte_mempool.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <vector>

namespace rns::router {

/// The EAL refused its arguments (main prints the usage with it).
struct eal_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// The DPDK environment: rte_eal_init on construction, rte_eal_cleanup on destruction.
class eal_session {
  public:
    /// Throws std::runtime_error (with DPDK's reason) when the EAL does not start.
    eal_session(int argc, char** argv);
    ~eal_session();
    eal_session(const eal_session&) = delete;
    eal_session& operator=(const eal_session&) = delete;

    /// argv index of the first argument after the EAL's (the router flags follow a `--`).
    [[nodiscard]] int consumed() const noexcept { return _consumed; }

  private:
    int _consumed = 0;
};

/// The packet mbuf pool (every mbuf carries the router's private area).
class mbuf_pool {
  public:
    explicit mbuf_pool(unsigned mbufs);
    ~mbuf_pool();
    mbuf_pool(const mbuf_pool&) = delete;
    mbuf_pool& operator=(const mbuf_pool&) = delete;

    [[nodiscard]] rte_mempool* get() const noexcept { return _pool; }

  private:
    rte_mempool* _pool = nullptr;
};

/// The ethdev ports of the --port flags, set up and started (layer-3 settings written into dp);
/// stopped and closed on destruction.
class port_set {
  public:
    port_set(const router_flags& flags, datapath::dataplane& dp, rte_mempool* pool,
             std::uint16_t queues);
    ~port_set();
    port_set(const port_set&) = delete;
    port_set& operator=(const port_set&) = delete;

    /// RX queues of each port, for graph construction.
    [[nodiscard]] const std::vector<datapath::port_queues>& queues() const noexcept { return _queues; }

  private:
    void close_all() noexcept;

    std::vector<datapath::port_queues> _queues;
};

/// The RNS interfaces of the --port flags (peers, broadcast, learning templates) added to the
/// control plane, with their IFAC keys (spec §9.1). The workers read the keys through
/// dp.ifac_keys, so this must outlive the workers.
class interfaces {
  public:
    interfaces(const router_flags& flags, datapath::dataplane& dp, ctlplane::control_plane& cp,
               double now);
    ~interfaces();
    interfaces(const interfaces&) = delete;
    interfaces& operator=(const interfaces&) = delete;

  private:
    void add_all(const router_flags& flags, ctlplane::control_plane& cp, double now);

    datapath::dataplane& _dp;
    std::vector<std::unique_ptr<const ifac::key>> _keys;
};

/// The kernel interfaces of --tcp-listen, --tcp-connect and --udp-listen: the io thread and its
/// bridge (router/ctlplane/io_bridge.hpp). Built before the graphs (it sets dp.io, so that they
/// poll and feed the io rings); started once the control plane exists. stop() at shutdown, while
/// the control plane still lives, removes the interfaces; the destructor stops the io thread (every
/// socket closed) on any path. Without such flags it holds nothing.
class kernel_interfaces {
  public:
    kernel_interfaces(const router_flags& flags, datapath::dataplane& dp, rte_mempool* pool);
    ~kernel_interfaces() = default;
    kernel_interfaces(const kernel_interfaces&) = delete;
    kernel_interfaces& operator=(const kernel_interfaces&) = delete;

    /// Opens the sockets (errors thrown, e.g. an address in use) and prints what listens where.
    void start(ctlplane::control_plane& cp);
    /// Closes every socket and removes its interfaces from the transport.
    void stop(double now);
    /// nullptr without kernel interfaces.
    [[nodiscard]] ctlplane::io_bridge* bridge() const noexcept { return _bridge.get(); }

  private:
    std::unique_ptr<ctlplane::io_bridge> _bridge;
};

/// The transport identity's private key: --identity-file, else <state_dir>/transport_identity
/// (created if absent). Throws when it can be neither read nor created.
[[nodiscard]] byte_array<64> load_transport_key(const router_flags& flags);

/// --prometheus: the /metrics listener and its thread (router/ctlplane/prometheus.hpp), started
/// after telemetry; the destructor stops the thread. Without the flag it holds nothing. Throws
/// (the address named) when it cannot listen.
class metrics_endpoint {
  public:
    explicit metrics_endpoint(const router_flags& flags);
    ~metrics_endpoint();
    metrics_endpoint(const metrics_endpoint&) = delete;
    metrics_endpoint& operator=(const metrics_endpoint&) = delete;

  private:
    std::unique_ptr<ctlplane::prometheus_server> _server;
};

/// systemd readiness (sd_notify(3) protocol, without libsystemd): when NOTIFY_SOCKET names a
/// datagram socket, sends it `state` ("READY=1" once the ports are up and the workers run,
/// "STOPPING=1" at stop). Silent without NOTIFY_SOCKET; a failure is printed, never fatal.
void notify_service_manager(const char* state) noexcept;

} // namespace rns::router
