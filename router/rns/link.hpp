#pragma once
// A link's state on either side (spec §7): the initiator builds the request, validates the proof
// and sends the RTT; the responder validates the request, proves it and takes the RTT. After that
// both sides encrypt and decrypt link traffic with the derived Token key. Time is passed in by the
// caller (seconds, any epoch), so the object is deterministic and testable; the deterministic
// constructors take the ephemeral keys, and every encrypting call has a form with a given IV.
//
// This is the handshake and packet logic only: timers (keepalive, stale, establishment timeout)
// are computed here but scheduled by the owner.

#include "crypto/ed25519.hpp"
#include "crypto/token.hpp"
#include "crypto/x25519.hpp"
#include "router/rns/identity.hpp"
#include "router/rns/link_handshake.hpp"
#include "router/rns/link_packets.hpp"
#include "router/rns/packet.hpp"

#include <optional>

namespace rns::link {

/// spec §7.4 link states.
enum class status : std::uint8_t { pending = 0, handshake = 1, active = 2, stale = 3, closed = 4 };
const char* to_string(status s) noexcept;

inline constexpr double keepalive_max = 360.0;
inline constexpr double keepalive_min = 5.0;
inline constexpr double keepalive_max_rtt = 1.75;
inline constexpr double stale_factor = 2.0;
inline constexpr double establishment_timeout_per_hop = 6.0;

/// spec §7.4: clamp(rtt × 360/1.75, 5, 360).
[[nodiscard]] inline double keepalive_interval(double rtt) noexcept {
    double k = rtt * (keepalive_max / keepalive_max_rtt);
    k = k < keepalive_max ? k : keepalive_max;
    return k > keepalive_min ? k : keepalive_min;
}
/// spec §7.4: responder establishment timeout 6 × max(1, hops) + 360.
[[nodiscard]] inline double establishment_timeout(std::uint8_t hops) noexcept {
    return establishment_timeout_per_hop * (hops > 1 ? hops : 1) + keepalive_max;
}

class session {
  public:
    // ---- initiator --------------------------------------------------------------------------
    /// Starts a link to destination_hash whose identity has destination_ed25519 as signing key.
    /// nullopt if mode is not enabled. The request packet is built at once (request_packet()).
    [[nodiscard]] static std::optional<session>
    initiate(const hash16& destination_hash, const crypto::ed25519_public& destination_ed25519,
             const crypto::x25519_private& ephemeral_x25519, const crypto::ed25519_seed& ephemeral_ed25519,
             double now, std::uint32_t mtu = rns::mtu, mode m = default_mode);
    /// Same with fresh random ephemeral keys.
    [[nodiscard]] static std::optional<session> initiate(const hash16& destination_hash,
                                                         const crypto::ed25519_public& destination_ed25519,
                                                         double now, std::uint32_t mtu = rns::mtu,
                                                         mode m = default_mode);
    [[nodiscard]] const bytes& request_packet() const noexcept { return _request_packet; }

    /// Link.validate_proof on the initiator: on success the link is ACTIVE, rtt = now − request
    /// time, and the MTU is the confirmed one (500 without signalling). A mode mismatch closes the
    /// link; a bad signature or size leaves it pending, as in the reference.
    [[nodiscard]] proof_error on_proof(const packet_view& proof, double now);
    /// The LRRTT packet the initiator sends once active (encrypted msgpack float of rtt()).
    [[nodiscard]] bytes rtt_packet() const;
    [[nodiscard]] bytes rtt_packet(const byte_array<16>& iv) const;

    // ---- responder --------------------------------------------------------------------------
    /// Link.validate_request + prove: accepts a link request to destination (which must hold its
    /// private key), derives keys and builds the proof (proof_packet()). The signalled MTU (0 or
    /// absent: 500) is capped at max_mtu when max_mtu is not 0.
    [[nodiscard]] static std::optional<session> accept(const packet_view& link_request, const identity& destination,
                                                       const crypto::x25519_private& ephemeral_x25519, double now,
                                                       std::uint32_t max_mtu = 0, request_error* error = nullptr);
    [[nodiscard]] static std::optional<session> accept(const packet_view& link_request, const identity& destination,
                                                       double now, std::uint32_t max_mtu = 0,
                                                       request_error* error = nullptr);
    [[nodiscard]] const bytes& proof_packet() const noexcept { return _proof_packet; }
    /// Link.rtt_packet on the responder: decrypts the RTT, rtt = max(measured, received), ACTIVE.
    [[nodiscard]] bool on_rtt(const packet_view& rtt_packet, double now);

