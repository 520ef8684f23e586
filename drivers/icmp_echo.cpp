#include "drivers/icmp_echo.hpp"

#include "drivers/neighbor6.hpp"

#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include <cstdint>
#include <cstring>
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

bool echo6_request_to_reply(rte_mbuf* frame) noexcept {
    const std::uint32_t len = rte_pktmbuf_data_len(frame);
    if (len < sizeof(rte_ether_hdr) + sizeof(rte_ipv6_hdr)) {
        return false;
    }
    auto* eth = rte_pktmbuf_mtod(frame, rte_ether_hdr*);
    auto* ip = reinterpret_cast<rte_ipv6_hdr*>(eth + 1);
    auto* icmp = reinterpret_cast<std::uint8_t*>(ip + 1);
    const std::uint32_t payload = rte_be_to_cpu_16(ip->payload_len);
    if (payload < 8 || payload > len - sizeof(rte_ether_hdr) - sizeof(rte_ipv6_hdr) ||
        ip->proto != IPPROTO_ICMPV6 || icmp[0] != 128 || !ipv6_l4_checksum_ok(ip, icmp, payload)) {
        return false;
    }
    const rte_ether_addr mac = eth->src_addr;
    eth->src_addr = eth->dst_addr;
    eth->dst_addr = mac;
    std::uint8_t tmp[16];
    std::memcpy(tmp, ip->src_addr, 16);
    std::memcpy(ip->src_addr, ip->dst_addr, 16);
    std::memcpy(ip->dst_addr, tmp, 16);
    ip->hop_limits = 64;
    icmp[0] = 129;
    icmp[2] = 0;
    icmp[3] = 0;
    const std::uint16_t ck = rte_ipv6_udptcp_cksum(ip, icmp);
    std::memcpy(icmp + 2, &ck, sizeof ck);
    rte_pktmbuf_trim(frame, static_cast<std::uint16_t>(len - (sizeof(rte_ether_hdr) + sizeof(rte_ipv6_hdr) + payload)));
    return true;
}

} // namespace rns::drivers
