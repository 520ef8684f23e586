#pragma once
// Counters of the io thread. The io thread is the only writer (relaxed load + store, no atomic
// read-modify-write); any thread may read them (telemetry) with relaxed loads.

#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>

namespace rns::io {

using counter = std::atomic<std::uint64_t>;

inline void add(counter& c, std::uint64_t n) noexcept {
    c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}
[[nodiscard]] inline std::uint64_t get(const counter& c) noexcept { return c.load(std::memory_order_relaxed); }

/// The loop itself.
struct loop_stats {
    counter iterations{0};
    counter enters{0};        ///< io_uring_enter calls (one per iteration, plus sq_full ones)
    counter submissions{0};   ///< SQEs handed to the kernel
    counter completions{0};   ///< CQEs reaped
    counter sq_full{0};       ///< extra submits because the SQ filled within one iteration
    counter buffers_exhausted{0}; ///< multishot receives ended by -ENOBUFS (buffer ring empty)
    counter rearms{0};        ///< multishot operations submitted again after they ended
    counter stale{0};         ///< completions for a socket already closed (ignored)
};

/// Why a connection was closed (or refused right after accept).
enum class close_reason : std::uint8_t {
    peer_closed,     ///< orderly end of stream from the peer
    error,           ///< receive or send failed (reset, refused, ...)
    timeout,         ///< dead peer: keepalive or TCP_USER_TIMEOUT expired (ETIMEDOUT)
    no_valid_frames, ///< too many bytes without one valid frame (garbage)
    out_queue_full,  ///< the peer does not read: its queued output did not move for out_stall_s
    refused_flapping,///< listener hygiene: the source reconnects too often (spec §10.1)
    refused_limit,   ///< listener hygiene: per-listener connection limit reached
    shutdown,        ///< the io thread stopped
    count
};

[[nodiscard]] constexpr std::string_view name(close_reason r) noexcept {
    switch (r) {
    case close_reason::peer_closed: return "peer_closed";
    case close_reason::error: return "error";
    case close_reason::timeout: return "timeout";
    case close_reason::no_valid_frames: return "no_valid_frames";
    case close_reason::out_queue_full: return "out_queue_full";
    case close_reason::refused_flapping: return "refused_flapping";
    case close_reason::refused_limit: return "refused_limit";
    case close_reason::shutdown: return "shutdown";
    case close_reason::count: break;
    }
    return "?";
}

inline constexpr std::size_t close_reason_count = static_cast<std::size_t>(close_reason::count);

/// Per configured interface (a listener with all its spawned connections, a client, a UDP socket).
struct iface_stats {
    counter accepted{0};          ///< listener: connections accepted and kept
    counter refused_table_full{0};///< listener: accept failed, registered table full (--max-connections)
    counter connects{0};          ///< client: successful (re)connections
    counter connect_failures{0};  ///< client: attempts that failed
    std::array<counter, close_reason_count> closed{}; ///< closed or refused, by reason
    counter bytes_in{0};
    counter bytes_out{0};
    counter frames_in{0};         ///< frames (or datagrams) handed to the router
    counter frames_out{0};        ///< frames (or datagrams) queued for sending
    counter rx_seam_drops{0};     ///< frame dropped: no mbuf or the rx ring was full
    counter tx_drops{0};          ///< outgoing packet dropped: interface down, too big, no buffer
    counter garbage_bytes{0};     ///< deframer: bytes outside frames
    counter frames_too_short{0};  ///< deframer: frame <= 19 bytes (spec §10.1)
    counter frames_too_long{0};   ///< deframer: frame > max frame, or unterminated past 2 × max
    counter rx_truncated{0};      ///< UDP: datagram larger than a receive buffer
};

/// Per live connection slot (spawned, client, or UDP); reset when the slot is reused.
struct conn_stats {
    counter bytes_in{0};
    counter bytes_out{0};
    counter frames_in{0};
    counter frames_out{0};
};

} // namespace rns::io
