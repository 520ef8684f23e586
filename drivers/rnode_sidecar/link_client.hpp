#pragma once
// Sidecar side of the sidecar link (LINK_PROTOCOL.md): connects to the router's socket, registers,
// and reconnects with a back-off whenever the router goes away or refuses. Non-blocking; the
// sidecar's poll loop calls tick() and on_readable(). Nothing is queued: a packet that cannot be
// sent right now is dropped and counted by the caller.

#include "drivers/rnode_sidecar/link_protocol.hpp"

#include <chrono>
#include <functional>
#include <string>

namespace sidecar_link {

class client {
  public:
    using clock = std::chrono::steady_clock;
    client(std::string path, hello registration, std::chrono::milliseconds backoff,
           std::function<void(const packet_out&)> on_packet, std::function<void(const std::string&)> log);
    ~client();
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    /// Connects when due. Returns the time of the next attempt (or clock::time_point::max()).
    clock::time_point tick(clock::time_point now);
    void on_readable(clock::time_point now);
    [[nodiscard]] int fd() const noexcept { return _fd; }
    [[nodiscard]] bool registered() const noexcept { return _registered; }
    /// Replaces the registration; a registered link reconnects at once to register it again.
    void reregister(hello h, clock::time_point now);

    /// False when not registered or the socket refused the datagram.
    bool send(const message& m);

  private:
    void disconnect(clock::time_point now);

    std::string _path;
    hello _hello;
    std::chrono::milliseconds _backoff;
    std::function<void(const packet_out&)> _on_packet;
    std::function<void(const std::string&)> _log;
    int _fd = -1;
    bool _registered = false;
    bool _logged_down = false;
    clock::time_point _next_attempt{};
};

} // namespace sidecar_link
