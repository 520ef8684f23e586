// Tunnels (spec §6.14): answering syntheses from connecting clients, remembering the paths
// learned through each tunnel, restoring them when the tunnel reappears on a new interface,
// culling (spec §6.12), persistence seeding, and the client side's synthesis.

#include "router/control/transport.hpp"

#include "crypto/sha256.hpp"
#include "router/rns/tunnel.hpp"

#include <algorithm>

namespace rns::control {

namespace tun = tunnel_constants;

hash32 transport::tunnel_interface_hash(const iface_config& cfg) {
    return crypto::sha256(as_bytes(cfg.name));
}

bytes transport::tunnel_synthesize_packet(iface_id id) {
    if (id >= _ifaces.size()) {
        return {};
    }
    // random_hash = get_random_hash(): T(16 random bytes).
    byte_array<16> entropy{};
    _rng.fill(entropy);
    return build_tunnel_synthesize(_identity, tunnel_interface_hash(_ifaces[id].cfg),
                                   crypto::truncated_hash(entropy));
}

bool transport::interface_connected(iface_id id, double now) {
    _now = now;
    if (!iface_usable(id) || !_ifaces[id].cfg.wants_tunnel || !_ifaces[id].cfg.out) {
        return false;
    }
    const bytes raw = tunnel_synthesize_packet(id);
    // Sent on this interface only (attached_interface), like the reference's synthesize_tunnel.
    transmit(id, raw);
    ++_counters.tunnels_synthesized;
    return true;
}

void transport::handle_tunnel_synthesize(iface_id in, const packet_view& p, double now, inbound_result& res) {
    const tunnel_result t = verify_tunnel_synthesis(p.data);
    if (!t) {
        count_drop(in,
                   t.error == tunnel_error::wrong_length ? drop_reason::tunnel_malformed
                                                         : drop_reason::tunnel_bad_signature,
                   res);
        return;
    }
    if (_tunnels.find(t.tunnel.tunnel_id) == nullptr && _tunnels.size() >= _opts.max_tunnels) {
        count_drop(in, drop_reason::tunnel_table_full, res);
        return;
    }
    bind_tunnel(t.tunnel.tunnel_id, in, now);
}

void transport::bind_tunnel(const hash32& id, iface_id in, double now) {
    const double expires = now + tun::tunnel_timeout;
    // An interface carries one tunnel: a previous one that learned nothing is of no further use.
    if (const hash32* prev = _tunnels.bound(in); prev != nullptr && *prev != id) {
        const hash32 old = *prev;
        if (tunnel_entry* o = _tunnels.find(old); o != nullptr && o->iface == in) {
            o->iface = no_iface;
            if (o->paths.empty()) {
                _tunnels.erase(old);
            }
        }
    }
    _tunnels.bind(in, id);
    tunnel_entry* t = _tunnels.find(id);
    if (t == nullptr) {
        tunnel_entry e;
        e.id = id;
        e.iface = in;
        e.expires = expires;
        _tunnels.insert(std::move(e));
        ++_counters.tunnels_established;
        return;
    }
    // The tunnel reappeared (the client reconnected: a new interface): its paths come back onto
    // `in` unless the path table holds something better.
    if (t->iface != no_iface && t->iface != in) {
        _tunnels.unbind(t->iface);
    }
    t->iface = in;
    t->expires = expires;
    ++_counters.tunnels_reappeared;
    std::vector<hash16> deprecated;
    for (const auto& [dest, tp] : t->paths) {
        path_entry ne = tp;
        ne.timestamp = now;
        ne.iface = in;
        // Duplicate blobs collapse (the reference restores set(blobs)); order is kept.
        std::vector<byte_array<10>> blobs;
        for (const auto& b : tp.random_blobs) {
            if (std::find(blobs.begin(), blobs.end(), b) == blobs.end()) {
                blobs.push_back(b);
            }
        }
        ne.random_blobs = std::move(blobs);
        bool add = false;
        if (const path_entry* cur = find_path(dest); cur != nullptr) {
            // Not worse: fewer or equal hops (or the current path expired), and not older.
            if (ne.hops <= cur->hops || now > cur->expires) {
                add = blobs_timebase(ne.random_blobs) >= blobs_timebase(cur->random_blobs);
            }
        } else {
            add = now < tp.expires;
        }
        if (add && _announce_cache.contains(ne.announce_hash)) {
            set_path(dest, std::move(ne));
            ++_counters.tunnel_paths_restored;
        } else {
            deprecated.push_back(dest);
        }
    }
    for (const hash16& d : deprecated) {
        _tunnels.erase_path(*t, t->paths.find(d));
        ++_counters.tunnel_paths_deprecated;
    }
}

void transport::record_tunnel_path(iface_id in, const hash16& dest, const path_entry& e, double now) {
    const hash32* id = _tunnels.bound(in);
    if (id == nullptr) {
        return;
    }
    tunnel_entry* t = _tunnels.find(*id);
    if (t == nullptr) {
        // The tunnel expired while its interface stayed up (the reference logs this and does
        // not record the path either).
        inbound_result ignored;
        count_drop(in, drop_reason::tunnel_unknown, ignored);
        return;
    }
    path_entry tp = e;
    tp.iface = no_iface;
    _tunnels.put_path(*t, dest, std::move(tp));
    t->expires = now + tun::tunnel_timeout;
}

// spec §6.12: tunnels past expiry (or with an expiry more than 16 h ahead) go; a tunnel whose
// interface is gone is unbound; its paths go when older than 8 h or older than the active path.
// A slice of the cull sweep (cull.cpp): visits buckets from `bucket` while budget lasts, each
// tunnel costing one unit per 64 paths on top of its bucket; true once the last bucket is done.
bool transport::sweep_tunnels(std::size_t& bucket, std::size_t& budget, double now) {
    const std::size_t n = _tunnels.bucket_count();
    for (; bucket < n && budget > 0; ++bucket, --budget) {
        for (const hash32& id : _tunnels.ids_in_bucket(bucket)) {
            tunnel_entry* tp = _tunnels.find(id);
            if (tp == nullptr) {
                continue;
            }
            tunnel_entry& t = *tp;
            if (t.expires > now + 2 * tun::tunnel_timeout || now > t.expires) {
                // A still bound interface keeps the id: record_tunnel_path counts it as unknown.
                _tunnels.erase(id);
                ++_counters.tunnels_expired;
                continue;
            }
            if (t.iface != no_iface && !iface_usable(t.iface)) {
                _tunnels.unbind(t.iface);
                t.iface = no_iface;
            }
            budget -= std::min(budget - 1, t.paths.size() / 64);
            for (auto p = t.paths.begin(); p != t.paths.end();) {
                bool stale = now > p->second.timestamp + tun::tunnel_path_timeout;
                if (!stale) {
                    if (const path_entry* active = find_path(p->first); active != nullptr) {
                        stale = blobs_timebase(active->random_blobs) > blobs_timebase(p->second.random_blobs);
                    }
                }
                if (stale) {
                    p = _tunnels.erase_path(t, p);
                    ++_counters.tunnel_paths_expired;
                } else {
                    ++p;
                }
            }
        }
    }
    return bucket >= n;
}

std::size_t transport::restore_tunnel(const hash32& id, double expires, const std::vector<tunnel_path_seed>& paths,
                                      double now) {
    if (now > expires || expires > now + 2 * tun::tunnel_timeout) {
        return 0; // the first cull would remove it (spec §6.12)
    }
    if (_tunnels.find(id) == nullptr && _tunnels.size() >= _opts.max_tunnels) {
        return 0;
    }
    tunnel_entry t;
    t.id = id;
    t.expires = expires;
    for (const tunnel_path_seed& s : paths) {
        const std::optional<hash32> h = adopt_announce(s.destination, s.announce, s.entry.timestamp, no_iface);
        if (!h) {
            continue;
        }
        path_entry e = s.entry;
        e.iface = no_iface;
        e.announce_hash = *h;
        if (e.random_blobs.size() > tc::max_random_blobs) {
            e.random_blobs.erase(e.random_blobs.begin(),
                                 e.random_blobs.end() - static_cast<std::ptrdiff_t>(tc::max_random_blobs));
        }
        t.paths[s.destination] = std::move(e);
    }
    const std::size_t kept = t.paths.size();
    if (kept == 0) {
        return 0; // like the reference: a tunnel is restored only with paths
    }
    if (tunnel_entry* existing = _tunnels.find(id); existing != nullptr) {
        for (auto& [d, e] : t.paths) {
            _tunnels.put_path(*existing, d, std::move(e));
        }
        existing->expires = std::max(existing->expires, expires);
    } else {
        _tunnels.insert(std::move(t));
    }
    return kept;
}

} // namespace rns::control
