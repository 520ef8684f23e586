#include "drivers/io/mbuf_seam.hpp"

#include <rte_errno.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace rns::io {

namespace {

void bump(std::atomic<std::uint64_t>& c) noexcept {
    c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

rte_ring* make_ring(const std::string& name, unsigned size, unsigned flags) {
    rte_ring* r = rte_ring_create(name.c_str(), size, SOCKET_ID_ANY, flags);
    if (r == nullptr) {
        throw std::runtime_error("rte_ring_create " + name + ": " + rte_strerror(rte_errno));
    }
    return r;
}

} // namespace

mbuf_seam::mbuf_seam(rte_mempool* pool, const std::string& name, unsigned ring_size, unsigned event_ring)
    : _pool(pool), _events(event_ring) {
    _rx = make_ring(name + "_rx", ring_size, RING_F_SP_ENQ | RING_F_SC_DEQ);
    try {
        _tx = make_ring(name + "_tx", ring_size, RING_F_SC_DEQ);
    } catch (...) {
        rte_ring_free(_rx);
        throw;
    }
}

mbuf_seam::~mbuf_seam() {
    // Whatever is still queued goes back to the pool.
    rte_mbuf* m = nullptr;
    for (rte_ring* r : {_rx, _tx}) {
        while (rte_ring_dequeue(r, reinterpret_cast<void**>(&m)) == 0) {
            rte_pktmbuf_free(m);
        }
        rte_ring_free(r);
    }
}

bool mbuf_seam::deliver(std::uint16_t iface, byte_view frame) noexcept {
    rte_mbuf* m = rte_pktmbuf_alloc(_pool);
    if (m == nullptr) {
        bump(_stats.rx_no_mbuf);
        return false;
    }
    if (frame.size() > rte_pktmbuf_tailroom(m)) {
        bump(_stats.rx_too_big);
        rte_pktmbuf_free(m);
        return false;
    }
    auto* dst = rte_pktmbuf_mtod(m, std::uint8_t*);
    std::memcpy(dst, frame.data(), frame.size());
    m->data_len = static_cast<std::uint16_t>(frame.size());
    m->pkt_len = static_cast<std::uint32_t>(frame.size());
    m->port = iface;
    if (rte_ring_sp_enqueue(_rx, m) != 0) {
        bump(_stats.rx_ring_full);
        rte_pktmbuf_free(m);
        return false;
    }
    return true;
}

unsigned mbuf_seam::take(std::span<tx_packet> out) noexcept {
    unsigned want = static_cast<unsigned>(std::min<std::size_t>(out.size(), burst));
    unsigned n = rte_ring_sc_dequeue_burst(_tx, reinterpret_cast<void**>(_taken.data()), want, nullptr);
    unsigned k = 0;
    for (unsigned i = 0; i < n; ++i) {
        rte_mbuf* m = _taken[i];
        if (m->nb_segs != 1) {
            bump(_stats.tx_multiseg);
            rte_pktmbuf_free(m);
            continue;
        }
        _taken[k] = m;
        out[k] = {m->port, byte_view(rte_pktmbuf_mtod(m, const std::uint8_t*), m->data_len)};
        ++k;
    }
    _n_taken = k;
    return k;
}

void mbuf_seam::release() noexcept {
    rte_pktmbuf_free_bulk(_taken.data(), _n_taken);
    _n_taken = 0;
}

void mbuf_seam::event(const iface_event& e) noexcept {
    if (!_events.try_push(e)) {
        bump(_stats.events_dropped);
    }
}

} // namespace rns::io
