// rnsprobe endpoint: links (spec §7) — a link request answered as responder (the probe's own
// destination), links opened as initiator, their data, identification, keepalives and close.
// Single packets, announces, paths and proofs are in rnsprobe_endpoint.cpp.
#include "tools/rnsprobe_endpoint.hpp"

namespace rns::probe {

void endpoint::on_link_request(const packet_view& p, double now) {
    if (!_own || !equal(p.destination_hash, _own_hash)) {
        return;
    }
    link::request_error err{};
    auto s = link::session::accept(p, _own->id, now, 0, &err);
    if (!s) {
        emit({{"event", "link_request_refused"}, {"reason", link::to_string(err)}});
        return;
    }
    const hash16 id = s->link_id();
    transmit(s->proof_packet());
    _links.insert_or_assign(id, link_state_t{std::move(*s), _own_hash, now, now});
    emit({{"event", "link_request"}, {"link_id", to_hex(id)}});
}

void endpoint::on_link_data(link_state_t& l, const packet_view& p, const hash32& h, double now) {
    l.last_inbound = now;
    const std::string id = to_hex(l.session.link_id());
    switch (p.context) {
    case ctx::lrrtt:
        if (!l.session.is_initiator() && l.session.on_rtt(p, now)) {
            emit({{"event", "link_established"}, {"link_id", id}, {"role", "responder"}, {"rtt", l.session.rtt()}});
        }
        return;
    case ctx::keepalive:
        if (!p.data.empty() && p.data[0] == link::keepalive_request && !l.session.is_initiator()) {
            transmit(l.session.keepalive_packet());
            l.last_outbound = now;
        }
        return;
    case ctx::link_close:
        if (l.session.on_close(p)) {
            emit({{"event", "link_closed"}, {"link_id", id}, {"by", "peer"}});
            _links.erase(l.session.link_id());
        }
        return;
    case ctx::link_identify:
        if (auto who = l.session.on_identify(p)) {
            emit({{"event", "link_identified"}, {"link_id", id}, {"identity", who->hexhash()}});
        }
        return;
    case ctx::none:
        break;
    default:
        emit({{"event", "link_packet"}, {"link_id", id}, {"context", context_name(p.context)}});
        return;
    }
    auto plain = l.session.decrypt(p.data);
    if (!plain) {
        emit({{"event", "link_decrypt_failed"}, {"link_id", id}});
        return;
    }
    const bytes& pt = *plain.plaintext;
    emit({{"event", "link_data"}, {"link_id", id}, {"data_hex", to_hex(pt)}, {"data", printable(pt)}});
    if (_own && _own->prove_all && !l.session.is_initiator()) {
        transmit(l.session.prove_packet(p));
        l.last_outbound = now;
    }
    (void)h;
}

std::optional<hash16> endpoint::open_link(const hash16& dest, double now) {
    auto k = _known.find(dest);
    if (k == _known.end()) {
        return std::nullopt;
    }
    auto s = link::session::initiate(dest, k->second.id.ed25519_public(), now);
    if (!s) {
        return std::nullopt;
    }
    const hash16 id = s->link_id();
    const bytes req = s->request_packet();
    _links.insert_or_assign(id, link_state_t{std::move(*s), dest, now, now});
    outbound(req);
    emit({{"event", "link_request_sent"}, {"destination", to_hex(dest)}, {"link_id", to_hex(id)}});
    return id;
}

std::optional<link::status> endpoint::link_state(const hash16& link_id) const {
    auto it = _links.find(link_id);
    if (it == _links.end()) {
        return std::nullopt;
    }
    return it->second.session.state();
}

std::optional<hash32> endpoint::link_send(const hash16& link_id, byte_view plaintext, double now) {
    auto it = _links.find(link_id);
    if (it == _links.end() || it->second.session.state() != link::status::active) {
        return std::nullopt;
    }
    const bytes raw = it->second.session.data_packet(ctx::none, plaintext);
    const hash32 h = packet_hash(parse_packet(raw).packet);
    _receipts[h] = receipt{it->second.destination, now, link_id};
    transmit(raw);
    it->second.last_outbound = now;
    emit({{"event", "link_sent"}, {"link_id", to_hex(link_id)}, {"packet_hash", to_hex(h)}});
    return h;
}

void endpoint::link_close(const hash16& link_id, double now) {
    (void)now;
    auto it = _links.find(link_id);
    if (it == _links.end()) {
        return;
    }
    if (it->second.session.state() == link::status::active) {
        transmit(it->second.session.close_packet());
    }
    _links.erase(it);
    emit({{"event", "link_closed"}, {"link_id", to_hex(link_id)}, {"by", "us"}});
}

} // namespace rns::probe
