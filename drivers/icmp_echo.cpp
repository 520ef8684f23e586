#include "drivers/icmp_echo.hpp"

#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include <cstdint>
#include <utility>

namespace rns::drivers {

bool echo_request_to_reply(rte_mbuf* frame) noexcept {
    auto* eth = rte_pktmbuf_mtod(frame, rte_ether_hdr*);
    auto* ip = reinterpret_cast<rte_ipv4_hdr*>(eth + 1);
    const std::uint32_t ihl = rte_ipv4_hdr_len(ip);
    const std::uint32_t total = rte_be_to_cpu_16(ip->total_length);
    if (total < ihl + sizeof(rte_icmp_hdr) ||
        sizeof(rte_ether_hdr) + total > rte_pktmbuf_data_len(frame)) {
        return false;
    }
    auto* icmp = reinterpret_cast<rte_icmp_hdr*>(reinterpret_cast<std::uint8_t*>(ip) + ihl);
    if (icmp->icmp_type != RTE_IP_ICMP_ECHO_REQUEST ||
        rte_raw_cksum(icmp, total - ihl) != 0xffff) {
        return false;
    }
    const rte_ether_addr mac = eth->src_addr;
    eth->src_addr = eth->dst_addr;
    eth->dst_addr = mac;
    const std::uint32_t src = ip->src_addr;
    ip->src_addr = ip->dst_addr;
    ip->dst_addr = src;
    ip->time_to_live = 64;
    ip->hdr_checksum = 0;
    ip->hdr_checksum = rte_ipv4_cksum(ip);
    icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
    icmp->icmp_cksum = 0;
    icmp->icmp_cksum = static_cast<std::uint16_t>(~rte_raw_cksum(icmp, total - ihl));
    rte_pktmbuf_trim(frame, static_cast<std::uint16_t>(rte_pktmbuf_data_len(frame) -
                                                       (sizeof(rte_ether_hdr) + total)));
    return true;
}

} // namespace rns::drivers
