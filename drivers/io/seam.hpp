#pragma once
// The seam between the io thread and the router: everything that crosses it.
//
// Interfaces are named by an io interface id (16 bits), stable for the life of a connection:
//   clients      ids 0 .. C-1          (config order of io_config::clients; one per client, kept
//                                       across reconnects)
//   UDP          ids C .. C+U-1        (config order of io_config::udps)
//   spawned      ids C+U .. max        (one per accepted TCP connection, recycled first in,
//                                       first out, so an id is reused as late as possible)
// Packets:
//   rx  deliver(iface, frame): one deframed packet exactly as received (IFAC still applied; the
//       router checks it like on any interface, spec §9.3).
//   tx  take(): packets the router queued, each with its out interface id, ready to send (IFAC
//       applied, spec §9.2); the io thread frames (spec §10.1) or sends them as datagrams
//       (spec §10.3) and then calls release().
// Interface lifecycle:
//   event(): an interface came up (spawned connection accepted and admitted, client connected,
//   UDP socket bound) or went down (with the reason). A client's id stays the same when it
//   reconnects; its up/down events repeat. With io_config::confirm_up, nothing is received on a
//   new interface until the router calls engine::confirm(iface, serial) for its up event.
// Every method is called on the io thread only and must not block.

#include "drivers/io/stats.hpp"
#include "router/rns/bytes.hpp"

#include <cstdint>
#include <span>
#include <sys/socket.h>

namespace rns::io {

enum class iface_kind : std::uint8_t { tcp_spawned, tcp_client, udp };

struct iface_event {
    enum class type : std::uint8_t { up, down };
    type what = type::up;
    iface_kind kind = iface_kind::tcp_spawned;
    std::uint16_t iface = 0;  ///< io interface id
    std::uint16_t config = 0; ///< index in io_config::listeners (spawned), clients, or udps
    close_reason reason = close_reason::shutdown; ///< down only
    sockaddr_storage peer{};  ///< spawned and client: the remote address; UDP: the local one
    std::uint32_t serial = 0; ///< up: the value to pass to engine::confirm (io_config::confirm_up)
};

struct tx_packet {
    std::uint16_t iface = 0;
    byte_view data;
};

class packet_seam {
  public:
    /// One received frame. False when the router could not take it (counted by the io thread).
    virtual bool deliver(std::uint16_t iface, byte_view frame) noexcept = 0;
    /// Up to out.size() outgoing packets; they stay valid until release().
    virtual unsigned take(std::span<tx_packet> out) noexcept = 0;
    /// The packets of the last take() are done with.
    virtual void release() noexcept = 0;
    virtual void event(const iface_event& e) noexcept = 0;

  protected:
    ~packet_seam() = default;
};

} // namespace rns::io
