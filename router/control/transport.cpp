// The transport's skeleton: construction, interfaces, the inbound order of spec §6.2, the packet
// filter of spec §6.3, transmission and the table writers that notify the fast-path mirror.

#include "router/control/transport.hpp"

#include "router/rns/destination.hpp"

#include <limits>
#include <stdexcept>

namespace rns::control {

namespace {
identity make_identity(const byte_array<64>& key) {
    auto id = identity::from_private_key(key);
    if (!id) {
        throw std::invalid_argument("transport identity: bad private key");
    }
    return *id;
}

drop_reason drop_for(parse_error e) noexcept {
    switch (e) {
    case parse_error::ifac_flag_set:
        return drop_reason::ifac_flag;
    case parse_error::hop_limit:
        return drop_reason::hop_limit;
    default:
        return drop_reason::malformed;
    }
}
} // namespace

transport::transport(const byte_array<64>& transport_private_key, transport_sink& sink,
                     random_source& rng, transport_options opts, packet_hashes* hashes)
    : _identity(make_identity(transport_private_key)), _sink(sink), _rng(rng), _opts(opts),
      _own_hashes(hashes == nullptr
                      ? std::make_unique<memory_packet_hashes>(opts.dedup_rotate_at, opts.max_reverse)
                      : nullptr),
      _hashes(hashes == nullptr ? *_own_hashes : *hashes), _verified(opts.announce_cache) {}

iface_id transport::next_interface_id(double now) const noexcept {
    for (std::size_t i = 0; i < _ifaces.size(); ++i) {
        if (!_ifaces[i].active && now - _ifaces[i].removed >= tc::iface_reuse_after) {
            return static_cast<iface_id>(i);
        }
    }
    return _ifaces.size() >= no_iface ? no_iface : static_cast<iface_id>(_ifaces.size());
}

iface_id transport::add_interface(const iface_config& cfg, double now) {
    const iface_id id = next_interface_id(now);
    if (id == no_iface) {
        throw std::length_error("too many interfaces");
    }
    iface_state s;
    s.cfg = cfg;
    s.created = now;
    if (id < _ifaces.size()) {
        _ifaces[id] = std::move(s);
        _counters.ifaces[id] = {};
        return id;
    }
    _ifaces.push_back(std::move(s));
    _counters.ifaces.emplace_back();
    return id;
}

void transport::remove_interface(iface_id id, double now) {
    if (id >= _ifaces.size()) {
        return;
    }
    _ifaces[id].active = false;
    _ifaces[id].removed = now;
    _ifaces[id].announce_queue.clear();
    _ifaces[id].held.clear();
    _hashes.forget_interface(id);
    // Entries through a vanished interface go at once, so the fast path stops using them.
    cull_tables(now);
}

bool transport::iface_usable(iface_id id) const noexcept {
    return id < _ifaces.size() && _ifaces[id].active;
}

std::size_t transport::queued_announce_count(iface_id id) const {
    return id < _ifaces.size() ? _ifaces[id].announce_queue.size() : 0;
}

std::size_t transport::held_announce_count(iface_id id) const {
    return id < _ifaces.size() ? _ifaces[id].held.size() : 0;
}

void transport::count_drop(iface_id in, drop_reason r, inbound_result& res) {
    if (res.dropped) {
        return; // one reason per packet: the first one decides
    }
    res.dropped = true;
    res.reason = r;
    const auto i = static_cast<std::size_t>(r);
    ++_counters.drops[i];
    if (in < _counters.ifaces.size()) {
        ++_counters.ifaces[in].drops[i];
    }
}

void transport::count_overload(iface_id in, bool announce) {
    inbound_result ignored;
    count_drop(in, announce ? drop_reason::announce_overload : drop_reason::control_overload, ignored);
}

void transport::transmit(iface_id out, byte_view raw, inbound_result* res) {
    if (!iface_usable(out) || !_ifaces[out].cfg.out || raw.size() < 2) {
        return;
    }
    auto& c = _counters.ifaces[out];
    const auto type = static_cast<std::size_t>(raw[0] & 0x03);
    ++c.tx_packets[type];
    c.tx_bytes[type] += raw.size();
    if (res != nullptr) {
        ++res->sent;
    }
    _sink.send(out, raw);
}

void transport::set_path(const hash16& dest, path_entry e) {
    fast_path_entry f{e.next_hop, e.hops, e.iface};
    _paths[dest] = std::move(e);
    _sink.path_set(dest, f);
}

void transport::remove_path(const hash16& dest) {
    if (_paths.erase(dest) != 0) {
        _sink.path_removed(dest);
    }
}

void transport::set_link(const hash16& id, const link_entry& e) {
    _links[id] = e;
    _sink.link_set(id, {e.nh_iface, e.received_on, e.remaining_hops, e.taken_hops, e.validated});
}

void transport::remove_link(const hash16& id) {
    if (_links.erase(id) != 0) {
        _sink.link_removed(id);
    }
}

// spec §6.3, in order (rules 2-6 skipped when the fast path applied them: prefiltered).
bool transport::packet_filter(iface_id in, const packet_view& p, const hash32& h, bool prefiltered,
                              inbound_result& res) {
    const bool is_announce = p.flags.type == packet_type::announce;
    if (p.is_header_2() && !is_announce && !equal(p.transport_id, transport_id())) {
        count_drop(in, drop_reason::foreign_transport, res);
        return false;
    }
    if (prefiltered) {
        return true;
    }
    switch (p.context) {
    case ctx::keepalive:
    case ctx::resource_req:
    case ctx::resource_prf:
    case ctx::resource:
    case ctx::cache_request:
    case ctx::channel:
        return true; // legitimately repeat identical bytes: no duplicate check
    default:
        break;
    }
    if (p.flags.dest_type == destination_type::plain || p.flags.dest_type == destination_type::group) {
        if (is_announce) {
            count_drop(in, drop_reason::plain_announce, res);
            return false;
        }
        if (p.hops > 1) {
            count_drop(in, drop_reason::plain_hops, res);
            return false;
        }
        return true;
    }
    if (!_hashes.contains(h)) {
        return true;
    }
    // Duplicate announces for SINGLE destinations are processed: echo suppression (spec §6.6
    // step 4) depends on hearing them.
    if (is_announce && p.flags.dest_type == destination_type::single) {
        return true;
    }
    count_drop(in, drop_reason::duplicate, res);
    return false;
}

// spec §6.2.
inbound_result transport::inbound(iface_id in, byte_view raw, double now, bool prefiltered) {
    inbound_result res;
    _now = now;
    if (!iface_usable(in)) {
        count_drop(no_iface, drop_reason::unknown_interface, res);
        return res;
    }
    if (raw.size() <= 2) {
        count_drop(in, drop_reason::too_short, res);
        return res;
    }
    auto parsed = parse_packet(raw);
    if (!parsed) {
        count_drop(in, drop_for(parsed.error), res);
        return res;
    }
    packet_view p = parsed.packet;
    {
        auto& c = _counters.ifaces[in];
        const auto type = static_cast<std::size_t>(p.flags.type);
        ++c.rx_packets[type];
        c.rx_bytes[type] += raw.size();
    }
    // Step 4: the packet now counts the hop onto this node. The parser refused hops >= 128, so
    // this cannot wrap.
    p.hops = static_cast<std::uint8_t>(p.hops + 1);
    const hash32 h = packet_hash(p);
    const hash16 dest = take<16>(p.destination_hash);

    if (!packet_filter(in, p, h, prefiltered, res)) {
        return res;
    }
    // Step 6: link-table packets are remembered only once actually forwarded (spec §6.5);
    // LRPROOFs never while in transit (spec §6.10).
    const bool is_lrproof = p.flags.type == packet_type::proof && p.context == ctx::lrproof;
    if (!prefiltered && !_links.contains(dest) && !is_lrproof) {
        _hashes.add(h, now);
    }

    // Step 8 (transport is always enabled here). 8a: CACHE_REQUEST is answered from the packet
    // cache, which the reference leaves disabled; processing continues normally.
    bool forwarded = false;
    if (p.is_header_2() && p.flags.type != packet_type::announce) {
        // The filter already dropped HEADER_2 packets for other transport ids.
        forwarded = forward_header2(in, p, h, now, res);
    }
    if (p.flags.type != packet_type::announce && p.flags.type != packet_type::link_request &&
        p.context != ctx::lrproof && _links.contains(dest)) {
        forwarded = forward_link(in, p, h, now, res) || forwarded;
    }

    // Step 9.
    switch (p.flags.type) {
    case packet_type::announce:
        handle_announce(in, p, h, now, res);
        break;
    case packet_type::link_request:
        if (!forwarded) {
            // No destinations are hosted here, so a link request that is not in transport ends.
            count_drop(in, drop_reason::not_for_us, res);
        }
        break;
    case packet_type::data:
        if (p.flags.dest_type == destination_type::plain &&
            dest == transport_destinations::path_request()) {
            handle_path_request(in, p, now, res);
        } else if (p.flags.dest_type == destination_type::plain &&
                   dest == transport_destinations::tunnel_synthesize()) {
            handle_tunnel_synthesize(in, p, now, res);
        } else if (!forwarded) {
            count_drop(in, drop_reason::not_for_us, res);
        }
        break;
    case packet_type::proof:
        if (p.context == ctx::lrproof) {
            handle_lrproof(in, p, now, res);
        } else if (p.context == ctx::resource_prf) {
            // Resource proofs go to local links only (spec §6.2 step 9); in transit they were
            // handled by the link table above.
            if (!forwarded) {
                count_drop(in, drop_reason::not_for_us, res);
            }
        } else if (!forwarded) {
            handle_proof(in, p, res);
        }
        break;
    }
    return res;
}

const path_entry* transport::find_path(const hash16& dest) const {
    auto it = _paths.find(dest);
    return it == _paths.end() ? nullptr : &it->second;
}

const link_entry* transport::find_link(const hash16& link_id) const {
    auto it = _links.find(link_id);
    return it == _links.end() ? nullptr : &it->second;
}

std::optional<reverse_entry> transport::find_reverse(const hash16& truncated_hash) const {
    return _hashes.find_reverse(truncated_hash, _now);
}

const announce_entry* transport::find_announce(const hash16& dest) const {
    auto it = _announces.find(dest);
    return it == _announces.end() ? nullptr : &it->second;
}

const known_destination* transport::find_known(const hash16& dest) const {
    auto it = _known.find(dest);
    return it == _known.end() ? nullptr : &it->second;
}

const rate_entry* transport::find_rate(const hash16& dest) const {
    auto it = _rates.find(dest);
    return it == _rates.end() ? nullptr : &it->second;
}

path_state transport::state_of(const hash16& dest) const {
    auto it = _path_states.find(dest);
    return it == _path_states.end() ? path_state::unknown : it->second;
}

void transport::mark_path_unresponsive(const hash16& dest) {
    if (_paths.contains(dest)) {
        _path_states[dest] = path_state::unresponsive;
    }
}

void transport::expire_path(const hash16& dest) {
    auto it = _paths.find(dest);
    if (it != _paths.end()) {
        it->second.timestamp = 0;
    }
}

// Usage by the fast path (spec §6.4 "set path.timestamp = now", §6.5 "entry timestamp = now").
void transport::path_used(const hash16& dest, double when) {
    if (auto it = _paths.find(dest); it != _paths.end() && it->second.timestamp < when) {
        it->second.timestamp = when;
    }
}

void transport::link_used(const hash16& link_id, double when) {
    if (auto it = _links.find(link_id); it != _links.end() && it->second.timestamp < when) {
        it->second.timestamp = when;
    }
}

} // namespace rns::control
