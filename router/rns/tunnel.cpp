// Tunnel synthesis (spec §6.14).

#include "router/rns/tunnel.hpp"

#include "crypto/sha256.hpp"
#include "router/rns/destination.hpp"

#include <algorithm>

namespace rns {

const char* to_string(tunnel_error e) noexcept {
    switch (e) {
    case tunnel_error::ok: return "ok";
    case tunnel_error::wrong_length: return "tunnel synthesis data is not 176 bytes";
    case tunnel_error::bad_signature: return "tunnel synthesis signature does not verify";
    }
    return "unknown";
}

hash32 tunnel_id_of(const byte_array<64>& public_key, const hash32& interface_hash) noexcept {
    return crypto::sha256({byte_view(public_key), byte_view(interface_hash)});
}

tunnel_result verify_tunnel_synthesis(byte_view data) noexcept {
    tunnel_result r;
    if (data.size() != tunnel_synthesize_data_size) {
        r.error = tunnel_error::wrong_length;
        return r;
    }
    r.tunnel.public_key = take<64>(data.first(tunnel_public_key_size));
    r.tunnel.interface_hash = take<32>(data.subspan(tunnel_public_key_size, tunnel_interface_hash_size));
    r.tunnel.random_hash =
        take<16>(data.subspan(tunnel_public_key_size + tunnel_interface_hash_size, tunnel_random_hash_size));
    const byte_view signed_part = data.first(tunnel_signed_size);
    const byte_view signature = data.subspan(tunnel_signed_size, tunnel_signature_size);
    // Any 64 bytes make a public-only identity; a bad Ed25519 point fails the verification.
    const auto remote = identity::from_public_key(r.tunnel.public_key);
    if (!remote || !remote->verify(signature, signed_part)) {
        r.error = tunnel_error::bad_signature;
        return r;
    }
    r.tunnel.tunnel_id = tunnel_id_of(r.tunnel.public_key, r.tunnel.interface_hash);
    return r;
}

bool is_tunnel_synthesize(const packet_view& p) noexcept {
    return p.flags.type == packet_type::data && p.flags.dest_type == destination_type::plain &&
           equal(p.destination_hash, transport_destinations::tunnel_synthesize());
}

byte_array<tunnel_synthesize_data_size>
tunnel_synthesis_data(const identity& signer, const hash32& interface_hash, const hash16& random_hash) noexcept {
    byte_array<tunnel_synthesize_data_size> d{};
    const byte_array<64> pub = signer.public_key();
    auto at = std::copy(pub.begin(), pub.end(), d.begin());
    at = std::copy(interface_hash.begin(), interface_hash.end(), at);
    at = std::copy(random_hash.begin(), random_hash.end(), at);
    const auto sig = signer.sign(byte_view(d).first(tunnel_signed_size));
    std::copy(sig.begin(), sig.end(), at);
    return d;
}

bytes build_tunnel_synthesize(const identity& signer, const hash32& interface_hash, const hash16& random_hash) {
    const auto data = tunnel_synthesis_data(signer, interface_hash, random_hash);
    packet_fields f;
    f.flags.type = packet_type::data;
    f.flags.dest_type = destination_type::plain;
    f.destination_hash = transport_destinations::tunnel_synthesize();
    f.data = data;
    bytes out(tunnel_synthesize_packet_size);
    out.resize(write_packet(f, out));
    return out;
}

} // namespace rns
