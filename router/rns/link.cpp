#include "router/rns/link.hpp"

#include "crypto/random.hpp"

#include <sodium.h>

#include <algorithm>

namespace rns::link {

const char* to_string(status s) noexcept {
    switch (s) {
    case status::pending: return "PENDING";
    case status::handshake: return "HANDSHAKE";
    case status::active: return "ACTIVE";
    case status::stale: return "STALE";
    case status::closed: return "CLOSED";
    }
    return "UNKNOWN";
}

// ---------------------------------------------------------------------------------------------
// initiator

std::optional<session> session::initiate(const hash16& destination_hash,
                                         const crypto::ed25519_public& destination_ed25519,
                                         const crypto::x25519_private& ephemeral_x25519,
                                         const crypto::ed25519_seed& ephemeral_ed25519, double now,
                                         std::uint32_t link_mtu, mode m) {
    auto sig = signalling_bytes(link_mtu, m);
    if (!sig) {
        return std::nullopt;
    }
    session s;
    s._initiator = true;
    s._mode = m;
    s._destination_hash = destination_hash;
    s._peer_ed25519 = destination_ed25519;
    s._own_x25519 = ephemeral_x25519;
    s._own_x25519_pub = crypto::x25519_public_from_private(ephemeral_x25519);
    s._own_signer.emplace(ephemeral_ed25519);
    s._request_packet = build_request_packet(
        destination_hash, request_data(s._own_x25519_pub, s._own_signer->public_key(), sig));
    auto parsed = parse_packet(s._request_packet);
    s._link_id = link_id_of(parsed.packet);
    s._request_time = now;
    return s;
}

std::optional<session> session::initiate(const hash16& destination_hash,
                                         const crypto::ed25519_public& destination_ed25519, double now,
                                         std::uint32_t link_mtu, mode m) {
    auto x = crypto::random_array<32>();
    auto e = crypto::random_array<32>();
    auto s = initiate(destination_hash, destination_ed25519, x, e, now, link_mtu, m);
    sodium_memzero(x.data(), x.size());
    sodium_memzero(e.data(), e.size());
    return s;
}

bool session::handshake(const crypto::x25519_public& peer_x25519) {
    auto shared = crypto::x25519_shared(_own_x25519, peer_x25519);
    if (!shared) {
        return false;
    }
    _shared = *shared;
    _derived = derive_key(*shared, _link_id, _mode);
    if (_derived.empty()) {
        return false;
    }
    _token.emplace(_derived);
    _status = status::handshake;
    return true;
}

proof_error session::on_proof(const packet_view& p, double now) {
    if (!_initiator || _status != status::pending) {
        return proof_error::wrong_state;
    }
    if (p.flags.type != packet_type::proof || p.context != ctx::lrproof ||
        !equal(p.destination_hash, _link_id)) {
        return proof_error::not_link_proof;
    }
    auto r = validate_proof(p.data, _link_id, _peer_ed25519, _mode);
    if (r.error == proof_error::mode_mismatch) {
        close(); // the reference closes the link on an exception here
        return r.error;
    }
    if (!r) {
        return r.error;
    }
    if (!handshake(r.fields.responder_x25519)) {
        close();
        return proof_error::bad_signature;
    }
    _rtt = now - _request_time;
    _mtu = r.fields.confirmed_mtu.value_or(0) != 0 ? *r.fields.confirmed_mtu : static_cast<std::uint32_t>(rns::mtu);
    _status = status::active;
    return proof_error::ok;
}

bytes session::rtt_packet(const byte_array<16>& iv) const {
    return data_packet(ctx::lrrtt, rtt_plaintext(_rtt), iv);
}

bytes session::rtt_packet() const {
    return data_packet(ctx::lrrtt, rtt_plaintext(_rtt));
}

// ---------------------------------------------------------------------------------------------
// responder

std::optional<session> session::accept(const packet_view& lr, const identity& destination,
                                       const crypto::x25519_private& ephemeral_x25519, double now,
                                       std::uint32_t max_mtu, request_error* error) {
    auto r = parse_request(lr);
    if (error != nullptr) {
        *error = r.error;
    }
    if (!r || !destination.has_private_key()) {
        return std::nullopt;
    }
    session s;
    s._initiator = false;
    s._mode = r.fields.link_mode;
    s._link_id = r.fields.link_id;
    s._destination_hash = take<16>(lr.destination_hash);
    s._peer_ed25519 = r.fields.peer_ed25519;
    std::uint32_t m = r.fields.signalled_mtu.value_or(0);
    if (m == 0) {
        m = static_cast<std::uint32_t>(rns::mtu); // `mtu_from_lr_packet(packet) or Reticulum.MTU`
    }
    if (max_mtu != 0 && m > max_mtu) {
        m = max_mtu;
    }
    s._mtu = m;
    s._own_x25519 = ephemeral_x25519;
    s._own_x25519_pub = crypto::x25519_public_from_private(ephemeral_x25519);
    s._destination_identity = destination;
    if (!s.handshake(r.fields.peer_x25519)) {
        return std::nullopt;
    }
    auto sig = signalling_bytes(s._mtu, s._mode);
    if (!sig) {
        return std::nullopt; // parse_request already refused disabled modes
    }
    s._proof_packet = build_proof_packet(s._link_id, build_proof_data(destination, s._link_id, s._own_x25519_pub, *sig));
    s._request_time = now;
    return s;
}

std::optional<session> session::accept(const packet_view& lr, const identity& destination, double now,
                                       std::uint32_t max_mtu, request_error* error) {
    auto x = crypto::random_array<32>();
    auto s = accept(lr, destination, x, now, max_mtu, error);
    sodium_memzero(x.data(), x.size());
    return s;
}

bool session::on_rtt(const packet_view& p, double now) {
    if (_initiator || !_token || _status == status::closed || p.context != ctx::lrrtt) {
        return false;
    }
    auto plain = decrypt(p.data);
    if (!plain) {
        return false;
    }
    auto rtt = parse_rtt(*plain.plaintext);
    if (!rtt) {
        close(); // the reference tears the link down when the RTT does not unpack
        return false;
    }
    double measured = now - _request_time;
    _rtt = std::max(measured, *rtt);
    _status = status::active;
    return true;
}

// ---------------------------------------------------------------------------------------------
// traffic

bytes session::encrypt(byte_view plaintext, const byte_array<16>& iv) const {
    return _token ? _token->encrypt(plaintext, iv) : bytes{};
}

bytes session::encrypt(byte_view plaintext) const {
    return _token ? _token->encrypt(plaintext) : bytes{};
}

crypto::token::result session::decrypt(byte_view token) const {
    if (!_token) {
        return {std::nullopt, crypto::token_error::bad_key_size};
    }
    return _token->decrypt(token);
}

bytes session::data_packet(std::uint8_t context, byte_view plaintext, const byte_array<16>& iv) const {
    if (!_token) {
        return {};
    }
    return build_data_packet(_link_id, context, encrypt(plaintext, iv));
}

bytes session::data_packet(std::uint8_t context, byte_view plaintext) const {
    if (!_token) {
        return {};
    }
    return build_data_packet(_link_id, context, encrypt(plaintext));
}

bytes session::keepalive_packet() const {
    const std::uint8_t b = _initiator ? keepalive_request : keepalive_response;
    return build_data_packet(_link_id, ctx::keepalive, byte_view(&b, 1));
}

bytes session::close_packet(const byte_array<16>& iv) {
    // Link.teardown: a pending link closes silently; otherwise LINKCLOSE goes out first.
    bytes out;
    if (_status != status::pending && _status != status::closed) {
        out = data_packet(ctx::link_close, _link_id, iv);
    }
    close();
    return out;
}

bytes session::close_packet() {
    bytes out;
    if (_status != status::pending && _status != status::closed) {
        out = data_packet(ctx::link_close, _link_id);
    }
    close();
    return out;
}

bool session::on_close(const packet_view& p) {
    if (p.context != ctx::link_close || _status == status::closed) {
        return false;
    }
    auto plain = decrypt(p.data);
    if (!plain || !equal(*plain.plaintext, _link_id)) {
        return false;
    }
    close();
    return true;
}

bytes session::identify_packet(const identity& who, const byte_array<16>& iv) const {
    if (!_initiator || _status != status::active) {
        return {};
    }
    return data_packet(ctx::link_identify, identify_plaintext(who, _link_id), iv);
}

std::optional<identity> session::on_identify(const packet_view& p) {
    if (_initiator || p.context != ctx::link_identify || _status == status::closed) {
        return std::nullopt;
    }
    auto plain = decrypt(p.data);
    if (!plain) {
        return std::nullopt;
    }
    auto id = parse_identify(*plain.plaintext, _link_id);
    if (id && !_remote_identity) {
        _remote_identity = id;
    }
    return id;
}

bytes session::request_packet(double now, std::string_view path, byte_view packed_data,
                              const byte_array<16>& iv) const {
    return data_packet(ctx::request, request_plaintext(now, path, packed_data), iv);
}

bytes session::response_packet(const hash16& rid, byte_view packed_response, const byte_array<16>& iv) const {
    return data_packet(ctx::response, response_plaintext(rid, packed_response), iv);
}

ed25519_signature session::sign(byte_view msg) const noexcept {
    if (_own_signer) {
        return _own_signer->sign(msg);
    }
    if (_destination_identity) {
        return _destination_identity->sign(msg);
    }
    return {};
}

const crypto::ed25519_public& session::own_ed25519_public() const noexcept {
    static const crypto::ed25519_public none{};
    if (_own_signer) {
        return _own_signer->public_key();
    }
    if (_destination_identity) {
        return _destination_identity->ed25519_public();
    }
    return none;
}

bytes session::prove_packet(const packet_view& p) const {
    hash32 h = packet_hash(p);
    return build_packet_proof(_link_id, packet_proof_data(h, sign(h)));
}

bool session::validate_packet_proof(const packet_view& proof, const hash32& h) const noexcept {
    if (proof.flags.type != packet_type::proof || !equal(proof.destination_hash, _link_id)) {
        return false;
    }
    return link::validate_packet_proof(proof.data, h, _peer_ed25519);
}

void session::close() noexcept {
    _status = status::closed;
    sodium_memzero(_own_x25519.data(), _own_x25519.size());
    if (_shared) {
        sodium_memzero(_shared->data(), _shared->size());
        _shared.reset();
    }
    sodium_memzero(_derived.data(), _derived.size());
    _derived.clear();
    _token.reset();
}

} // namespace rns::link
