// rnsgen's port: UDP/IPv4 frames to the device under test and back (rnsgen.hpp).
#include "tools/rnsgen.hpp"

#include <arpa/inet.h>

namespace rnsgen {

namespace {
constexpr std::uint16_t hdr_len = sizeof(rte_ether_hdr) + sizeof(rte_ipv4_hdr) + sizeof(rte_udp_hdr);
} // namespace

port_io::port_io(const options& o, rte_mempool* pool, std::uint16_t port) : _o(o), _pool(pool), _port(port) {
    (void)rte_eth_macaddr_get(port, &_mac);
}

rte_mbuf* port_io::frame(const std::uint8_t* raw, std::size_t len) const noexcept {
    rte_mbuf* m = rte_pktmbuf_alloc(_pool);
    if (m == nullptr) {
        return nullptr;
    }
    auto* eth = reinterpret_cast<rte_ether_hdr*>(rte_pktmbuf_append(m, static_cast<std::uint16_t>(hdr_len + len)));
    if (eth == nullptr) {
        rte_pktmbuf_free(m);
        return nullptr;
    }
    std::memset(&eth->dst_addr, 0xff, sizeof eth->dst_addr);
    eth->src_addr = _mac;
    eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
    auto* ip = reinterpret_cast<rte_ipv4_hdr*>(eth + 1);
    std::memset(ip, 0, sizeof *ip);
    ip->version_ihl = RTE_IPV4_VHL_DEF;
    ip->total_length = rte_cpu_to_be_16(static_cast<std::uint16_t>(sizeof(rte_ipv4_hdr) + sizeof(rte_udp_hdr) + len));
    ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
    ip->time_to_live = 64;
    ip->next_proto_id = IPPROTO_UDP;
    ip->src_addr = _o.self;
    ip->dst_addr = _o.router;
    ip->hdr_checksum = rte_ipv4_cksum(ip);
    auto* udp = reinterpret_cast<rte_udp_hdr*>(ip + 1);
    udp->src_port = htons(_o.udp);
    udp->dst_port = htons(_o.udp);
    udp->dgram_len = rte_cpu_to_be_16(static_cast<std::uint16_t>(sizeof(rte_udp_hdr) + len));
    udp->dgram_cksum = 0; // optional over IPv4 (RFC 768): the generator does not pay for it
    std::memcpy(udp + 1, raw, len);
    return m;
}

rns::byte_view port_io::rns_payload(const rte_mbuf* m) noexcept {
    const std::uint32_t len = rte_pktmbuf_data_len(m);
    if (len < hdr_len) {
        return {};
    }
    const auto* eth = rte_pktmbuf_mtod(m, const rte_ether_hdr*);
    if (eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4)) {
        return {};
    }
    const auto* ip = reinterpret_cast<const rte_ipv4_hdr*>(eth + 1);
    const std::uint32_t ihl = (ip->version_ihl & 0x0fU) * 4U;
    if (ip->next_proto_id != IPPROTO_UDP || ihl < sizeof(rte_ipv4_hdr) ||
        len < sizeof(rte_ether_hdr) + ihl + sizeof(rte_udp_hdr)) {
        return {};
    }
    const auto* udp = reinterpret_cast<const rte_udp_hdr*>(reinterpret_cast<const std::uint8_t*>(ip) + ihl);
    const std::uint32_t udp_len = rte_be_to_cpu_16(udp->dgram_len);
    const std::uint32_t off = sizeof(rte_ether_hdr) + ihl + sizeof(rte_udp_hdr);
    if (udp_len < sizeof(rte_udp_hdr) || off + udp_len - sizeof(rte_udp_hdr) > len) {
        return {};
    }
    return {reinterpret_cast<const std::uint8_t*>(udp + 1), udp_len - sizeof(rte_udp_hdr)};
}

} // namespace rnsgen
