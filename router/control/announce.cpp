// Announce processing on a transport node (spec §6.6): validation, ingress control, echo
// suppression, the path table acceptance rules, rate control and scheduling the rebroadcast.

#include "router/control/transport.hpp"

#include "router/rns/announce.hpp"
#include "router/rns/destination.hpp"

#include <algorithm>

namespace rns::control {

namespace {

std::uint64_t blob_time(const byte_array<10>& blob) noexcept {
    std::uint64_t t = 0;
    for (std::size_t i = 5; i < 10; ++i) {
        t = (t << 8) | blob[i];
    }
    return t;
}

/// Transport.timebase_from_random_blobs: the newest emission among the blobs (0 if none).
std::uint64_t newest_emission(const std::vector<byte_array<10>>& blobs) noexcept {
    std::uint64_t m = 0;
    for (const auto& b : blobs) {
        m = std::max(m, blob_time(b));
    }
    return m;
}

bool contains_blob(const std::vector<byte_array<10>>& blobs, const byte_array<10>& b) noexcept {
    return std::find(blobs.begin(), blobs.end(), b) != blobs.end();
}

} // namespace

void transport::hold_announce(iface_id in, const packet_view& p) {
    // Interface.hold_announce (spec §6.6.1).
    auto& s = _ifaces[in];
    inbound_result ignored;
    if (p.hops >= tc::pathfinder_m - 1) {
        count_drop(in, drop_reason::announce_held_dropped, ignored);
        return;
    }
    const hash16 dest = take<16>(p.destination_hash);
    if (!s.held.contains(dest) && s.held.size() >= ic::max_held) {
        count_drop(in, drop_reason::announce_held_dropped, ignored);
        return;
    }
    s.held[dest] = held_announce{bytes(p.raw.begin(), p.raw.end()), p.hops};
    ++_counters.ifaces[in].announces_held;
}

// spec §6.6 step 6, the announce rate check. True = blocked (no rebroadcast).
bool transport::rate_blocked(iface_id in, const hash16& dest, double now) {
    const iface_config& cfg = _ifaces[in].cfg;
    auto it = _rates.find(dest);
    if (it == _rates.end()) {
        _rates.emplace(dest, rate_entry{now, 0, 0, {now}});
        return false;
    }
    rate_entry& r = it->second;
    r.timestamps.push_back(now);
    if (r.timestamps.size() > tc::max_rate_timestamps) {
        r.timestamps.erase(r.timestamps.begin(),
                           r.timestamps.begin() +
                               static_cast<std::ptrdiff_t>(r.timestamps.size() - tc::max_rate_timestamps));
    }
    if (now > r.blocked_until) {
        if (now - r.last < cfg.announce_rate_target) {
            ++r.violations;
        } else if (r.violations > 0) {
            --r.violations;
        }
        if (static_cast<double>(r.violations) > cfg.announce_rate_grace) {
            r.blocked_until = r.last + cfg.announce_rate_target + cfg.announce_rate_penalty;
            return true;
        }
        r.last = now;
        return false;
    }
    return true;
}

announce_error transport::check_announce_signature(const packet_view& p, const announce_view& a) {
    hash32 key{};
    if (_verified.enabled()) {
        key = verified_announces::key_of(p);
        if (_verified.contains(key)) {
            ++_counters.announce_verify_cached;
            return announce_error::ok;
        }
    }
    ++_counters.announce_verifications;
    const announce_error e = verify_announce_signature(p, a);
    if (e == announce_error::ok) {
        _verified.insert(key);
    }
    return e;
}

void transport::handle_announce(iface_id in, const packet_view& p, const hash32& h, double now,
                                inbound_result& res) {
    // Step 1: signature only (spec §5.2 steps 1-3; no blackhole list here).
    announce_result sig = split_announce(p);
    if (sig) {
        sig.error = check_announce_signature(p, sig.announce);
    }
    if (!sig) {
        count_drop(in,
                   sig.error == announce_error::bad_signature ? drop_reason::announce_bad_signature
                                                              : drop_reason::announce_invalid,
                   res);
        return;
    }
    iface_state& ifs = _ifaces[in];
    ifs.announce_freq.record(now);
    const hash16 dest = take<16>(p.destination_hash);

    // Step 2: ingress control for destinations nobody asked for.
    if (!_paths.contains(dest) && !_path_requests.contains(dest) &&
        !_discovery_requests.contains(dest) && ifs.should_ingress_limit(now)) {
        hold_announce(in, p);
        count_drop(in, drop_reason::announce_held, res);
        return;
    }

    // Step 3: full validation (no destinations are hosted here, so none is local). The signature
    // was verified above; the remaining checks of spec §5.2 are the destination hash and the
    // key collision rule.
    const announce_view& a = sig.announce;
    if (rns::destination_hash(take<10>(a.name_hash), sig.identity_hash) != dest) {
        count_drop(in, drop_reason::announce_invalid, res);
        return;
    }
    const byte_array<64> public_key = take<64>(a.public_key);
    auto known = _known.find(dest);
    if (known != _known.end() && known->second.public_key != public_key) {
        count_drop(in, drop_reason::announce_key_collision, res);
        return;
    }
    // spec §5.2 step 6: remember (last_used is kept for existing entries).
    {
        known_destination& k = _known[dest];
        k.last_announce = now;
        k.packet_hash = h;
        k.public_key = public_key;
        k.app_data = a.app_data_present ? std::optional<bytes>(bytes(a.app_data.begin(), a.app_data.end()))
                                        : std::nullopt;
        _sink.destination_remembered(dest, k.public_key, k.app_data, now);
    }
    if (!a.ratchet.empty()) {
        const byte_array<32> ratchet = take<32>(a.ratchet);
        auto r = _ratchets.find(dest);
        if (r == _ratchets.end() || r->second.first != ratchet) {
            _ratchets[dest] = {ratchet, now};
            _sink.ratchet_learned(dest, ratchet, now);
        }
    }

    // Step 4: echo suppression of our own pending rebroadcast.
    hash16 received_from = dest;
    if (p.is_header_2()) {
        received_from = take<16>(p.transport_id);
        auto e = _announces.find(dest);
        if (e != _announces.end()) {
            const int heard = static_cast<int>(p.hops) - 1;
            const announce_entry entry = e->second; // copy: the reference keeps using it after pop
            if (heard == entry.hops) {
                ++e->second.local_rebroadcasts;
                if (e->second.retries > 0 && e->second.local_rebroadcasts >= tc::local_rebroadcasts_max) {
                    _announces.erase(e);
                }
            }
            if (heard == entry.hops + 1 && entry.retries > 0 && now < entry.retransmit_at) {
                _announces.erase(dest);
            }
        }
    }

    // Step 5: should the path table take it?
    const byte_array<10> blob = take<10>(a.random_hash);
    const std::uint64_t emitted = a.emission_timestamp();
    bool should_add = false;
    std::vector<byte_array<10>> blobs;
    auto pit = _paths.find(dest);
    if (p.hops >= tc::pathfinder_m + 1) {
        should_add = false;
    } else if (pit == _paths.end()) {
        should_add = true;
    } else {
        const path_entry& cur = pit->second;
        blobs = cur.random_blobs;
        if (p.hops <= cur.hops) {
            const std::uint64_t timebase = newest_emission(blobs);
            if (!contains_blob(blobs, blob) && emitted > timebase) {
                should_add = true;
            } else if (emitted == timebase) {
                // The same emission via an interface of strictly greater gravity.
                if (iface_usable(cur.iface) && ifs.cfg.gravity > _ifaces[cur.iface].cfg.gravity) {
                    should_add = true;
                }
            }
        } else {
            std::uint64_t path_emitted = 0;
            for (const auto& b : blobs) {
                path_emitted = std::max(path_emitted, blob_time(b));
                if (path_emitted >= emitted) {
                    break;
                }
            }
            if (now >= cur.expires) {
                should_add = !contains_blob(blobs, blob);
            } else if (emitted > path_emitted) {
                should_add = !contains_blob(blobs, blob);
            } else if (emitted == path_emitted) {
                should_add = state_of(dest) == path_state::unresponsive;
            }
        }
    }
    if (!should_add) {
        count_drop(in, drop_reason::announce_not_newer, res);
        return;
    }

    // Step 6.
    bool blocked = false;
    if (p.context != ctx::path_response && ifs.cfg.announce_rate_limit) {
        blocked = rate_blocked(in, dest, now);
    }
    double expires = now + tc::pathfinder_e;
    if (ifs.cfg.mode == iface_mode::access_point) {
        expires = now + tc::ap_path_time;
    } else if (ifs.cfg.mode == iface_mode::roaming) {
        expires = now + tc::roaming_path_time;
    }
    if (!contains_blob(blobs, blob)) {
        blobs.push_back(blob);
        if (blobs.size() > tc::max_random_blobs) {
            blobs.erase(blobs.begin(),
                        blobs.begin() + static_cast<std::ptrdiff_t>(blobs.size() - tc::max_random_blobs));
        }
    }
    if (p.context != ctx::path_response) {
        if (blocked) {
            ++_counters.ifaces[in].announces_rate_limited;
        } else {
            announce_entry e;
            e.timestamp = now;
            e.retransmit_at = now + _rng.uniform() * tc::pathfinder_rw;
            e.retries = 0;
            e.received_from = received_from;
            e.hops = p.hops;
            e.packet.assign(p.raw.begin(), p.raw.end());
            set_announce(dest, std::move(e));
        }
    }
    // A discovery path request is waiting for this destination: answer it at once on the
    // requesting interface (the waiting entry stays until its timeout, spec §6.6 step 6).
    if (auto d = _discovery_requests.find(dest); d != _discovery_requests.end()) {
        bytes out(p.raw.size() + 16);
        const std::size_t n =
            write_announce_rebroadcast(p.raw, p.hops, transport_id(), ctx::path_response, out);
        if (n == 0) {
            inbound_result ignored;
            count_drop(in, drop_reason::announce_too_large, ignored);
        } else {
            out.resize(n);
            transmit(d->second.requesting, out, &res);
            if (d->second.requesting < _counters.ifaces.size()) {
                ++_counters.ifaces[d->second.requesting].path_responses_sent;
            }
        }
    }
    _announce_cache[h] = announce_cache_entry{bytes(p.raw.begin(), p.raw.end()), in};
    path_entry pe;
    pe.timestamp = now;
    pe.next_hop = received_from;
    pe.hops = p.hops;
    pe.expires = expires;
    pe.random_blobs = std::move(blobs);
    pe.iface = in;
    pe.announce_hash = h;
    record_tunnel_path(in, dest, pe, now); // spec §6.14: learned through a tunnel interface
    set_path(dest, std::move(pe));
    _path_states.erase(dest); // path state := UNKNOWN
    ++_counters.ifaces[in].announces_accepted;
}

} // namespace rns::control
