#pragma once
// A TCP interface for rnsprobe with HDLC framing (spec §10.1), either side of the connection:
//   connect  like the reference TCPClientInterface: connects to HOST:PORT (retrying until the
//            connect timeout), TCP_NODELAY;
//   listen   like a TCPServerInterface with one client at a time: accepts on IP:PORT, talks to
//            the newest connection.
// Frames are deframed incrementally; invalid ones are dropped as the reference does.

#include "router/rns/hdlc.hpp"
#include "tools/rnsprobe_link.hpp"

#include <deque>
#include <string>

namespace rns::probe {

class tcp_interface final : public packet_link {
  public:
    enum class role { connect, listen };
    /// Throws std::runtime_error when the address is bad, or (connect) nobody accepts within
    /// connect_timeout_s.
    tcp_interface(role r, const std::string& address, double connect_timeout_s);
    ~tcp_interface() override;
    tcp_interface(const tcp_interface&) = delete;
    tcp_interface& operator=(const tcp_interface&) = delete;

    void send(byte_view raw) override;
    std::optional<bytes> receive(double timeout_s) override;

  private:
    int _listen_fd = -1;
    int _fd = -1;
    hdlc::deframer _rx;
    std::deque<bytes> _frames;

    void accept_pending();
};

} // namespace rns::probe
