#include "drivers/dpdk_port.hpp"

#include <rte_ethdev.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace rns::drivers {

namespace {
[[noreturn]] void fail(const port_request& req, const char* what, int rc) {
    throw std::runtime_error("port " + std::to_string(req.port_id) + ": " + what + ": " +
                             std::strerror(rc < 0 ? -rc : rc));
}
} // namespace

std::string mac_to_string(const rte_ether_addr& mac) {
    char buf[RTE_ETHER_ADDR_FMT_SIZE];
    rte_ether_format_addr(buf, sizeof buf, &mac);
    return buf;
}

port_info setup_port(const port_request& req) {
    if (!rte_eth_dev_is_valid_port(req.port_id)) {
        throw std::runtime_error("port " + std::to_string(req.port_id) +
                                 " does not exist (check the EAL --vdev/-a arguments)");
    }
    rte_eth_dev_info dev{};
    int rc = rte_eth_dev_info_get(req.port_id, &dev);
    if (rc != 0) {
        fail(req, "cannot read device info", rc);
    }
    port_info info;
    info.port_id = req.port_id;
    char name[RTE_ETH_NAME_MAX_LEN];
    if (rte_eth_dev_get_name_by_port(req.port_id, name) == 0) {
        info.name = name;
    }
    info.driver = dev.driver_name != nullptr ? dev.driver_name : "";
    info.rx_queues = std::max<std::uint16_t>(1, std::min(req.rx_queues, dev.max_rx_queues));
    if (req.tx_queues > dev.max_tx_queues) {
        throw std::runtime_error("port " + std::to_string(req.port_id) + " (" + info.driver +
                                 ") has " + std::to_string(dev.max_tx_queues) +
                                 " TX queues but " + std::to_string(req.tx_queues) +
                                 " workers need one each (e.g. net_af_packet: qpairs=N)");
    }
    info.tx_queues = req.tx_queues;

    rte_eth_conf conf{};
    if (info.rx_queues > 1 && dev.flow_type_rss_offloads != 0) {
        conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
        conf.rx_adv_conf.rss_conf.rss_hf =
            (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP) & dev.flow_type_rss_offloads;
        info.rss = conf.rx_adv_conf.rss_conf.rss_hf != 0;
    }
    // net_af_packet spreads packets over its qpairs=N sockets with a kernel fanout hash: the
    // queues behave like RSS queues although the device reports no RSS offload.
    const bool kernel_fanout = info.driver == "net_af_packet";
    if (!info.rss && !kernel_fanout) {
        info.rx_queues = 1; // without RSS extra queues would see nothing
    }
    if (kernel_fanout && dev.max_rx_queues > info.rx_queues) {
        throw std::runtime_error("port " + std::to_string(req.port_id) + " (net_af_packet) has " +
                                 std::to_string(dev.max_rx_queues) + " qpairs but " +
                                 std::to_string(info.rx_queues) +
                                 " workers: packets fanned out to unpolled sockets would be lost");
    }
    if ((dev.rx_offload_capa & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM) != 0) {
        conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_IPV4_CKSUM;
        info.ip_cksum_offload = true;
    }
    if ((dev.rx_offload_capa & RTE_ETH_RX_OFFLOAD_UDP_CKSUM) != 0) {
        conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_UDP_CKSUM;
        info.udp_cksum_offload = true;
    }
    rc = rte_eth_dev_configure(req.port_id, info.rx_queues, info.tx_queues, &conf);
    if (rc != 0) {
        fail(req, "rte_eth_dev_configure", rc);
    }
    std::uint16_t nb_rxd = req.rx_desc;
    std::uint16_t nb_txd = req.tx_desc;
    rc = rte_eth_dev_adjust_nb_rx_tx_desc(req.port_id, &nb_rxd, &nb_txd);
    if (rc != 0) {
        fail(req, "rte_eth_dev_adjust_nb_rx_tx_desc", rc);
    }
    const int socket = rte_eth_dev_socket_id(req.port_id);
    const unsigned sock = socket < 0 ? 0U : static_cast<unsigned>(socket);
    for (std::uint16_t q = 0; q < info.rx_queues; ++q) {
        rte_eth_rxconf rxc = dev.default_rxconf;
        rxc.offloads = conf.rxmode.offloads;
        rc = rte_eth_rx_queue_setup(req.port_id, q, nb_rxd, sock, &rxc, req.pool);
        if (rc != 0) {
            fail(req, "rte_eth_rx_queue_setup", rc);
        }
    }
    for (std::uint16_t q = 0; q < info.tx_queues; ++q) {
        rte_eth_txconf txc = dev.default_txconf;
        txc.offloads = conf.txmode.offloads;
        rc = rte_eth_tx_queue_setup(req.port_id, q, nb_txd, sock, &txc);
        if (rc != 0) {
            fail(req, "rte_eth_tx_queue_setup", rc);
        }
    }
    rc = rte_eth_macaddr_get(req.port_id, &info.mac);
    if (rc != 0) {
        fail(req, "rte_eth_macaddr_get", rc);
    }
    rc = rte_eth_dev_start(req.port_id);
    if (rc != 0) {
        fail(req, "rte_eth_dev_start", rc);
    }
    // Broadcast ARP and our own unicast are enough; accept multicast for IPv6 ND.
    (void)rte_eth_allmulticast_enable(req.port_id);
    return info;
}

void close_port(std::uint16_t port_id) noexcept {
    (void)rte_eth_dev_stop(port_id);
    (void)rte_eth_dev_close(port_id);
}

} // namespace rns::drivers
