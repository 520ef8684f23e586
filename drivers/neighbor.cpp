#include "drivers/neighbor.hpp"

#include <rte_arp.h>
#include <rte_byteorder.h>

#include <cstring>

namespace rns::drivers {

neighbor_cache::neighbor_cache(rte_mempool* pool, send_fn send, resolved_fn resolved, neighbor_timing t)
    : _pool(pool), _send(std::move(send)), _resolved(std::move(resolved)), _t(t) {}

void neighbor_cache::add_port(std::uint16_t port, const port_addr& addr) { _ports[port] = addr; }

void neighbor_cache::send_arp(std::uint16_t port, std::uint16_t op, const rte_ether_addr& dst_mac,
                              std::uint32_t target_ip, const rte_ether_addr& target_mac) {
    const auto it = _ports.find(port);
    if (it == _ports.end()) {
        return;
    }
    rte_mbuf* m = rte_pktmbuf_alloc(_pool);
    if (m == nullptr) {
        return;
    }
    constexpr std::uint16_t len = sizeof(rte_ether_hdr) + sizeof(rte_arp_hdr);
    auto* eth = reinterpret_cast<rte_ether_hdr*>(rte_pktmbuf_append(m, len));
    if (eth == nullptr) {
        rte_pktmbuf_free(m);
        return;
    }
    eth->dst_addr = dst_mac;
    eth->src_addr = it->second.mac;
    eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
    auto* arp = reinterpret_cast<rte_arp_hdr*>(eth + 1);
    arp->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
    arp->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
    arp->arp_hlen = RTE_ETHER_ADDR_LEN;
    arp->arp_plen = 4;
    arp->arp_opcode = rte_cpu_to_be_16(op);
    arp->arp_data.arp_sha = it->second.mac;
    arp->arp_data.arp_sip = it->second.ip4;
    arp->arp_data.arp_tha = target_mac;
    arp->arp_data.arp_tip = target_ip;
    m->port = port;
    _send(m);
}

void neighbor_cache::set_resolved(const key& k, const rte_ether_addr& mac, double now) {
    entry& e = _entries[k];
    const bool changed = !e.resolved || !rte_is_same_ether_addr(&e.mac, &mac);
    e.mac = mac;
    e.resolved = true;
    e.updated = now;
    e.tries = 0;
    if (changed) {
        _resolved(k.first, k.second, mac);
    }
}

void neighbor_cache::input(std::uint16_t port, rte_mbuf* frame, double now) {
    const auto pit = _ports.find(port);
    const auto* eth = rte_pktmbuf_mtod(frame, const rte_ether_hdr*);
    const auto* arp = reinterpret_cast<const rte_arp_hdr*>(eth + 1);
    // Only Ethernet/IPv4 ARP (RFC 826 "?Do I have the hardware type / speak the protocol").
    if (pit == _ports.end() || arp->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
        arp->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) || arp->arp_hlen != RTE_ETHER_ADDR_LEN ||
        arp->arp_plen != 4) {
        rte_pktmbuf_free(frame);
        return;
    }
    const rte_ether_addr sha = arp->arp_data.arp_sha;
    const std::uint32_t sip = arp->arp_data.arp_sip;
    const std::uint32_t tip = arp->arp_data.arp_tip;
    const std::uint16_t op = rte_be_to_cpu_16(arp->arp_opcode);
    rte_pktmbuf_free(frame);

    const key k{port, sip};
    const bool for_us = tip == pit->second.ip4;
    // RFC 826 merge: update a known sender; add it when the packet is for us.
    if (sip != 0 && (for_us || _entries.count(k) != 0)) {
        set_resolved(k, sha, now);
    }
    if (for_us && op == RTE_ARP_OP_REQUEST) {
        send_arp(port, RTE_ARP_OP_REPLY, sha, sip, sha);
        ++replies_sent;
    }
}

const rte_ether_addr* neighbor_cache::lookup(std::uint16_t port, std::uint32_t ip4, double now) {
    const key k{port, ip4};
    entry& e = _entries[k];
    if (e.resolved && now - e.updated <= _t.reachable) {
        return &e.mac;
    }
    if (e.tries == 0 || (now >= e.next_try && e.tries < _t.max_retries)) {
        rte_ether_addr bcast;
        std::memset(&bcast, 0xff, sizeof bcast);
        rte_ether_addr zero{};
        send_arp(port, RTE_ARP_OP_REQUEST, bcast, ip4, zero);
        ++requests_sent;
        ++e.tries;
        e.next_try = now + _t.retry;
    }
    // A stale MAC is still used while re-resolving (the peer most likely has not moved).
    return e.resolved ? &e.mac : nullptr;
}

void neighbor_cache::learn(std::uint16_t port, std::uint32_t ip4, const rte_ether_addr& mac, double now) {
    set_resolved({port, ip4}, mac, now);
}

void neighbor_cache::tick(double now) {
    for (auto& [k, e] : _entries) {
        const bool stale = !e.resolved || now - e.updated > _t.reachable;
        if (stale && e.tries > 0 && e.tries < _t.max_retries && now >= e.next_try) {
            (void)lookup(k.first, k.second, now);
        }
    }
}

} // namespace rns::drivers
