#pragma once
// Router side of the sidecar link (LINK_PROTOCOL.md): a non-blocking SOCK_SEQPACKET listener on a
// unix socket path, one connection per sidecar. DPDK-free; the caller polls the descriptors it
// exposes (or calls poll_once) and gets callbacks. Every refused or undecodable message is
// counted, and a registration with another protocol version is refused with a clear reason.

#include "drivers/rnode_sidecar/link_protocol.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

struct pollfd;

namespace sidecar_link {

struct server_counters {
    std::uint64_t accepted = 0;
    std::uint64_t registered = 0;
    std::uint64_t refused = 0;          ///< registrations refused (version or callback)
    std::uint64_t decode_errors = 0;    ///< datagrams that did not decode
    std::uint64_t unexpected = 0;       ///< valid messages out of place (packet before hello, …)
    std::uint64_t packets_in = 0;
    std::uint64_t packets_out = 0;
    std::uint64_t send_drops = 0;       ///< packet_out not sent: unknown id or socket full
    std::uint64_t closed = 0;
};

class server {
  public:
    using conn_id = std::uint32_t;
    struct callbacks {
        /// A sidecar registers; return an empty string to accept, else the refusal reason.
        std::function<std::string(conn_id, const hello&)> on_hello;
        std::function<void(conn_id, const packet_in&)> on_packet;
        std::function<void(conn_id, const stats&)> on_stats;
        std::function<void(conn_id)> on_close; ///< only for registered connections
    };

    /// Binds path (a stale socket file there is replaced). Throws std::system_error on failure.
    server(std::string path, callbacks cb);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    /// Descriptors to poll for input (the listener first).
    [[nodiscard]] std::vector<int> fds() const;
    /// Handles readiness of one descriptor returned by fds().
    void handle(int fd, short revents);
    /// Polls all descriptors once, up to timeout_ms, and handles what is ready.
    void poll_once(int timeout_ms);

    /// Sends a packet to a registered sidecar; false (and counted) when it cannot.
    bool send_packet(conn_id id, rns::byte_view payload);
    [[nodiscard]] std::vector<conn_id> registered() const;
    [[nodiscard]] const hello* registration(conn_id id) const;
    [[nodiscard]] const server_counters& counters() const noexcept { return _counters; }
    [[nodiscard]] const std::string& path() const noexcept { return _path; }

  private:
    struct connection {
        int fd = -1;
        bool registered = false;
        hello info;
    };
    void accept_all();
    void read_conn(conn_id id);
    void close_conn(conn_id id);
    bool send_to(int fd, const message& m);

    std::string _path;
    callbacks _cb;
    int _listen_fd = -1;
    conn_id _next_id = 1;
    std::map<conn_id, connection> _conns;
    server_counters _counters;
};

} // namespace sidecar_link
