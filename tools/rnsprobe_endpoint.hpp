#pragma once
// rnsprobe's RNS endpoint: a non-transport Reticulum instance with one interface, built on the
// protocol library. It can host one destination (announce it, answer path requests for it, take
// packets and links, prove them) and talk to others (request paths, send packets with receipts,
// open links, send link data, close them). No sockets and no clock here: the caller feeds
// received packets and the time, and gets outgoing packets and events through callbacks, so the
// logic is testable in-process.

#include "router/rns/bytes.hpp"
#include "router/rns/identity.hpp"
#include "router/rns/link.hpp"
#include "router/rns/packet.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace rns::probe {

struct destination_config {
    identity id;
    std::string app_name = "rnsprobe";
    std::vector<std::string> aspects = {"probe"};
    bool ratchets = false;               ///< announce a ratchet and decrypt with it
    std::optional<bytes> app_data;       ///< announced app_data
    bool prove_all = true;               ///< PROVE_ALL (else PROVE_NONE)
    bool explicit_proofs = false;        ///< explicit (96-byte) instead of implicit proofs
};

struct path_info {
    std::uint8_t hops = 0;  ///< as counted here (hop byte + 1)
    hash16 next_hop{};      ///< transport id it came through, or the destination itself
    double learned = 0;
};

class endpoint {
  public:
    using send_fn = std::function<void(byte_view raw)>;
    using event_fn = std::function<void(nlohmann::json ev)>;

    endpoint(std::optional<destination_config> own, send_fn send, event_fn event);

    /// The hosted destination's hash (if any).
    [[nodiscard]] std::optional<hash16> own_destination() const;

    /// One packet as received on the interface (no IFAC, no framing).
    void receive(byte_view raw, double now);
    /// Link housekeeping (keepalives as initiator, stale links).
    void tick(double now);

    void announce(double now, bool path_response = false);
    void request_path(const hash16& dest, double now);
    [[nodiscard]] const path_info* path(const hash16& dest) const;
    [[nodiscard]] bool knows(const hash16& dest) const { return _known.contains(dest); }

    /// Encrypts and sends a DATA packet to a known destination; returns its packet hash
    /// (the receipt), nullopt if the destination's key is unknown.
    std::optional<hash32> send_data(const hash16& dest, byte_view plaintext, double now);
    [[nodiscard]] bool delivered(const hash32& packet_hash_) const { return _delivered.contains(packet_hash_); }

    /// Starts a link; returns the link id (nullopt if the destination's key is unknown).
    std::optional<hash16> open_link(const hash16& dest, double now);
    [[nodiscard]] std::optional<link::status> link_state(const hash16& link_id) const;
    /// Sends DATA on an active link; returns the packet hash for its proof.
    std::optional<hash32> link_send(const hash16& link_id, byte_view plaintext, double now);
    void link_close(const hash16& link_id, double now);

  private:
    struct known {
        identity id;
        std::optional<crypto::x25519_public> ratchet;
    };
    struct receipt {
        hash16 destination{};
        double sent = 0;
        std::optional<hash16> link_id;
    };
    struct link_state_t {
        link::session session;
        hash16 destination{};
        double last_outbound = 0;
        double last_inbound = 0;
    };

    void emit(nlohmann::json ev);
    void transmit(const bytes& raw);
    /// spec §6.8 on an endpoint: HEADER_1 packets for destinations more than one hop away go out
    /// as HEADER_2 to the next transport node.
    void outbound(const bytes& raw);

    void on_announce(const packet_view& p, double now);
    void on_data(const packet_view& p, const hash32& h, double now);
    void on_link_request(const packet_view& p, double now);
    void on_proof(const packet_view& p, double now);
    void on_link_data(link_state_t& l, const packet_view& p, const hash32& h, double now);

    std::optional<destination_config> _own;
    hash16 _own_hash{};
    std::vector<crypto::x25519_private> _ratchet_keys;
    send_fn _send;
    event_fn _event;

    std::map<hash16, known> _known;
    std::map<hash16, path_info> _paths;
    std::map<hash32, receipt> _receipts;
    std::set<hash32> _delivered;
    std::map<hash16, link_state_t> _links;
    std::set<hash32> _seen;
};

/// b as text for events when every byte is printable ASCII, else empty.
[[nodiscard]] std::string printable(byte_view b);

} // namespace rns::probe
