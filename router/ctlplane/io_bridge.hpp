#pragma once
// The control lcore's side of the kernel interfaces: owns the io thread and its mbuf seam,
// gives the data plane its io_port (rings and the io-id → RNS-interface map), and turns the io
// thread's interface events into RNS interfaces of the transport:
//   up    add_interface with the configured settings (spawned connections inherit their
//         listener's, spec §9.1 / §10.5), IFAC key, outbound entry (iface_tx.io), then the
//         inbound mapping (release store: a worker that sees it also sees the key);
//   down  inbound mapping cleared, outbound entry removed, remove_interface (its paths, links
//         and reverse entries go at once).
// The IFAC key pointers stay in dataplane::ifac_keys after removal (a packet still in flight
// must not see an IFAC interface without its key); the keys live as long as the bridge.
// Also registers /rns/io in telemetry: loop statistics and per-interface socket counters.
// An up event beyond the data plane's interface arrays (max_ifaces) is refused: the interface is
// never confirmed, so nothing is received on it; counted as ifaces_refused.

#include "drivers/io/io_thread.hpp"
#include "drivers/io/mbuf_seam.hpp"
#include "router/config_io.hpp"
#include "router/control/transport.hpp"
#include "router/datapath/dataplane.hpp"
#include "router/rns/ifac.hpp"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace rns::ctlplane {

class io_bridge {
  public:
    /// Creates the seam and dp.io; call before the graphs are built. Throws on bad settings.
    io_bridge(const kernel_iface_flags& flags, rte_mempool* pool, datapath::dataplane& dp);
    ~io_bridge();
    io_bridge(const io_bridge&) = delete;
    io_bridge& operator=(const io_bridge&) = delete;

    /// Starts the io thread (sockets are created here; errors are thrown, e.g. a port in use).
    void start(control::transport& t);
    /// Control loop: applies interface events. Returns how many.
    unsigned poll(double now);
    /// Stops the io thread (every socket closed) and removes its interfaces.
    void stop(double now);

    [[nodiscard]] const io::engine* engine() const noexcept { return _thread ? &_thread->eng() : nullptr; }
    [[nodiscard]] const io::mbuf_seam& seam() const noexcept { return *_seam; }
    /// The peer (spawned, client) or local (UDP) address of an RNS interface; empty if not ours.
    [[nodiscard]] std::string peer_of(control::iface_id id) const;
    [[nodiscard]] const kernel_iface_flags& flags() const noexcept { return _flags; }
    /// The RNS name of a configured interface (name=, else derived from kind and address).
    [[nodiscard]] std::string name_of(io::iface_kind k, std::size_t config) const;
    /// Up events that found no room for another RNS interface.
    [[nodiscard]] std::uint64_t ifaces_refused() const noexcept {
        return _refused.load(std::memory_order_relaxed);
    }

  private:
    struct live {
        control::iface_id rns = control::no_iface;
        std::string peer;
    };
    kernel_iface_flags _flags;
    datapath::dataplane& _dp;
    std::unique_ptr<io::mbuf_seam> _seam;
    datapath::io_port _port;
    std::unique_ptr<io::io_thread> _thread;
    control::transport* _transport = nullptr;
    /// IFAC keys per configured interface (listeners, clients, udps in that order), or nullptr.
    std::vector<std::unique_ptr<const ifac::key>> _keys;
    std::vector<live> _live; ///< by io interface id
    std::vector<std::string> _peer_by_rns;
    std::atomic<std::uint64_t> _refused{0}; ///< control thread writes, telemetry reads

    void up(const io::iface_event& e, double now);
    void down(const io::iface_event& e, double now);
    [[nodiscard]] const kernel_iface_settings& settings(io::iface_kind k, std::uint16_t config) const;
    [[nodiscard]] const ifac::key* key(io::iface_kind k, std::uint16_t config) const;
    [[nodiscard]] std::string local_name(io::iface_kind k, std::uint16_t config) const;
};

} // namespace rns::ctlplane
