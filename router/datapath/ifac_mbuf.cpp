#include "router/datapath/ifac_mbuf.hpp"

#include "router/rns/ifac.hpp"

#include <span>

namespace rns::datapath {

ifac_strip_result ifac_strip(const ifac::key& k, rte_mbuf* m, std::uint16_t rns_mtu) noexcept {
    const std::size_t len = rte_pktmbuf_data_len(m);
    // Size checks first: the verify below costs an Ed25519 signature.
    if (len <= 2) {
        return ifac_strip_result::too_short;
    }
    if (len > rns_mtu + k.size()) {
        return ifac_strip_result::oversize;
    }
    auto* data = rte_pktmbuf_mtod(m, std::uint8_t*);
    std::size_t out_len = 0;
    // verify() writes the packet without IFAC to the front of the same buffer (it reads ahead
    // of where it writes).
    switch (k.verify(byte_view(data, len), std::span<std::uint8_t>(data, len), out_len)) {
    case ifac::verdict::ok:
        break;
    case ifac::verdict::flag_clear:
        return ifac_strip_result::missing;
    case ifac::verdict::no_room:
        return ifac_strip_result::short_;
    case ifac::verdict::too_short:
    case ifac::verdict::flag_set:      // not returned by key::verify
    case ifac::verdict::out_too_small: // the output is the input buffer: cannot happen
        return ifac_strip_result::too_short;
    case ifac::verdict::mismatch:
        return ifac_strip_result::mismatch;
    }
    (void)rte_pktmbuf_trim(m, static_cast<std::uint16_t>(len - out_len));
    return ifac_strip_result::ok;
}

ifac_add_result ifac_add(const ifac::key& k, rte_mbuf* m, std::uint16_t rns_mtu) noexcept {
    const std::size_t len = rte_pktmbuf_data_len(m);
    if (len <= 2) {
        return ifac_add_result::too_short;
    }
    if (len > rns_mtu) {
        return ifac_add_result::oversize;
    }
    if (!rte_pktmbuf_is_contiguous(m)) {
        return ifac_add_result::no_room;
    }
    const auto n = static_cast<std::uint16_t>(k.size());
    const auto* raw = rte_pktmbuf_mtod(m, const std::uint8_t*);
    auto* out = reinterpret_cast<std::uint8_t*>(rte_pktmbuf_prepend(m, n));
    if (out == nullptr) {
        return ifac_add_result::no_room;
    }
    // out = raw - n: apply() computes the code over raw before writing, keeps raw[0..1] aside,
    // and moves raw[2:] with memmove (a no-op here, as out + 2 + n == raw + 2).
    if (k.apply(byte_view(raw, len), std::span<std::uint8_t>(out, len + n)) != len + n) {
        (void)rte_pktmbuf_adj(m, n); // cannot happen after the checks above
        return ifac_add_result::too_short;
    }
    return ifac_add_result::ok;
}

} // namespace rns::datapath
