#pragma once
// The DPDK side of the io thread's seam (see seam.hpp for the contract):
//   rx   each received frame is copied into an mbuf of the router's mempool and enqueued on the
//        rx ring (single producer: the io thread; single consumer: the graph node that polls it
//        like a port). The io thread is not an lcore: rte_pktmbuf_alloc then bypasses the
//        per-lcore cache and takes from the pool's thread-safe ring.
//   tx   the router enqueues mbufs on the tx ring (multi producer: workers and the control
//        plane); the io thread dequeues, sends and frees them.
//   On both rings: m->port = io interface id, data = one RNS packet (single segment, IFAC
//   applied); nothing else of the mbuf is read or set.
//   events  interface up/down copies on a bounded ring for the control plane (single consumer).

#include "drivers/io/seam.hpp"
#include "persist/mpsc_ring.hpp"

#include <rte_mbuf.h>
#include <rte_ring.h>

#include <array>
#include <atomic>
#include <string>

namespace rns::io {

struct mbuf_seam_stats {
    std::atomic<std::uint64_t> rx_no_mbuf{0};    ///< mempool empty: frame dropped
    std::atomic<std::uint64_t> rx_ring_full{0};  ///< graph not keeping up: frame dropped
    std::atomic<std::uint64_t> rx_too_big{0};    ///< frame larger than an mbuf's room
    std::atomic<std::uint64_t> tx_multiseg{0};   ///< chained mbuf on the tx ring: dropped
    std::atomic<std::uint64_t> events_dropped{0};///< event ring full (control plane stalled)
};

class mbuf_seam final : public packet_seam {
  public:
    /// name: unique prefix for the rings. Throws std::runtime_error when a ring cannot be made.
    mbuf_seam(rte_mempool* pool, const std::string& name, unsigned ring_size = 4096, unsigned event_ring = 16384);
    ~mbuf_seam();
    mbuf_seam(const mbuf_seam&) = delete;
    mbuf_seam& operator=(const mbuf_seam&) = delete;

    /// Graph side: received packets (dequeue; m->port = io interface id).
    [[nodiscard]] rte_ring* rx_ring() const noexcept { return _rx; }
    /// Router side: packets to send (enqueue with m->port = io interface id).
    [[nodiscard]] rte_ring* tx_ring() const noexcept { return _tx; }
    /// Control side (one consumer): the next interface event, if any.
    [[nodiscard]] bool next_event(iface_event& out) noexcept { return _events.try_pop(out); }
    [[nodiscard]] const mbuf_seam_stats& stats() const noexcept { return _stats; }

    bool deliver(std::uint16_t iface, byte_view frame) noexcept override;
    unsigned take(std::span<tx_packet> out) noexcept override;
    void release() noexcept override;
    void event(const iface_event& e) noexcept override;

  private:
    static constexpr unsigned burst = 64;
    rte_mempool* _pool;
    rte_ring* _rx = nullptr;
    rte_ring* _tx = nullptr;
    persist::mpsc_ring<iface_event> _events;
    std::array<rte_mbuf*, burst> _taken{};
    unsigned _n_taken = 0;
    mbuf_seam_stats _stats;
};

} // namespace rns::io
