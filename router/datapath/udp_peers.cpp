#include "router/datapath/udp_peers.hpp"

#include <rte_hash_crc.h>
#include <rte_lcore.h>

#include <stdexcept>

namespace rns::datapath {

namespace {
void delete_tx(void* p) noexcept { delete static_cast<const iface_tx*>(p); }
} // namespace

udp_peers::udp_peers(rcu_domain& rcu) : _rcu(rcu), _tx(new std::atomic<const iface_tx*>[max_ifaces]) {
    for (std::size_t i = 0; i < max_ifaces; ++i) {
        _tx[i].store(nullptr, std::memory_order_relaxed);
    }
    rte_hash_parameters p{};
    p.name = "rns_udp_peers";
    p.entries = max_ifaces * 4;
    p.key_len = sizeof(key);
    p.hash_func = rte_hash_crc;
    p.socket_id = static_cast<int>(rte_socket_id());
    // Single writer (control), lock-free readers (workers).
    p.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF;
    _hash = rte_hash_create(&p);
    if (_hash == nullptr) {
        throw std::runtime_error("cannot create the UDP peer table");
    }
    rte_hash_rcu_config rc{};
    rc.v = _rcu.qsbr();
    rc.mode = RTE_HASH_QSBR_MODE_DQ;
    if (rte_hash_rcu_qsbr_add(_hash, &rc) != 0) {
        throw std::runtime_error("cannot attach RCU to the UDP peer table");
    }
}

udp_peers::~udp_peers() {
    for (std::size_t i = 0; i < max_ifaces; ++i) {
        delete _tx[i].exchange(nullptr);
    }
    rte_hash_free(_hash);
}

bool udp_peers::map_peer(std::uint16_t eth_port, std::uint32_t ip4, std::uint16_t udp,
                         std::uint16_t iface) {
    const key k = key4(eth_port, ip4, udp);
    return rte_hash_add_key_data(_hash, &k, reinterpret_cast<void*>(std::uintptr_t{iface})) == 0;
}

void udp_peers::unmap_peer(std::uint16_t eth_port, std::uint32_t ip4, std::uint16_t udp) {
    const key k = key4(eth_port, ip4, udp);
    (void)rte_hash_del_key(_hash, &k);
}

bool udp_peers::map_peer6(std::uint16_t eth_port, const std::array<std::uint8_t, 16>& ip6,
                          std::uint16_t udp, std::uint16_t iface) {
    key k{};
    std::memcpy(k.addr, ip6.data(), sizeof k.addr);
    k.udp = udp;
    k.eth_port = eth_port;
    return rte_hash_add_key_data(_hash, &k, reinterpret_cast<void*>(std::uintptr_t{iface})) == 0;
}

void udp_peers::publish_tx(std::uint16_t iface, const iface_tx& tx) {
    if (iface >= max_ifaces) {
        throw std::out_of_range("interface id beyond the peer table");
    }
    const iface_tx* old = _tx[iface].exchange(new iface_tx(tx), std::memory_order_acq_rel);
    if (old != nullptr) {
        _rcu.defer_free(const_cast<iface_tx*>(old), delete_tx);
    }
}

void udp_peers::remove_tx(std::uint16_t iface) {
    if (iface >= max_ifaces) {
        return;
    }
    const iface_tx* old = _tx[iface].exchange(nullptr, std::memory_order_acq_rel);
    if (old != nullptr) {
        _rcu.defer_free(const_cast<iface_tx*>(old), delete_tx);
    }
}

} // namespace rns::datapath
