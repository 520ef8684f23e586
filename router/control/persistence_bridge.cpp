// Control plane <-> persistence thread (see persistence_bridge.hpp; spec §5.4, §6.1, §11).

#include "router/control/persistence_bridge.hpp"

#include "crypto/sha256.hpp"

#include <algorithm>
#include <unordered_map>
#include <utility>
#include <vector>

namespace rns::control {

hash32 persisted_interface_hash(const iface_config& cfg) {
    return crypto::sha256(as_bytes(cfg.name));
}

void persistence_bridge::ratchet_learned(const hash16& destination, const byte_array<32>& ratchet,
                                         double now) noexcept {
    if (_store.submit_ratchet(destination, ratchet, now)) {
        ++_counters.ratchets_submitted;
    } else {
        ++_counters.ratchets_dropped; // ring full or stopped: counted, never waited for
    }
}

restore_result persistence_bridge::restore(transport& t, double now) {
    const persist::loaded_state& st = _store.loaded();
    restore_result r;
    // Known destinations first: restore_path then checks the cached announce against the
    // remembered key (spec §5.2 step 6 collision rule).
    for (const persist::known_destination& k : st.known) {
        known_destination kd;
        kd.last_announce = k.last_heard;
        kd.packet_hash = k.announce_hash;
        kd.public_key = k.public_key;
        kd.app_data = k.app_data;
        kd.last_used = k.last_used;
        t.restore_known(k.destination, kd);
        ++r.known;
    }
    std::unordered_map<hash32, iface_id, array_hash> by_hash;
    for (std::size_t i = 0; i < t.interface_count(); ++i) {
        const auto id = static_cast<iface_id>(i);
        by_hash.emplace(persisted_interface_hash(t.interface_config(id)), id);
    }
    for (const persist::path_record& p : st.paths) {
        auto it = by_hash.find(p.interface_hash);
        if (it == by_hash.end() || p.announce.empty()) {
            ++r.paths_refused; // interface gone, or nothing to answer path requests with
            continue;
        }
        path_entry e;
        e.timestamp = p.timestamp;
        e.next_hop = p.next_hop;
        e.hops = p.hops;
        e.expires = p.expires;
        e.random_blobs = p.random_blobs;
        e.iface = it->second;
        if (t.restore_path(p.destination, e, p.announce, now)) {
            ++r.paths;
        } else {
            ++r.paths_refused;
        }
    }
    for (const persist::ratchet_record& rr : st.ratchets) {
        // The store already dropped expired ratchets at load (spec §5.4 RATCHET_EXPIRY).
        t.restore_ratchet(rr.destination, rr.ratchet, rr.received);
        ++r.ratchets;
    }
    // Tunnels come back unbound: they bind again when their client synthesizes them (spec §6.14).
    _tunnels_written = _tunnels_written || !st.tunnels.empty(); // later snapshots replace the file
    for (const persist::tunnel_record& tr : st.tunnels) {
        std::vector<tunnel_path_seed> seeds;
        seeds.reserve(tr.paths.size());
        for (const persist::path_record& p : tr.paths) {
            tunnel_path_seed s;
            s.destination = p.destination;
            s.entry.timestamp = p.timestamp;
            s.entry.next_hop = p.next_hop;
            s.entry.hops = p.hops;
            s.entry.expires = p.expires;
            s.entry.random_blobs = p.random_blobs;
            s.announce = p.announce;
            seeds.push_back(std::move(s));
        }
        const std::size_t kept = t.restore_tunnel(tr.tunnel_id, tr.expires, seeds, now);
        if (kept == 0) {
            ++r.tunnels_refused;
            r.tunnel_paths_refused += seeds.size();
        } else {
            ++r.tunnels;
            r.tunnel_paths += kept;
            r.tunnel_paths_refused += seeds.size() - kept;
        }
    }
    _counters.restored_paths += r.paths;
    _counters.restored_paths_refused += r.paths_refused;
    _counters.restored_known += r.known;
    _counters.restored_ratchets += r.ratchets;
    _counters.restored_tunnels += r.tunnels;
    _counters.restored_tunnels_refused += r.tunnels_refused;
    _counters.restored_tunnel_paths += r.tunnel_paths;
    _counters.restored_tunnel_paths_refused += r.tunnel_paths_refused;
    return r;
}

void persistence_bridge::sync_identity(const byte_array<64>& private_key) {
    const auto& have = _store.loaded().identity;
    if (have && *have == private_key) {
        return;
    }
    if (_store.submit_identity(private_key)) {
        ++_counters.identity_submitted;
    }
}

void persistence_bridge::tick(const transport& t, double now) {
    if (_interval <= 0) {
        return;
    }
    if (_next_snapshot == 0) {
        _next_snapshot = now + _interval; // the restored state is on disk already
        return;
    }
    if (now >= _next_snapshot) {
        _next_snapshot = now + _interval;
        snapshot(t);
    }
}

std::vector<persist::tunnel_record> persistence_bridge::tunnel_records(const transport& t,
                                                                      const std::vector<hash32>& iface_hashes) {
    std::vector<persist::tunnel_record> out;
    out.reserve(t.tunnels().size());
    for (const auto& [id, te] : t.tunnels().entries()) {
        persist::tunnel_record r;
        r.tunnel_id = id;
        if (te.iface < iface_hashes.size()) {
            r.interface_hash = iface_hashes[te.iface];
        }
        // The tunnel's own expiry (the reference writes its last path's: spec §12.3).
        r.expires = te.expires;
        r.paths.reserve(te.paths.size());
        for (const auto& [dest, e] : te.paths) {
            persist::path_record p;
            p.destination = dest;
            p.timestamp = e.timestamp;
            p.next_hop = e.next_hop;
            p.hops = e.hops;
            p.expires = e.expires;
            // PERSIST_RANDOM_BLOBS: the last 32 (spec §1.3).
            const std::size_t keep = std::min(e.random_blobs.size(), tunnel_constants::persist_random_blobs);
            p.random_blobs.assign(e.random_blobs.end() - static_cast<std::ptrdiff_t>(keep), e.random_blobs.end());
            if (r.interface_hash) {
                p.interface_hash = *r.interface_hash;
            }
            p.announce_hash = e.announce_hash;
            if (const bytes* raw = t.cached_announce(e.announce_hash); raw != nullptr) {
                p.announce = *raw;
            }
            r.paths.push_back(std::move(p));
        }
        out.push_back(std::move(r));
    }
    return out;
}

void persistence_bridge::snapshot(const transport& t) {
    std::vector<hash32> iface_hashes;
    iface_hashes.reserve(t.interface_count());
    for (std::size_t i = 0; i < t.interface_count(); ++i) {
        iface_hashes.push_back(persisted_interface_hash(t.interface_config(static_cast<iface_id>(i))));
    }
    std::vector<persist::path_record> paths;
    paths.reserve(t.paths().size());
    for (const auto& [dest, e] : t.paths()) {
        if (e.iface >= iface_hashes.size()) {
            continue;
        }
        persist::path_record p;
        p.destination = dest;
        p.timestamp = e.timestamp;
        p.next_hop = e.next_hop;
        p.hops = e.hops;
        p.expires = e.expires;
        p.random_blobs = e.random_blobs;
        p.interface_hash = iface_hashes[e.iface];
        p.announce_hash = e.announce_hash;
        if (const bytes* raw = t.cached_announce(e.announce_hash); raw != nullptr) {
            p.announce = *raw;
        }
        paths.push_back(std::move(p));
    }
    std::vector<persist::known_destination> known;
    known.reserve(t.known_destinations().size());
    for (const auto& [dest, k] : t.known_destinations()) {
        persist::known_destination kd;
        kd.destination = dest;
        kd.last_heard = k.last_announce;
        kd.announce_hash = k.packet_hash;
        kd.public_key = k.public_key;
        kd.app_data = k.app_data;
        kd.last_used = k.last_used;
        known.push_back(std::move(kd));
    }
    std::vector<persist::tunnel_record> tunnels = tunnel_records(t, iface_hashes);
    const bool ok_paths = _store.submit_path_snapshot(std::move(paths));
    const bool ok_known = _store.submit_known_destinations(std::move(known));
    _counters.snapshots_submitted += static_cast<std::uint64_t>(ok_paths) + static_cast<std::uint64_t>(ok_known);
    _counters.snapshots_dropped += static_cast<std::uint64_t>(!ok_paths) + static_cast<std::uint64_t>(!ok_known);
    // The tunnel file is written once there is (or was) something in it, so that a router that
    // never sees a tunnel keeps the state directory it always had.
    if (!tunnels.empty() || _tunnels_written) {
        const bool ok = _store.submit_tunnel_snapshot(std::move(tunnels));
        _tunnels_written = _tunnels_written || ok;
        ++(ok ? _counters.snapshots_submitted : _counters.snapshots_dropped);
    }
}

bool persistence_bridge::shutdown(const transport& t) {
    snapshot(t);
    return _store.flush();
}

} // namespace rns::control
