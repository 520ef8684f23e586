// Forwarding by the transport tables: HEADER_2 packets addressed to us (spec §6.4), link-table
// traffic (spec §6.5), link request proofs (spec §6.10) and the reverse table for proofs (§6.11).

#include "router/control/transport.hpp"

#include "crypto/ed25519.hpp"
#include "crypto/sha256.hpp"
#include "router/rns/link_handshake.hpp"

#include <algorithm>

namespace rns::control {

namespace {

constexpr std::size_t link_ecpub_size = link::ecpub_size;
constexpr std::size_t link_mtu_size = link::signalling_size;

constexpr double link_mtu_bits = 500.0 * 8.0;  ///< spec §6.4: 4000 / bitrate

/// Callers pass parsed packets, so raw holds at least 19 bytes.
bytes with_hops(byte_view raw, std::uint8_t hops) {
    bytes out;
    out.reserve(raw.size());
    out.push_back(raw[0]);
    out.push_back(hops);
    out.insert(out.end(), raw.begin() + 2, raw.end());
    return out;
}

} // namespace

// spec §6.4.
bool transport::forward_header2(iface_id in, const packet_view& p, const hash32& h, double now,
                                inbound_result& res) {
    const hash16 dest = take<16>(p.destination_hash);
    auto it = _paths.find(dest);
    if (it == _paths.end() || !iface_usable(it->second.iface)) {
        count_drop(in, drop_reason::no_path, res);
        return false;
    }
    path_entry& path = it->second;
    const iface_id out = path.iface;
    const std::uint8_t remaining = path.hops;

    bytes fwd(p.raw.size() + 16);
    std::size_t n = 0;
    if (remaining > 1) {
        n = replace_transport(p.raw, p.hops, path.next_hop, fwd);
    } else if (remaining == 1) {
        // Clears the context-flag bit too (spec §12.3 quirk, harmless: masked out of the hash).
        n = strip_transport(p.raw, p.hops, fwd);
    } else {
        // Destination on a local client of ours: keep the header, write the hop count.
        std::copy(p.raw.begin(), p.raw.end(), fwd.begin());
        fwd[1] = p.hops;
        n = p.raw.size();
    }
    if (n == 0) {
        count_drop(in, drop_reason::malformed, res);
        return false;
    }
    fwd.resize(n);

    if (p.flags.type == packet_type::link_request) {
        const iface_config& in_cfg = _ifaces[in].cfg;
        const iface_config& out_cfg = _ifaces[out].cfg;
        double proof_timeout = now + tc::per_hop_timeout * std::max<int>(1, remaining);
        if (in_cfg.bitrate > 0) {
            proof_timeout += link_mtu_bits / static_cast<double>(in_cfg.bitrate);
        }
        if (p.data.size() == link_ecpub_size + link_mtu_size) {
            const link::signalling_fields sig =
                link::decode_signalling(take<link::signalling_size>(p.data.subspan(link_ecpub_size)));
            const std::uint32_t path_mtu = sig.mtu;
            if (path_mtu != 0) {
                if (out_cfg.hw_mtu == 0 || (!out_cfg.autoconfigure_mtu && !out_cfg.fixed_mtu)) {
                    // The next hop takes no part in MTU discovery: the link stays at 500.
                    fwd.resize(fwd.size() - link_mtu_size);
                } else if (out_cfg.hw_mtu < path_mtu || (in_cfg.hw_mtu != 0 && in_cfg.hw_mtu < path_mtu)) {
                    // Reference behaviour kept (spec §6.4, §12.3): clamping with no HW_MTU on the
                    // receiving side, or for a mode it cannot encode, drops the request.
                    const auto clamped = in_cfg.hw_mtu == 0
                                             ? std::nullopt
                                             : link::signalling_bytes(std::min(out_cfg.hw_mtu, in_cfg.hw_mtu),
                                                                      sig.link_mode);
                    if (!clamped) {
                        count_drop(in, drop_reason::lr_mtu_unclampable, res);
                        return false;
                    }
                    std::copy(clamped->begin(), clamped->end(), fwd.end() - link_mtu_size);
                }
            }
        }
        link_entry le;
        le.timestamp = now;
        le.next_hop = path.next_hop;
        le.nh_iface = out;
        le.remaining_hops = remaining;
        le.received_on = in;
        le.taken_hops = p.hops;
        le.destination = dest;
        le.validated = false;
        le.proof_timeout = proof_timeout;
        set_link(link::link_id_of(p), le);
    } else {
        _hashes.set_reverse(h, {in, out, now});
    }
    transmit(out, fwd, &res);
    ++_counters.ifaces[out].forwarded;
    path.timestamp = now;
    return true;
}

// spec §6.5.
bool transport::forward_link(iface_id in, const packet_view& p, const hash32& h, double now,
                             inbound_result& res) {
    const hash16 id = take<16>(p.destination_hash);
    auto it = _links.find(id);
    if (it == _links.end()) {
        return false;
    }
    link_entry& le = it->second;
    iface_id out = no_iface;
    if (le.nh_iface == le.received_on) {
        // Both ends on one interface: direction does not matter, the hop count must.
        if (p.hops == le.remaining_hops || p.hops == le.taken_hops) {
            out = le.nh_iface;
        }
    } else if (in == le.nh_iface) {
        if (p.hops == le.remaining_hops) {
            out = le.received_on;
        }
    } else if (in == le.received_on) {
        if (p.hops == le.taken_hops) {
            out = le.nh_iface;
        }
    }
    if (out == no_iface) {
        // Overheard on a shared medium or a stale hop count: not ours to repeat.
        count_drop(in, drop_reason::link_hops_mismatch, res);
        return false;
    }
    _hashes.add(h, now);
    transmit(out, with_hops(p.raw, p.hops), &res);
    ++_counters.ifaces[out].forwarded;
    le.timestamp = now;
    return true;
}

// spec §6.10.
void transport::handle_lrproof(iface_id in, const packet_view& p, double now, inbound_result& res) {
    const hash16 id = take<16>(p.destination_hash);
    auto it = _links.find(id);
    if (it == _links.end()) {
        // Could belong to a pending link of a local initiator; none are hosted here.
        count_drop(in, drop_reason::lrproof_unknown_link, res);
        return;
    }
    link_entry& le = it->second;

    // The proof must be signed by the destination's identity, known from its announce.
    auto verify = [&]() -> bool {
        const std::size_t n = p.data.size();
        if (n != 64 + 32 && n != 64 + 32 + link_mtu_size) {
            return false;
        }
        auto known = _known.find(le.destination);
        if (known == _known.end()) {
            return false;
        }
        const auto& pub = known->second.public_key;
        const crypto::ed25519_public ed = take<32>(byte_view(pub).subspan(32));
        // signalling bytes re-encoded from data[96:99] reproduce them exactly
        const bytes signed_data = link::proof_signed_data(id, take<32>(p.data.subspan(64)), ed, p.data.subspan(96));
        return crypto::ed25519_verify(ed, signed_data, p.data.first(64));
    };

    bool verified = false;
    if (p.hops != le.remaining_hops) {
        // ALLOW_LINK_PATH_REBALANCE: the path got shorter or longer since the request went out.
        if (in == le.nh_iface && !le.validated && (verified = verify())) {
            le.remaining_hops = p.hops;
            if (auto pit = _paths.find(le.destination); pit != _paths.end()) {
                pit->second.hops = p.hops;
                _sink.path_set(le.destination, {pit->second.next_hop, pit->second.hops, pit->second.iface});
            }
        } else {
            count_drop(in, drop_reason::lrproof_mismatch, res);
            return;
        }
    }
    if (in != le.nh_iface) {
        count_drop(in, drop_reason::lrproof_mismatch, res);
        return;
    }
    if (!verified && !verify()) {
        count_drop(in, drop_reason::lrproof_invalid, res);
        return;
    }
    le.validated = true;
    const iface_id out = le.received_on;
    set_link(id, le);
    if (auto known = _known.find(le.destination); known != _known.end()) {
        known->second.last_used = now;
    }
    transmit(out, with_hops(p.raw, p.hops), &res);
    if (out < _counters.ifaces.size()) {
        ++_counters.ifaces[out].forwarded;
    }
}

// spec §6.11.
void transport::handle_proof(iface_id in, const packet_view& p, inbound_result& res) {
    const hash16 key = take<16>(p.destination_hash);
    // Taken out of the table whether or not the proof is forwarded (spec §6.11).
    const std::optional<reverse_entry> found = _hashes.take_reverse(key, _now);
    if (!found) {
        // A proof for a receipt held elsewhere (or already routed).
        count_drop(in, drop_reason::proof_unknown, res);
        return;
    }
    const reverse_entry e = *found;
    if (in != e.outbound) {
        count_drop(in, drop_reason::proof_wrong_interface, res);
        return;
    }
    transmit(e.received_on, with_hops(p.raw, p.hops), &res);
    if (e.received_on < _counters.ifaces.size()) {
        ++_counters.ifaces[e.received_on].forwarded;
    }
}

} // namespace rns::control
