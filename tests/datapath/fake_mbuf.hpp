#pragma once
// A single-segment mbuf built by hand for tests of mbuf-level helpers: the header, the router's
// private area right behind it (as rte_mbuf_to_priv expects), and a 2 KiB data buffer. Only the
// fields the inline rte_pktmbuf_* helpers read are set; no mempool, no EAL.

#include "router/datapath/pkt_priv.hpp"
#include "router/rns/bytes.hpp"

#include <rte_mbuf.h>

#include <array>
#include <cstring>
#include <new>

namespace rns::datapath::test {

class fake_mbuf {
  public:
    explicit fake_mbuf(byte_view data, std::uint16_t headroom = RTE_PKTMBUF_HEADROOM) {
        _m = new (_head.data()) rte_mbuf{};
        new (_head.data() + sizeof(rte_mbuf)) pkt_priv{};
        _m->buf_addr = _buf.data();
        _m->buf_len = static_cast<std::uint16_t>(_buf.size());
        _m->data_off = headroom;
        _m->nb_segs = 1;
        _m->next = nullptr;
        _m->priv_size = pkt_priv_size;
        std::memcpy(_buf.data() + headroom, data.data(), data.size());
        _m->data_len = static_cast<std::uint16_t>(data.size());
        _m->pkt_len = static_cast<std::uint32_t>(data.size());
    }
    fake_mbuf(const fake_mbuf&) = delete;
    fake_mbuf& operator=(const fake_mbuf&) = delete;

    [[nodiscard]] rte_mbuf* get() noexcept { return _m; }
    [[nodiscard]] bytes data() const {
        const auto* p = static_cast<const std::uint8_t*>(_m->buf_addr) + _m->data_off;
        return bytes(p, p + _m->data_len);
    }

  private:
    alignas(RTE_CACHE_LINE_SIZE) std::array<std::uint8_t, sizeof(rte_mbuf) + pkt_priv_size> _head{};
    alignas(RTE_CACHE_LINE_SIZE) std::array<std::uint8_t, 2048> _buf{};
    rte_mbuf* _m = nullptr;
};

} // namespace rns::datapath::test
