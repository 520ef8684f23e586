#pragma once
// What an rnsprobe endpoint sends and receives RNS packets over: a UDP interface (spec §10.3) or
// a TCP connection with HDLC framing (spec §10.1).

#include "router/rns/bytes.hpp"

#include <optional>

namespace rns::probe {

class packet_link {
  public:
    virtual ~packet_link() = default;
    virtual void send(byte_view raw) = 0;
    /// Waits up to timeout_s for a packet; nullopt on timeout.
    virtual std::optional<bytes> receive(double timeout_s) = 0;
};

} // namespace rns::probe
