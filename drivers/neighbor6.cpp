#include "drivers/neighbor6.hpp"

#include "drivers/nd_parse.hpp"

#include <rte_byteorder.h>
#include <rte_ip.h>

#include <cstring>

namespace rns::drivers {

namespace {

constexpr std::uint8_t opt_source_lla = 1; // RFC 4861 §4.6.1
constexpr std::uint8_t opt_target_lla = 2;
constexpr std::uint8_t na_flag_solicited = 0x40;
constexpr std::uint8_t na_flag_override = 0x20;
constexpr std::size_t nd_len = 24;  // type, code, checksum, flags/reserved, target
constexpr std::size_t lla_len = 8;  // one link-layer address option for Ethernet

} // namespace

bool ipv6_l4_checksum_ok(const rte_ipv6_hdr* ip, const void* l4, std::uint32_t len) noexcept {
    // Pseudo-header (RFC 8200 §8.1): addresses, upper-layer length, next header.
    std::uint32_t sum = __rte_raw_cksum(ip->src_addr, 32, 0);
    sum += rte_cpu_to_be_16(static_cast<std::uint16_t>(len));
    sum += rte_cpu_to_be_16(ip->proto);
    sum = __rte_raw_cksum(l4, len, sum);
    return __rte_raw_cksum_reduce(sum) == 0xffff;
}

ip6_addr solicited_node(const ip6_addr& addr) noexcept {
    ip6_addr g{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, addr[13], addr[14], addr[15]};
    return g;
}

rte_ether_addr multicast_mac(const ip6_addr& group) noexcept {
    rte_ether_addr m{};
    m.addr_bytes[0] = 0x33;
    m.addr_bytes[1] = 0x33;
    std::memcpy(&m.addr_bytes[2], group.data() + 12, 4);
    return m;
}

neighbor6_cache::neighbor6_cache(rte_mempool* pool, send_fn send, resolved_fn resolved, neighbor_timing t)
    : _pool(pool), _send(std::move(send)), _table(std::move(resolved), t) {}

void neighbor6_cache::add_port(std::uint16_t port, const rte_ether_addr& mac, const ip6_addr& ip6) {
    _ports[port] = {mac, ip6};
}

void neighbor6_cache::send_nd(std::uint16_t port, std::uint8_t type, const rte_ether_addr& dst_mac,
                              const ip6_addr& dst_ip, const ip6_addr& target, bool solicited) {
    const auto it = _ports.find(port);
    if (it == _ports.end()) {
        return;
    }
    rte_mbuf* m = rte_pktmbuf_alloc(_pool);
    if (m == nullptr) {
        return;
    }
    constexpr std::uint16_t len = sizeof(rte_ether_hdr) + sizeof(rte_ipv6_hdr) + nd_len + lla_len;
    auto* eth = reinterpret_cast<rte_ether_hdr*>(rte_pktmbuf_append(m, len));
    if (eth == nullptr) {
        rte_pktmbuf_free(m);
        return;
    }
    eth->dst_addr = dst_mac;
    eth->src_addr = it->second.mac;
    eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
    auto* ip = reinterpret_cast<rte_ipv6_hdr*>(eth + 1);
    ip->vtc_flow = RTE_BE32(6U << 28);
    ip->payload_len = rte_cpu_to_be_16(static_cast<std::uint16_t>(nd_len + lla_len));
    ip->proto = IPPROTO_ICMPV6;
    ip->hop_limits = 255; // RFC 4861 §7.1: receivers discard ND with any other hop limit
    std::memcpy(ip->src_addr, it->second.ip6.data(), 16);
    std::memcpy(ip->dst_addr, dst_ip.data(), 16);
    auto* icmp = reinterpret_cast<std::uint8_t*>(ip + 1);
    std::memset(icmp, 0, nd_len + lla_len);
    icmp[0] = type;
    if (type == icmp6_na) {
        icmp[4] = static_cast<std::uint8_t>((solicited ? na_flag_solicited : 0) | na_flag_override);
    }
    std::memcpy(icmp + 8, target.data(), 16);
    // NS carries our address as source link-layer option, NA as target link-layer option.
    icmp[nd_len] = type == icmp6_ns ? opt_source_lla : opt_target_lla;
    icmp[nd_len + 1] = 1; // in units of 8 bytes
    std::memcpy(icmp + nd_len + 2, &it->second.mac, RTE_ETHER_ADDR_LEN);
    const std::uint16_t ck = rte_ipv6_udptcp_cksum(ip, icmp);
    std::memcpy(icmp + 2, &ck, sizeof ck);
    m->port = port;
    _send(m);
}

void neighbor6_cache::send_solicitation(std::uint16_t port, const ip6_addr& ip6) {
    const ip6_addr group = solicited_node(ip6);
    send_nd(port, icmp6_ns, multicast_mac(group), group, ip6, false);
    ++solicitations_sent;
}

void neighbor6_cache::input(std::uint16_t port, rte_mbuf* frame, double now) {
    const auto pit = _ports.find(port);
    const std::uint32_t len = rte_pktmbuf_data_len(frame);
    std::optional<nd_message> msg;
    if (pit != _ports.end() && len > sizeof(rte_ether_hdr)) {
        msg = parse_nd({rte_pktmbuf_mtod_offset(frame, const std::uint8_t*, sizeof(rte_ether_hdr)),
                        len - sizeof(rte_ether_hdr)});
    }
    rte_pktmbuf_free(frame);
    if (!msg) {
        ++ignored;
        return;
    }
    const ip6_addr& src = msg->src;
    const ip6_addr& target = msg->target;
    const std::uint8_t type = msg->type;
    rte_ether_addr lla_copy{};
    const rte_ether_addr* lla = nullptr;
    if (msg->lla) {
        std::memcpy(&lla_copy, msg->lla->data(), RTE_ETHER_ADDR_LEN);
        lla = &lla_copy;
    }
    static const ip6_addr unspecified{};
    const bool dad = src == unspecified;
    if (type == icmp6_ns) {
        if (target != pit->second.ip6) {
            return;
        }
        if (dad) {
            // Duplicate address detection: tell all nodes the address is taken (§7.2.4).
            const ip6_addr all_nodes{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
            send_nd(port, icmp6_na, multicast_mac(all_nodes), all_nodes, target, false);
            ++advertisements_sent;
            return;
        }
        if (lla == nullptr) {
            return; // unicast NS without source option: we would need to solicit to answer it
        }
        _table.set_resolved(port, src, *lla, now);
        send_nd(port, icmp6_na, *lla, src, target, true);
        ++advertisements_sent;
        return;
    }
    // NA: update (or complete) an entry we have; unsolicited ones for unknown targets are ignored
    // (RFC 4861 §7.2.5: no new entry from an advertisement).
    if (lla != nullptr && _table.has(port, target)) {
        _table.set_resolved(port, target, *lla, now);
    }
}

const rte_ether_addr* neighbor6_cache::lookup(std::uint16_t port, const ip6_addr& ip6, double now) {
    return _table.lookup(port, ip6, now, [this](std::uint16_t p, const ip6_addr& a) { send_solicitation(p, a); });
}

void neighbor6_cache::learn(std::uint16_t port, const ip6_addr& ip6, const rte_ether_addr& mac, double now) {
    _table.set_resolved(port, ip6, mac, now);
}

void neighbor6_cache::tick(double now) {
    _table.tick(now, [this](std::uint16_t p, const ip6_addr& a) { send_solicitation(p, a); });
}

} // namespace rns::drivers