    // ---- both sides, once keys exist ---------------------------------------------------------
    [[nodiscard]] bytes encrypt(byte_view plaintext) const;
    [[nodiscard]] bytes encrypt(byte_view plaintext, const byte_array<16>& iv) const;
    [[nodiscard]] crypto::token::result decrypt(byte_view token) const;

    /// An encrypted DATA packet on the link with the given context.
    [[nodiscard]] bytes data_packet(std::uint8_t context, byte_view plaintext) const;
    [[nodiscard]] bytes data_packet(std::uint8_t context, byte_view plaintext, const byte_array<16>& iv) const;
    /// KEEPALIVE: 0xFF from the initiator, 0xFE as the responder's answer (unencrypted).
    [[nodiscard]] bytes keepalive_packet() const;
    /// LINKCLOSE (encrypted link id); the link is closed afterwards.
    [[nodiscard]] bytes close_packet(const byte_array<16>& iv);
    [[nodiscard]] bytes close_packet();
    /// Link.teardown_packet: closes the link iff the plaintext is the link id.
    [[nodiscard]] bool on_close(const packet_view& p);
    /// LINKIDENTIFY from the initiator (active links only; empty otherwise).
    [[nodiscard]] bytes identify_packet(const identity& who, const byte_array<16>& iv) const;
    /// Responder side of LINKIDENTIFY: the verified identity, remembered as remote_identity().
    [[nodiscard]] std::optional<identity> on_identify(const packet_view& p);
    /// REQUEST packet: [now, T(path), packed_data] encrypted.
    [[nodiscard]] bytes request_packet(double now, std::string_view path, byte_view packed_data,
                                       const byte_array<16>& iv) const;
    /// RESPONSE packet: [request_id, packed_response] encrypted.
    [[nodiscard]] bytes response_packet(const hash16& request_id, byte_view packed_response,
                                        const byte_array<16>& iv) const;
    /// Link.prove_packet: explicit proof of p signed with this side's link signing key.
    [[nodiscard]] bytes prove_packet(const packet_view& p) const;
    /// Verifies a link packet proof for the packet with packet_hash, signed by the peer.
    [[nodiscard]] bool validate_packet_proof(const packet_view& proof, const hash32& packet_hash) const noexcept;

    // ---- state ------------------------------------------------------------------------------
    [[nodiscard]] bool is_initiator() const noexcept { return _initiator; }
    [[nodiscard]] status state() const noexcept { return _status; }
    [[nodiscard]] const hash16& link_id() const noexcept { return _link_id; }
    [[nodiscard]] mode link_mode() const noexcept { return _mode; }
    [[nodiscard]] std::uint32_t mtu() const noexcept { return _mtu; }
    [[nodiscard]] std::size_t mdu() const noexcept { return mdu_for_mtu(_mtu); }
    [[nodiscard]] double rtt() const noexcept { return _rtt; }
    [[nodiscard]] double keepalive() const noexcept { return keepalive_interval(_rtt); }
    [[nodiscard]] double stale_time() const noexcept { return keepalive() * stale_factor; }
    [[nodiscard]] const std::optional<byte_array<32>>& shared_key() const noexcept { return _shared; }
    [[nodiscard]] const bytes& derived_key() const noexcept { return _derived; }
    [[nodiscard]] const crypto::x25519_public& own_x25519_public() const noexcept { return _own_x25519_pub; }
    [[nodiscard]] const crypto::ed25519_public& own_ed25519_public() const noexcept;
    [[nodiscard]] const crypto::ed25519_public& peer_ed25519_public() const noexcept { return _peer_ed25519; }
    [[nodiscard]] const std::optional<identity>& remote_identity() const noexcept { return _remote_identity; }
    /// Marks the link closed (e.g. after a timeout) and wipes the keys.
    void close() noexcept;

  private:
    session() = default;
    bool handshake(const crypto::x25519_public& peer_x25519);
    ed25519_signature sign(byte_view msg) const noexcept;

    bool _initiator = false;
    status _status = status::pending;
    hash16 _link_id{};
    hash16 _destination_hash{};
    mode _mode = default_mode;
    std::uint32_t _mtu = rns::mtu;
    double _request_time = 0;
    double _rtt = 0;
    crypto::x25519_private _own_x25519{};
    crypto::x25519_public _own_x25519_pub{};
    std::optional<crypto::ed25519_signer> _own_signer;  ///< initiator: per-link Ed25519 key
    std::optional<identity> _destination_identity;     ///< responder: signs with the destination key
    crypto::ed25519_public _peer_ed25519{};
    std::optional<byte_array<32>> _shared;
    bytes _derived;
    std::optional<crypto::token> _token;
    std::optional<identity> _remote_identity;
    bytes _request_packet;
    bytes _proof_packet;
};

} // namespace rns::link
