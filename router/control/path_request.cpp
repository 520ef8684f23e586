// Path requests (spec §6.9): the handler of rnstransport.path.request, answering from the path
// table with a delayed PATH_RESPONSE, recursive discovery for interfaces that want it, and
// originating requests.

#include "router/control/transport.hpp"

#include "crypto/sha256.hpp"
#include "router/rns/destination.hpp"
#include "router/rns/path_request.hpp"

namespace rns::control {

hash16 transport::random_tag() {
    // get_random_hash(): T(16 random bytes).
    byte_array<16> r{};
    _rng.fill(r);
    return crypto::truncated_hash(r);
}

void transport::send_path_request(const hash16& dest, byte_view tag, iface_id on, bool recursive,
                                  double now) {
    if (!iface_usable(on) || !_ifaces[on].cfg.out) {
        return;
    }
    iface_state& s = _ifaces[on];
    // Transport form: dest ‖ own transport id ‖ tag.
    const bytes data = concat({byte_view(dest), byte_view(transport_id()), tag});
    if (recursive) {
        // Recursive requests share the announce budget: never ahead of queued announces and
        // never inside the cap window (spec §6.9 step 4).
        if (!s.announce_queue.empty() || now < s.announce_allowed_at) {
            return;
        }
        if (s.cfg.bitrate > 0 && s.cfg.announce_cap > 0) {
            const double tx_time =
                static_cast<double>((data.size() + header_minsize) * 8) / static_cast<double>(s.cfg.bitrate);
            s.announce_allowed_at = now + tx_time / s.cfg.announce_cap;
        }
    }
    packet_fields f;
    f.flags.type = packet_type::data;
    f.flags.dest_type = destination_type::plain;
    f.flags.header = header_type::header_1;
    f.flags.transport = transport_type::broadcast;
    f.destination_hash = transport_destinations::path_request();
    f.context = ctx::none;
    f.data = data;
    const bytes raw = build_packet(f);
    auto parsed = parse_packet(raw);
    if (parsed) {
        _hashes.add(packet_hash(parsed.packet), now);
    }
    transmit(on, raw);
    ++_counters.ifaces[on].path_requests_sent;
    _path_requests[dest] = now;
}

void transport::request_path(const hash16& dest, double now, iface_id only) {
    const hash16 tag = random_tag();
    for (std::size_t i = 0; i < _ifaces.size(); ++i) {
        const auto id = static_cast<iface_id>(i);
        if (only != no_iface && id != only) {
            continue;
        }
        send_path_request(dest, tag, id, false, now);
    }
    _path_requests[dest] = now;
}

void transport::handle_path_request(iface_id in, const packet_view& p, double now,
                                    inbound_result& res) {
    // Transport.path_request_handler: dest(16) [‖ requesting transport id(16)] ‖ tag(≤16).
    const path_request_result pr = parse_path_request(p.data);
    if (!pr) {
        count_drop(in, drop_reason::path_request_malformed, res); // too short or tagless
        return;
    }
    const hash16 dest = take<16>(pr.request.destination_hash);
    std::optional<hash16> requestor;
    if (!pr.request.requesting_transport.empty()) {
        requestor = take<16>(pr.request.requesting_transport);
    }
    const byte_view tag = pr.request.tag;
    iface_state& ifs = _ifaces[in];
    ifs.pr_freq.record(now);
    ++_counters.ifaces[in].path_requests_received;

    const hash32 unique = crypto::sha256({byte_view(dest), tag});
    if (_pr_tags.contains(unique)) {
        count_drop(in, drop_reason::path_request_duplicate, res);
        return;
    }
    _pr_tags.insert(unique);
    _pr_tag_order.push_back(unique);
    while (_pr_tag_order.size() > _opts.max_pr_tags) {
        _pr_tags.erase(_pr_tag_order.front());
        _pr_tag_order.pop_front();
    }

    // Transport.path_request.
    const bool pr_limited = ifs.should_ingress_limit_pr(now);
    const bool search = ifs.cfg.recursive_prs || discovers_paths(ifs.cfg.mode) ||
                        ifs.cfg.mode == iface_mode::boundary;

    auto pit = _paths.find(dest);
    if (pit != _paths.end()) {
        const path_entry& path = pit->second;
        auto cached = _announce_cache.find(path.announce_hash);
        if (cached == _announce_cache.end()) {
            count_drop(in, drop_reason::path_request_ignored, res);
            return;
        }
        if (ifs.cfg.mode == iface_mode::roaming && in == path.iface) {
            count_drop(in, drop_reason::path_request_ignored, res);
            return;
        }
        if (requestor && *requestor == path.next_hop) {
            // The requester is our next hop toward the destination: it knows better.
            count_drop(in, drop_reason::path_request_ignored, res);
            return;
        }
        double when = now + tc::path_request_grace;
        if (ifs.cfg.mode == iface_mode::roaming) {
            when += tc::path_request_rg; // let better-connected peers answer first
        }
        // A pending rebroadcast waits in held_announces until the response is out (spec §6.9).
        if (auto cur = _announces.find(dest); cur != _announces.end()) {
            _held_announces[dest] = std::move(cur->second);
            _announces.erase(cur);
        }
        announce_entry e;
        e.timestamp = now;
        e.retransmit_at = when;
        e.retries = tc::pathfinder_r;
        e.received_from = path.next_hop;
        e.hops = path.hops;
        e.packet = cached->second.raw;
        e.local_rebroadcasts = 0;
        e.block_rebroadcasts = true;
        e.attached = in;
        set_announce(dest, std::move(e));
        return;
    }
    if (!search) {
        // A full/ptp interface without recursive_prs does not search for unknown paths.
        count_drop(in, drop_reason::path_request_ignored, res);
        return;
    }
    if (_discovery_requests.contains(dest) || pr_limited) {
        count_drop(in, drop_reason::path_request_ignored, res);
        return;
    }
    _discovery_requests[dest] = discovery_request{now + tc::path_request_timeout, in};
    const bool boundary_only = ifs.cfg.mode == iface_mode::boundary;
    // The received tag is re-used (as is, even if short) so the request cannot loop.
    for (std::size_t i = 0; i < _ifaces.size(); ++i) {
        const auto id = static_cast<iface_id>(i);
        if (id == in || !iface_usable(id)) {
            continue;
        }
        const iface_mode m = _ifaces[id].cfg.mode;
        if (boundary_only && m != iface_mode::boundary && m != iface_mode::gateway) {
            continue;
        }
        send_path_request(dest, tag, id, true, now);
    }
}

} // namespace rns::control
