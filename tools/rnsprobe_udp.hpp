#pragma once
// A UDP interface like the reference UDPInterface (spec §10.3): one RNS packet per datagram,
// listen on ip:port, send everything to the forward ip:port (broadcast allowed). No framing.

#include "router/rns/bytes.hpp"
#include "tools/rnsprobe_link.hpp"

#include <optional>
#include <string>
#include <sys/socket.h>

namespace rns::probe {

class udp_interface final : public packet_link {
  public:
    /// listen / forward as "ip:port" or "[ipv6]:port". Throws std::runtime_error on failure.
    udp_interface(const std::string& listen, const std::string& forward);
    ~udp_interface() override;
    udp_interface(const udp_interface&) = delete;
    udp_interface& operator=(const udp_interface&) = delete;

    void send(byte_view raw) override;
    /// Waits up to timeout_s for a datagram; nullopt on timeout.
    std::optional<bytes> receive(double timeout_s) override;

  private:
    int _fd = -1;
    sockaddr_storage _forward{};
    socklen_t _forward_len = 0;
};

/// Wall clock in seconds (CLOCK_REALTIME, like the reference's time.time()).
double now_seconds();

} // namespace rns::probe
