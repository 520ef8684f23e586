// Culling (every 5 s) and cache cleaning (every 300 s), spec §6.12, as sweeps over the buckets
// of the path-sized tables. A tick runs at most tc::sweep_buckets_per_tick buckets, so with
// 1,000,000 paths neither job holds the control plane's core for more than a short slice; the
// result is the same as a whole-table pass, a little later. An entry added while a sweep is in
// progress may be looked at only by the next sweep (a rehash moves the buckets under the cursor),
// which only delays its expiry by one interval.
#include "router/control/transport.hpp"

#include <algorithm>

namespace rns::control {

namespace {

/// How long a path lives after its last update or use, by the interface's mode (spec §6.12).
double path_lifetime(iface_mode m) noexcept {
    if (m == iface_mode::access_point) {
        return tc::ap_path_time;
    }
    if (m == iface_mode::roaming) {
        return tc::roaming_path_time;
    }
    return tc::pathfinder_e;
}

/// Visits buckets [cursor, ...) of m while budget lasts, collecting into doomed the keys for
/// which expired(key, value) holds. True when the last bucket was visited. Nothing is erased
/// here (erasing does not rehash, but the caller's callbacks may touch other tables).
template <typename Map, typename Key, typename Expired>
bool visit_buckets(const Map& m, std::size_t& cursor, std::size_t& budget, std::vector<Key>& doomed,
                   Expired&& expired) {
    const std::size_t n = m.bucket_count();
    for (; cursor < n && budget > 0; ++cursor, --budget) {
        for (auto it = m.begin(cursor); it != m.end(cursor); ++it) {
            if (expired(it->first, it->second)) {
                doomed.push_back(it->first);
            }
        }
    }
    return cursor >= n;
}

/// The destination hash an announce was sent to (spec §4.2), or none for bytes that do not
/// parse (never the case for what the cache holds).
std::optional<hash16> announce_destination(const bytes& raw) {
    const auto parsed = parse_packet(raw);
    if (!parsed) {
        return std::nullopt;
    }
    hash16 d{};
    std::copy(parsed.packet.destination_hash.begin(), parsed.packet.destination_hash.end(), d.begin());
    return d;
}

} // namespace

void transport::cull_tables(double now) {
    begin_cull(now);
    std::size_t unlimited = ~std::size_t{0};
    continue_sweeps(unlimited);
}

void transport::begin_cull(double now) {
    // Reverse entries: 480 s (interfaces gone: remove_interface).
    _hashes.cull(now);
    cull_links(now);
    std::erase_if(_path_requests, [&](const auto& kv) { return now - kv.second > tc::path_request_gate_timeout; });
    std::erase_if(_discovery_requests, [&](const auto& kv) { return now > kv.second.timeout; });
    // Paths, then the rate and path-state entries of destinations without a path, in slices.
    _cull_sweep = {true, 0, 0, now};
}

void transport::begin_clean(double now) {
    if (!_clean_sweep.active) {
        _clean_sweep = {true, 0, 0, now};
    }
}

void transport::continue_sweeps(std::size_t& budget) {
    sweep& c = _cull_sweep;
    while (c.active && budget > 0) {
        const double now = c.now;
        _doomed.clear();
        bool done = false;
        switch (c.table) {
        case 0: // paths: by the timestamp (refreshed on use), not `expires` (spec §6.12)
            done = visit_buckets(_paths, c.bucket, budget, _doomed, [&](const hash16&, const path_entry& e) {
                return !iface_usable(e.iface) || now > e.timestamp + path_lifetime(_ifaces[e.iface].cfg.mode);
            });
            for (const hash16& dest : _doomed) {
                _paths.erase(dest);
                _sink.path_removed(dest);
            }
            break;
        case 1: // rate entries of destinations without a path would otherwise grow without bound
            done = visit_buckets(_rates, c.bucket, budget, _doomed,
                                 [&](const hash16& k, const rate_entry&) { return !_paths.contains(k); });
            for (const hash16& k : _doomed) {
                _rates.erase(k);
            }
            break;
        case 2:
            done = visit_buckets(_path_states, c.bucket, budget, _doomed,
                                 [&](const hash16& k, const path_state&) { return !_paths.contains(k); });
            for (const hash16& k : _doomed) {
                _path_states.erase(k);
            }
            break;
        default: // tunnels and their paths (spec §6.14), after the paths they are compared with
            done = sweep_tunnels(c.bucket, budget, now);
            break;
        }
        if (done) {
            c.bucket = 0;
            c.active = ++c.table <= 3;
        }
    }
    // Every 300 s: the announce cache keeps what paths (and tunnel paths, spec §6.14) reference;
    // known destinations stay while a path or tunnel path exists, and otherwise go when never
    // used or unused for 8.75 days (spec §6.12, §11).
    sweep& k = _clean_sweep;
    while (k.active && budget > 0) {
        const double now = k.now;
        bool done = false;
        if (k.table == 0) {
            _doomed_announces.clear();
            done = visit_buckets(_announce_cache, k.bucket, budget, _doomed_announces,
                                 [&](const hash32& h, const announce_cache_entry& e) {
                                     const auto dest = announce_destination(e.raw);
                                     if (!dest) {
                                         return true;
                                     }
                                     if (_tunnels.references_announce(h)) {
                                         return false;
                                     }
                                     const auto p = _paths.find(*dest);
                                     return p == _paths.end() || p->second.announce_hash != h;
                                 });
            for (const hash32& h : _doomed_announces) {
                _announce_cache.erase(h);
            }
        } else {
            _doomed.clear();
            done = visit_buckets(_known, k.bucket, budget, _doomed, [&](const hash16& d, const known_destination& e) {
                if (_paths.contains(d) || _tunnels.references_destination(d) || e.last_used < 0) {
                    return false;
                }
                return e.last_used == 0 || now - e.last_used > tc::known_destination_unused;
            });
            for (const hash16& d : _doomed) {
                _known.erase(d);
                _ratchets.erase(d);
            }
        }
        if (done) {
            k.bucket = 0;
            k.active = ++k.table <= 1;
        }
    }
}

void transport::cull_links(double now) {
    for (auto it = _links.begin(); it != _links.end();) {
        const link_entry e = it->second;
        bool stale = !iface_usable(e.nh_iface) || !iface_usable(e.received_on);
        bool timed_out = false;
        if (!stale) {
            if (e.validated) {
                stale = now > e.timestamp + tc::link_timeout;
            } else {
                timed_out = stale = now > e.proof_timeout;
            }
        }
        if (!stale) {
            ++it;
            continue;
        }
        const hash16 id = it->first;
        it = _links.erase(it);
        _sink.link_removed(id);
        if (!timed_out) {
            continue;
        }
        // An unanswered link request: maybe the path is gone or the destination moved.
        double last_pr = 0;
        if (auto pr = _path_requests.find(e.destination); pr != _path_requests.end()) {
            last_pr = pr->second;
        }
        const bool throttled = now - last_pr < tc::path_request_mi;
        auto path = _paths.find(e.destination);
        bool request = false;
        iface_id blocked = no_iface;
        if (path == _paths.end()) {
            request = true;
        } else if (!throttled && e.taken_hops == 0) {
            request = true;
        } else if (!throttled && (path->second.hops == 1 || e.taken_hops == 1)) {
            request = true;
            blocked = e.received_on;
            if (_ifaces[e.received_on].cfg.mode != iface_mode::boundary) {
                mark_path_unresponsive(e.destination);
            }
        }
        if (request && _discovery_queue.size() < tc::max_queued_discovery_prs) {
            const bool queued = std::any_of(_discovery_queue.begin(), _discovery_queue.end(),
                                            [&](const auto& q) { return q.first == e.destination; });
            if (!queued) {
                _discovery_queue.emplace_back(e.destination, blocked);
            }
        }
    }
}

} // namespace rns::control
