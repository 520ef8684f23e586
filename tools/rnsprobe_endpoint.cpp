#include "tools/rnsprobe_endpoint.hpp"

#include "router/rns/announce.hpp"
#include "router/rns/destination.hpp"
#include "router/rns/path_request.hpp"
#include "router/rns/proof.hpp"

#include <cmath>

namespace rns::probe {

std::string printable(byte_view b) {
    std::string s;
    for (auto c : b) {
        if (c < 0x20 || c > 0x7e) {
            return {};
        }
        s.push_back(static_cast<char>(c));
    }
    return s;
}

endpoint::endpoint(std::optional<destination_config> own, send_fn send, event_fn event)
    : _own(std::move(own)), _send(std::move(send)), _event(std::move(event)) {
    if (_own) {
        std::vector<std::string_view> aspects(_own->aspects.begin(), _own->aspects.end());
        _own_hash = destination_hash(name_hash(_own->app_name, aspects), _own->id.hash());
        if (_own->ratchets) {
            _ratchet_keys.push_back(identity::generate_ratchet());
        }
    }
}

std::optional<hash16> endpoint::own_destination() const {
    return _own ? std::optional<hash16>(_own_hash) : std::nullopt;
}

void endpoint::emit(nlohmann::json ev) {
    if (_event) {
        _event(std::move(ev));
    }
}

void endpoint::transmit(const bytes& raw) {
    if (auto p = parse_packet(raw)) {
        _seen.insert(packet_hash(p.packet));
    }
    _send(raw);
}

void endpoint::outbound(const bytes& raw) {
    auto p = parse_packet(raw);
    if (!p) {
        return;
    }
    const auto& v = p.packet;
    if (v.flags.type != packet_type::announce && v.flags.dest_type != destination_type::plain &&
        v.flags.dest_type != destination_type::group && !v.is_header_2()) {
        auto it = _paths.find(take<16>(v.destination_hash));
        if (it != _paths.end() && it->second.hops > 1) {
            bytes out(raw.size() + 16);
            out.resize(insert_transport(raw, it->second.next_hop, out));
            if (!out.empty()) {
                transmit(out);
                return;
            }
        }
    }
    transmit(raw);
}

void endpoint::announce(double now, bool path_response) {
    if (!_own) {
        return;
    }
    announce_params ap;
    std::vector<std::string_view> aspects(_own->aspects.begin(), _own->aspects.end());
    ap.name_hash = name_hash(_own->app_name, aspects);
    ap.random = make_random_hash(static_cast<std::uint64_t>(now));
    if (!_ratchet_keys.empty()) {
        ap.ratchet = identity::ratchet_public(_ratchet_keys.front());
    }
    if (_own->app_data) {
        ap.app_data = *_own->app_data;
    }
    ap.path_response = path_response;
    const bytes raw = build_announce(_own->id, ap);
    if (raw.empty()) {
        emit({{"event", "error"}, {"what", "announce too large"}});
        return;
    }
    transmit(raw);
    emit({{"event", "announce_sent"},
          {"destination", to_hex(_own_hash)},
          {"path_response", path_response},
          {"ratchet", ap.ratchet.has_value()}});
}

void endpoint::request_path(const hash16& dest, double now) {
    (void)now;
    // A non-transport instance sends dest ‖ tag (spec §6.9).
    transmit(build_path_request(dest, make_path_request_tag()));
    emit({{"event", "path_request_sent"}, {"destination", to_hex(dest)}});
}

const path_info* endpoint::path(const hash16& dest) const {
    auto it = _paths.find(dest);
    return it == _paths.end() ? nullptr : &it->second;
}

void endpoint::receive(byte_view raw, double now) {
    auto parsed = parse_packet(raw);
    if (!parsed) {
        emit({{"event", "drop"}, {"reason", to_string(parsed.error)}});
        return;
    }
    packet_view p = parsed.packet;
    p.hops = static_cast<std::uint8_t>(p.hops + 1);
    const hash32 h = packet_hash(p);
    const hash16 dest = take<16>(p.destination_hash);
    // HEADER_2 packets for a transport node are not for an endpoint (spec §6.3 rule 1).
    if (p.is_header_2() && p.flags.type != packet_type::announce) {
        return;
    }
    switch (p.flags.type) {
    case packet_type::announce:
        on_announce(p, now);
        return;
    case packet_type::link_request:
        if (_seen.insert(h).second) {
            on_link_request(p, now);
        }
        return;
    case packet_type::proof:
        on_proof(p, now);
        return;
    case packet_type::data:
        break;
    }
    if (auto l = _links.find(dest); l != _links.end()) {
        // Keepalives repeat identical bytes: no duplicate check for them.
        if (p.context == ctx::keepalive || _seen.insert(h).second) {
            on_link_data(l->second, p, h, now);
        }
        return;
    }
    if (!_seen.insert(h).second) {
        return;
    }
    on_data(p, h, now);
}

void endpoint::on_announce(const packet_view& p, double now) {
    const hash16 dest = take<16>(p.destination_hash);
    if (_own && dest == _own_hash) {
        return;
    }
    announce_checks checks;
    auto k = _known.find(dest);
    byte_array<64> known_key{};
    if (k != _known.end()) {
        known_key = k->second.id.public_key();
        checks.known_public_key = &known_key;
    }
    const announce_result r = validate_announce(p, checks);
    if (!r) {
        emit({{"event", "announce_invalid"}, {"destination", to_hex(dest)}, {"reason", to_string(r.error)}});
        return;
    }
    auto id = identity::from_public_key(r.announce.public_key);
    if (!id) {
        return;
    }
    known kd{*id, std::nullopt};
    if (!r.announce.ratchet.empty()) {
        kd.ratchet = take<32>(r.announce.ratchet);
    } else if (k != _known.end()) {
        kd.ratchet = k->second.ratchet;
    }
    _known.insert_or_assign(dest, std::move(kd));
    path_info pi;
    pi.hops = p.hops;
    pi.next_hop = p.is_header_2() ? take<16>(p.transport_id) : dest;
    pi.learned = now;
    const bool is_new = !_paths.contains(dest) || _paths[dest].hops != pi.hops;
    _paths[dest] = pi;
    nlohmann::json ev = {{"event", "announce"},
                         {"destination", to_hex(dest)},
                         {"hops", p.hops},
                         {"path_response", p.context == ctx::path_response},
                         {"ratchet", !r.announce.ratchet.empty()},
                         {"via", p.is_header_2() ? to_hex(p.transport_id) : std::string()},
                         {"new_path", is_new}};
    if (r.announce.app_data_present) {
        ev["app_data"] = to_hex(r.announce.app_data);
        ev["app_data_text"] = printable(r.announce.app_data);
    } else {
        ev["app_data"] = nullptr;
    }
    emit(std::move(ev));
}

void endpoint::on_data(const packet_view& p, const hash32& h, double now) {
    const hash16 dest = take<16>(p.destination_hash);
    if (p.flags.dest_type == destination_type::plain) {
        // Path requests for our destination are answered with a PATH_RESPONSE announce.
        if (_own && is_path_request(p) && p.hops <= 1) {
            if (auto pr = parse_path_request(p.data); pr && equal(pr.request.destination_hash, _own_hash)) {
                emit({{"event", "path_request"}, {"destination", to_hex(_own_hash)}});
                announce(now, true);
            }
        }
        return;
    }
    if (!_own || dest != _own_hash || p.flags.dest_type != destination_type::single) {
        return;
    }
    auto plain = _own->id.decrypt(p.data, _ratchet_keys);
    if (!plain) {
        emit({{"event", "decrypt_failed"}, {"reason", to_string(plain.error)}});
        return;
    }
    emit({{"event", "data"},
          {"destination", to_hex(dest)},
          {"data_hex", to_hex(*plain.plaintext)},
          {"data", printable(*plain.plaintext)},
          {"ratchet", plain.ratchet_used.has_value()},
          {"hops", p.hops}});
    if (_own->prove_all) {
        transmit(build_proof(_own->id, h, _own->explicit_proofs));
        emit({{"event", "proof_sent"}, {"packet_hash", to_hex(h)}});
    }
}

void endpoint::on_proof(const packet_view& p, double now) {
    const hash16 dest = take<16>(p.destination_hash);
    if (p.context == ctx::lrproof) {
        auto it = _links.find(dest);
        if (it == _links.end() || !it->second.session.is_initiator() ||
            it->second.session.state() != link::status::pending) {
            return;
        }
        link::session& s = it->second.session;
        const auto err = s.on_proof(p, now);
        if (err != link::proof_error::ok || s.state() != link::status::active) {
            emit({{"event", "link_proof_invalid"}, {"link_id", to_hex(dest)}, {"reason", link::to_string(err)}});
            return;
        }
        transmit(s.rtt_packet());
        it->second.last_outbound = now;
        emit({{"event", "link_established"},
              {"link_id", to_hex(dest)},
              {"role", "initiator"},
              {"rtt", s.rtt()},
              {"mtu", s.mtu()}});
        return;
    }
    if (auto l = _links.find(dest); l != _links.end()) {
        // A proof of one of our link packets: explicit, names the packet hash.
        if (p.data.size() < 32) {
            return;
        }
        const hash32 ph = take<32>(p.data);
        auto r = _receipts.find(ph);
        if (r == _receipts.end() || _delivered.contains(ph)) {
            return;
        }
        if (l->second.session.validate_packet_proof(p, ph)) {
            _delivered.insert(ph);
            emit({{"event", "link_delivered"},
                  {"link_id", to_hex(dest)},
                  {"packet_hash", to_hex(ph)},
                  {"rtt", now - r->second.sent}});
        }
        return;
    }
    // A packet proof: its destination is the truncated hash of the proved packet (spec §8).
    for (auto& [ph, r] : _receipts) {
        if (r.link_id || _delivered.contains(ph) || !std::equal(dest.begin(), dest.end(), ph.begin())) {
            continue;
        }
        auto k = _known.find(r.destination);
        if (k == _known.end()) {
            continue;
        }
        const proof_error e = validate_proof(p.data, ph, k->second.id.ed25519_public());
        if (e == proof_error::ok) {
            _delivered.insert(ph);
            emit({{"event", "delivered"},
                  {"destination", to_hex(r.destination)},
                  {"packet_hash", to_hex(ph)},
                  {"rtt", now - r.sent},
                  {"hops", p.hops}});
        } else {
            emit({{"event", "proof_invalid"}, {"packet_hash", to_hex(ph)}, {"reason", to_string(e)}});
        }
        return;
    }
}

std::optional<hash32> endpoint::send_data(const hash16& dest, byte_view plaintext, double now) {
    auto k = _known.find(dest);
    if (k == _known.end()) {
        return std::nullopt;
    }
    const bytes ct = k->second.id.encrypt(plaintext, k->second.ratchet);
    if (ct.empty()) {
        return std::nullopt;
    }
    packet_fields f;
    f.flags.type = packet_type::data;
    f.flags.dest_type = destination_type::single;
    f.destination_hash = dest;
    f.data = ct;
    const bytes raw = build_packet(f);
    if (raw.size() > mtu) {
        emit({{"event", "error"}, {"what", "packet exceeds the MTU"}});
        return std::nullopt;
    }
    const hash32 h = packet_hash(parse_packet(raw).packet);
    _receipts[h] = receipt{dest, now, std::nullopt};
    outbound(raw);
    emit({{"event", "sent"}, {"destination", to_hex(dest)}, {"packet_hash", to_hex(h)}, {"bytes", raw.size()}});
    return h;
}

void endpoint::tick(double now) {
    for (auto it = _links.begin(); it != _links.end();) {
        link_state_t& l = it->second;
        const link::status st = l.session.state();
        if (st == link::status::pending && now - l.last_outbound > link::establishment_timeout(1)) {
            emit({{"event", "link_timeout"}, {"link_id", to_hex(it->first)}});
            it = _links.erase(it);
            continue;
        }
        if (st == link::status::active && l.session.is_initiator() &&
            now - l.last_outbound >= l.session.keepalive()) {
            transmit(l.session.keepalive_packet());
            l.last_outbound = now;
        }
        ++it;
    }
}

} // namespace rns::probe
