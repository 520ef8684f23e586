#include "drivers/neighbor.hpp"

#include <rte_arp.h>
#include <rte_byteorder.h>

#include <cstring>

namespace rns::drivers {

neighbor_cache::neighbor_cache(rte_mempool* pool, send_fn send, resolved_fn resolved, neighbor_timing t)
    : _pool(pool), _send(std::move(send)), _table(std::move(resolved), t) {}

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

void neighbor_cache::send_request(std::uint16_t port, std::uint32_t ip4) {
    rte_ether_addr bcast;
    std::memset(&bcast, 0xff, sizeof bcast);
    send_arp(port, RTE_ARP_OP_REQUEST, bcast, ip4, rte_ether_addr{});
    ++requests_sent;
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

    const bool for_us = tip == pit->second.ip4;
    // RFC 826 merge: update a known sender; add it when the packet is for us.
    if (sip != 0 && (for_us || _table.has(port, sip))) {
        _table.set_resolved(port, sip, sha, now);
    }
    if (for_us && op == RTE_ARP_OP_REQUEST) {
        send_arp(port, RTE_ARP_OP_REPLY, sha, sip, sha);
        ++replies_sent;
    }
}

const rte_ether_addr* neighbor_cache::lookup(std::uint16_t port, std::uint32_t ip4, double now) {
    return _table.lookup(port, ip4, now, [this](std::uint16_t p, std::uint32_t a) { send_request(p, a); });
}

void neighbor_cache::learn(std::uint16_t port, std::uint32_t ip4, const rte_ether_addr& mac, double now) {
    _table.set_resolved(port, ip4, mac, now);
}

void neighbor_cache::tick(double now) {
    _table.tick(now, [this](std::uint16_t p, std::uint32_t a) { send_request(p, a); });
}

} // namespace rns::drivers
