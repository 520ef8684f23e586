// Timed work (spec §6.12): the announce table (rebroadcasts and path responses, §6.7), announce
// propagation rules and caps (§6.8), held announces (§6.6.1), rediscovery requests and the culling
// of every table.

#include "router/control/transport.hpp"

#include "router/rns/announce.hpp"

#include <algorithm>
#include <limits>

namespace rns::control {

namespace {

std::uint64_t emitted_of(byte_view raw) {
    auto parsed = parse_packet(raw);
    if (!parsed) {
        return 0;
    }
    auto a = split_announce(parsed.packet);
    return a ? a.announce.emission_timestamp() : 0;
}

} // namespace

void transport::tick(double now) {
    if (!_started) {
        _started = true;
        _next_cull = now + tc::cull_interval;
        _next_cache_clean = now + tc::cache_clean_interval;
        _next_pending_pr = now + tc::pending_pr_interval;
    }
    run_announce_table(now);
    run_announce_queues(now);
    run_discovery_queue(now);
    _now = now;
    if (_hashes.maybe_rotate()) {
        ++_counters.dedup_rotations;
    }
    if (now >= _next_cull) {
        _next_cull = now + tc::cull_interval;
        begin_cull(now);
        run_held_announces(now);
    }
    if (now >= _next_pending_pr) {
        _next_pending_pr = now + tc::pending_pr_interval;
        // Discovery requests whose requesting interface vanished are useless.
        for (auto it = _discovery_requests.begin(); it != _discovery_requests.end();) {
            it = iface_usable(it->second.requesting) ? std::next(it) : _discovery_requests.erase(it);
        }
    }
    if (now >= _next_cache_clean) {
        _next_cache_clean = now + tc::cache_clean_interval;
        begin_clean(now);
    }
    std::size_t budget = tc::sweep_buckets_per_tick;
    continue_sweeps(budget);
}

double transport::next_deadline() const {
    double t = std::numeric_limits<double>::infinity();
    for (const auto& [dest, e] : _announces) {
        t = std::min(t, e.retransmit_at);
    }
    for (const auto& s : _ifaces) {
        if (!s.announce_queue.empty()) {
            t = std::min(t, s.announce_allowed_at);
        }
    }
    if (!_discovery_queue.empty()) {
        t = std::min(t, _next_discovery_send);
    }
    if (_started) {
        t = std::min({t, _next_cull, _next_cache_clean, _next_pending_pr});
    }
    return t;
}

void transport::set_announce(const hash16& dest, announce_entry e) {
    announce_entry& slot = _announces[dest];
    slot = std::move(e);
    schedule_announce(dest, slot);
}

void transport::schedule_announce(const hash16& dest, const announce_entry& e) {
    _announce_due.emplace(e.retransmit_at, dest);
    if (e.retries >= tc::pathfinder_r + 1) {
        _announce_done.push_back(dest);
    }
}

// spec §6.7. An entry that has been sent its 1 + PATHFINDER_R times (retries > PATHFINDER_R;
// LOCAL_REBROADCASTS_MAX is the same 2) goes at the next run; any other entry is sent once its
// retransmit time has passed, in increasing hop order.
void transport::run_announce_table(double now) {
    struct outgoing {
        std::uint8_t hops;
        hash16 dest;
        bytes raw;
        iface_id attached;
        bool path_response;
    };
    std::vector<outgoing> out;
    std::vector<hash16> completed;
    std::vector<hash16> resched; // indexed after the loop: this run sends each entry once at most
    // Entries that reached the retry limit before this run (the reference checks every entry
    // on every run; only these can match).
    std::vector<hash16> done;
    done.swap(_announce_done);
    for (const hash16& d : done) {
        auto it = _announces.find(d);
        if (it != _announces.end() &&
            ((it->second.retries > 0 && it->second.retries >= tc::local_rebroadcasts_max) ||
             it->second.retries > tc::pathfinder_r)) {
            _announces.erase(it);
        }
    }
    while (!_announce_due.empty() && _announce_due.top().first < now) {
        const auto [due, dest] = _announce_due.top();
        _announce_due.pop();
        auto it = _announces.find(dest);
        if (it == _announces.end() || it->second.retransmit_at != due) {
            continue; // removed or rescheduled since
        }
        announce_entry& e = it->second;
        if (e.retries > 0 && e.retries >= tc::local_rebroadcasts_max) {
            completed.push_back(dest);
        } else if (e.retries > tc::pathfinder_r) {
            completed.push_back(dest);
        } else {
            e.retransmit_at = now + tc::pathfinder_g + tc::pathfinder_rw;
            ++e.retries;
            if (!_known.contains(dest)) {
                inbound_result ignored;
                count_drop(no_iface, drop_reason::announce_forgotten, ignored);
                completed.push_back(dest);
                continue;
            }
            // HEADER_2 with our transport id, the hop byte as received here (incremented), same
            // data and context flag; PATH_RESPONSE when rebroadcasts are blocked.
            bytes raw(e.packet.size() + 16);
            const std::size_t n =
                write_announce_rebroadcast(e.packet, e.hops, transport_id(),
                                           e.block_rebroadcasts ? ctx::path_response : ctx::none, raw);
            if (n == 0) {
                inbound_result ignored;
                count_drop(no_iface, drop_reason::announce_too_large, ignored);
                completed.push_back(dest);
                continue;
            }
            raw.resize(n);
            out.push_back({e.hops, dest, std::move(raw), e.attached, e.block_rebroadcasts});
            // A rebroadcast displaced by a path response comes back once the response is out.
            if (auto held = _held_announces.find(dest); held != _held_announces.end()) {
                e = std::move(held->second);
                _held_announces.erase(held);
            }
            resched.push_back(dest);
        }
    }
    for (const auto& d : completed) {
        _announces.erase(d);
    }
    for (const auto& d : resched) {
        if (auto it = _announces.find(d); it != _announces.end()) {
            schedule_announce(d, it->second);
        }
    }
    // Outgoing batches go in increasing hop order.
    std::stable_sort(out.begin(), out.end(),
                     [](const outgoing& a, const outgoing& b) { return a.hops < b.hops; });
    for (const auto& o : out) {
        if (o.attached != no_iface) {
            // Path responses (and anything with an attached interface) bypass caps and mode rules.
            transmit(o.attached, o.raw);
            if (o.attached < _counters.ifaces.size() && o.path_response) {
                ++_counters.ifaces[o.attached].path_responses_sent;
            }
        } else {
            broadcast_announce(o.raw, o.dest, o.hops, emitted_of(o.raw), now);
        }
    }
}

// spec §6.8: which interfaces a rebroadcast announce may go out on, and how.
void transport::broadcast_announce(byte_view raw, const hash16& dest, std::uint8_t hops,
                                   std::uint64_t emitted, double now) {
    auto pit = _paths.find(dest);
    if (pit == _paths.end() || !iface_usable(pit->second.iface)) {
        return; // rule 1: the source interface is unknown
    }
    const iface_config& src = _ifaces[pit->second.iface].cfg;
    for (std::size_t i = 0; i < _ifaces.size(); ++i) {
        const auto id = static_cast<iface_id>(i);
        if (!iface_usable(id) || !_ifaces[id].cfg.out) {
            continue;
        }
        const iface_config& cfg = _ifaces[id].cfg;
        if (!cfg.announces_from_internal && src.mode == iface_mode::internal) {
            continue; // rule 2
        }
        switch (cfg.mode) {
        case iface_mode::access_point:
            continue; // rule 3
        case iface_mode::internal:
            // rule 4 (uncapped)
            if (!src.announces_to_internal && src.mode == iface_mode::boundary) {
                continue;
            }
            transmit(id, raw);
            ++_counters.ifaces[id].announces_rebroadcast;
            continue;
        case iface_mode::roaming:
            // rule 5 (uncapped). The manual's table blocks Internal→Roaming; the code (and we)
            // allow it.
            if (src.mode == iface_mode::roaming || src.mode == iface_mode::boundary) {
                continue;
            }
            transmit(id, raw);
            ++_counters.ifaces[id].announces_rebroadcast;
            continue;
        case iface_mode::boundary:
            // rule 6 (uncapped)
            if (src.mode == iface_mode::roaming) {
                continue;
            }
            transmit(id, raw);
            ++_counters.ifaces[id].announces_rebroadcast;
            continue;
        default:
            break;
        }
        // rule 7: full, point_to_point, gateway: the announce cap applies (hop byte > 0 always
        // holds for rebroadcasts).
        if (hops == 0) {
            transmit(id, raw);
            ++_counters.ifaces[id].announces_rebroadcast;
        } else {
            send_capped_announce(id, raw, dest, hops, emitted, now);
        }
    }
}

void transport::send_capped_announce(iface_id out, byte_view raw, const hash16& dest,
                                     std::uint8_t hops, std::uint64_t emitted, double now) {
    iface_state& s = _ifaces[out];
    if (s.cfg.bitrate == 0 || s.cfg.announce_cap <= 0) {
        // No bitrate known: nothing to budget against. (The reference would queue forever.)
        transmit(out, raw);
        ++_counters.ifaces[out].announces_rebroadcast;
        return;
    }
    if (s.announce_queue.empty() && now > s.announce_allowed_at) {
        const double tx_time = static_cast<double>(raw.size() * 8) / static_cast<double>(s.cfg.bitrate);
        s.announce_allowed_at = now + tx_time / s.cfg.announce_cap;
        transmit(out, raw);
        ++_counters.ifaces[out].announces_rebroadcast;
        return;
    }
    if (s.announce_queue.size() >= tc::max_queued_announces) {
        inbound_result ignored;
        count_drop(out, drop_reason::announce_queue_full, ignored);
        return;
    }
    for (auto& q : s.announce_queue) {
        if (q.destination == dest) {
            // Refresh the matching entry with a newer emission. (The reference refreshes the last
            // iterated entry instead, spec §12.3; that is a bug no peer depends on.)
            if (emitted > q.emitted) {
                q.time = now;
                q.hops = hops;
                q.emitted = emitted;
                q.raw.assign(raw.begin(), raw.end());
            }
            return;
        }
    }
    s.announce_queue.push_back({dest, now, hops, emitted, bytes(raw.begin(), raw.end())});
    ++_counters.ifaces[out].announces_queued;
}

// Interface.process_announce_queue: fewest hops first, oldest first among those. Sent through the
// normal transmit path, so IFAC is applied (the reference skips IFAC here, spec §12.3, which makes
// IFAC peers drop queued announces; we do not copy that).
//
// The reference re-arms a timer for each send, so a queue drains at the cap rate however short the
// wait. Here the queue is served from tick(): every announce whose slot has come since the last
// tick is sent now, each slot starting where the previous one ended (not at `now`, which would cap
// the rate at one announce per tick: 20/s at a 50 ms tick, whatever the bitrate). Slots older than
// announce_catch_up are not made up, so a late tick cannot burst past the budget.
void transport::run_announce_queues(double now) {
    for (std::size_t i = 0; i < _ifaces.size(); ++i) {
        iface_state& s = _ifaces[i];
        if (s.announce_queue.empty() || now < s.announce_allowed_at) {
            continue;
        }
        const auto id = static_cast<iface_id>(i);
        std::erase_if(s.announce_queue, [&](const queued_announce& q) {
            if (now > q.time + tc::queued_announce_life) {
                inbound_result ignored;
                count_drop(id, drop_reason::announce_queue_expired, ignored);
                return true;
            }
            return false;
        });
        double slot = std::max(s.announce_allowed_at, now - tc::announce_catch_up);
        while (!s.announce_queue.empty() && slot <= now) {
            auto best = std::min_element(s.announce_queue.begin(), s.announce_queue.end(),
                                         [](const queued_announce& a, const queued_announce& b) {
                                             return a.hops != b.hops ? a.hops < b.hops : a.time < b.time;
                                         });
            const bytes raw = std::move(best->raw);
            s.announce_queue.erase(best);
            const double tx_time =
                static_cast<double>(raw.size() * 8) / static_cast<double>(s.cfg.bitrate);
            slot += tx_time / s.cfg.announce_cap;
            transmit(id, raw);
            ++_counters.ifaces[id].announces_rebroadcast;
        }
        s.announce_allowed_at = slot;
    }
}

// Interface.process_held_announces (spec §6.6.1), every 5 s. The held packet is re-injected
// through inbound() from its stored bytes, so IFAC interfaces do not lose it (spec §12.3).
void transport::run_held_announces(double now) {
    for (std::size_t i = 0; i < _ifaces.size(); ++i) {
        iface_state& s = _ifaces[i];
        if (s.held.empty() || !s.active) {
            continue;
        }
        if (s.should_ingress_limit(now) || now <= s.held_release) {
            continue;
        }
        const double threshold = s.is_new(now) ? ic::burst_freq_new : ic::burst_freq;
        if (s.announce_freq.frequency(now) >= threshold) {
            continue;
        }
        auto best = std::min_element(s.held.begin(), s.held.end(), [](const auto& a, const auto& b) {
            return a.second.hops < b.second.hops;
        });
        const bytes raw = std::move(best->second.raw);
        s.held.erase(best);
        s.held_release = now + ic::held_release_interval;
        inbound(static_cast<iface_id>(i), raw, now);
    }
}

// Rediscovery requests queued by link culling, sent 0.5 s apart (spec §6.12).
void transport::run_discovery_queue(double now) {
    if (_discovery_queue.empty() || now < _next_discovery_send) {
        return;
    }
    const auto [dest, skip] = _discovery_queue.front();
    _discovery_queue.pop_front();
    _next_discovery_send = now + tc::discovery_pr_spacing;
    const hash16 tag = random_tag();
    for (std::size_t i = 0; i < _ifaces.size(); ++i) {
        const auto id = static_cast<iface_id>(i);
        if (id != skip) {
            send_path_request(dest, tag, id, false, now);
        }
    }
    _path_requests[dest] = now;
}

} // namespace rns::control
