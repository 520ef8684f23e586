#pragma once
// Settings of the io thread and its kernel interfaces. Defaults follow the reference (spec
// §10.1: TCP keepalive 5 s idle / 2 s interval / 12 probes, user timeout 24 s, client
// reconnect every 5 s; Backbone flap guard: connections shorter than 20 s are flaps, more than 5
// flaps block the source address until 12 h after its last flap).

#include "drivers/io/endpoint.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace rns::io {

/// Dead-peer detection on TCP sockets (spec §10.1, like the reference).
struct tcp_timeouts {
    unsigned keepalive_idle_s = 5;
    unsigned keepalive_interval_s = 2;
    unsigned keepalive_probes = 12;
    unsigned user_timeout_ms = 24000;
};

struct tcp_listener_config {
    endpoint listen;
    tcp_timeouts timeouts; ///< set on the listening socket, inherited by every accepted one
    unsigned backlog = 128;
    unsigned max_clients = 0;         ///< per-listener connection limit; 0: only --max-connections
    double flap_seconds = 20.0;       ///< a connection shorter than this is a flap
    unsigned flap_limit = 5;          ///< more flaps than this block the source address
    double flap_block_seconds = 43200.0; ///< blocked until this long after the last flap
};

struct tcp_client_config {
    endpoint peer;
    double reconnect_min_seconds = 5.0; ///< first retry (the reference retries every 5 s)
    double reconnect_max_seconds = 60.0;///< back-off doubles up to this
    tcp_timeouts timeouts;
};

struct udp_config {
    endpoint listen;
    std::optional<endpoint> forward; ///< where every packet is sent (spec §10.3); none: receive only
    bool broadcast = false;          ///< SO_BROADCAST (forward may be a broadcast address)
};

struct io_config {
    /// Registered file table size: the hard bound on sockets of the io thread, configured
    /// listeners, clients and UDP sockets included.
    unsigned max_connections = 4096;
    unsigned sq_depth = 1024;
    unsigned rx_buffers = 2048;       ///< provided receive buffers (power of two)
    unsigned rx_buffer_size = 4096;
    std::size_t max_frame = 2048;     ///< largest frame accepted or sent (IFAC included)
    std::size_t out_queue_bytes = 65536; ///< per-connection output queue (power of two)
    /// A connection whose queued output has not moved for this long does not read: it is
    /// closed (out_queue_full). Until then a full queue only drops the frame (tx_drops), as a
    /// full NIC ring would: a reader that is merely slower than a burst keeps its connection.
    double out_stall_s = 2.0;
    /// Bytes a connection may send without one valid frame before it is closed; 0: derived
    /// (4 maximal encoded frames).
    std::size_t garbage_limit = 0;
    unsigned udp_tx_buffers = 256;    ///< datagrams in flight per UDP interface
    unsigned idle_wait_us = 500;      ///< longest sleep in io_uring_enter while idle
    unsigned tx_burst = 64;
    /// Receive on a new interface only once the router confirms it (engine::confirm), so that
    /// its first packets never reach the router before the interface exists there.
    bool confirm_up = false;
    std::vector<tcp_listener_config> listeners;
    std::vector<tcp_client_config> clients;
    std::vector<udp_config> udps;
};

} // namespace rns::io
