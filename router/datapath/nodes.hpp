#pragma once
// Registration of every graph node (start-up, once, before the graphs are built).

#include <cstdint>
#include <string>

namespace rns::datapath {

void register_eth_rx();
void register_l3_input();
void register_rns_parse();
void register_ifac_in();
void register_packet_hash();
void register_dedup();
void register_classify();
void register_forward();
void register_link_forward();
void register_proof_forward();
void register_punt();
void register_inject();
void register_l3_output();
void register_eth_tx();

/// Per (port, queue) / per port clones; return the clone's full node name.
std::string clone_eth_rx(std::uint16_t port, std::uint16_t queue);
std::string clone_eth_tx(std::uint16_t port);

} // namespace rns::datapath
