#pragma once
// The tunnel table of spec §6.1/§6.14: `tunnels[tunnel_id] = [tunnel_id, interface or none,
// {dest: path entry}, expires]`, and which interface is bound to which tunnel (the reference's
// `interface.tunnel_id`). Plain data; the rules that fill and cull it are in tunnel.cpp.

#include "router/control/hash_key.hpp"
#include "router/control/tables.hpp"
#include "router/control/types.hpp"
#include "router/rns/bytes.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

namespace rns::control {

/// spec §1.3.
namespace tunnel_constants {
inline constexpr double tunnel_timeout = 28800.0;      ///< TUNNEL_TIMEOUT (8 h)
inline constexpr double tunnel_path_timeout = 28800.0; ///< TUNNEL_PATH_TIMEOUT (8 h)
inline constexpr std::size_t persist_random_blobs = 32; ///< PERSIST_RANDOM_BLOBS (tunnels on disk)
} // namespace tunnel_constants

/// The emission time carried in a random blob's last 5 bytes (spec §5.1).
[[nodiscard]] inline std::uint64_t blob_emission(const byte_array<10>& blob) noexcept {
    std::uint64_t t = 0;
    for (std::size_t i = 5; i < 10; ++i) {
        t = (t << 8) | blob[i];
    }
    return t;
}

/// Transport.timebase_from_random_blobs: the newest emission among the blobs (0 if none).
[[nodiscard]] inline std::uint64_t blobs_timebase(const std::vector<byte_array<10>>& blobs) noexcept {
    std::uint64_t m = 0;
    for (const auto& b : blobs) {
        m = std::max(m, blob_emission(b));
    }
    return m;
}

struct tunnel_entry {
    using path_map = std::unordered_map<hash16, path_entry, array_hash>;
    hash32 id{};
    iface_id iface = no_iface; ///< none after a restart or once its interface is gone
    /// Paths learned through the tunnel (path_entry::iface unused: no_iface). Changed only
    /// through tunnel_table, which counts what they reference.
    path_map paths;
    double expires = 0;
};

/// A persisted tunnel path handed to transport::restore_tunnel: the entry and its raw announce
/// (as received, hop byte not incremented).
struct tunnel_path_seed {
    hash16 destination{};
    path_entry entry;
    bytes announce;
};

class tunnel_table {
  public:
    using map = std::unordered_map<hash32, tunnel_entry, array_hash>;
    using path_iterator = tunnel_entry::path_map::iterator;

    [[nodiscard]] tunnel_entry* find(const hash32& id) {
        auto it = _tunnels.find(id);
        return it == _tunnels.end() ? nullptr : &it->second;
    }
    [[nodiscard]] const tunnel_entry* find(const hash32& id) const {
        auto it = _tunnels.find(id);
        return it == _tunnels.end() ? nullptr : &it->second;
    }
    /// A new tunnel (none with this id exists).
    tunnel_entry& insert(tunnel_entry e) {
        for (const auto& [dest, p] : e.paths) {
            ref(dest, p.announce_hash);
        }
        const hash32 id = e.id;
        return _tunnels[id] = std::move(e);
    }
    void erase(const hash32& id) {
        auto it = _tunnels.find(id);
        if (it == _tunnels.end()) {
            return;
        }
        for (const auto& [dest, p] : it->second.paths) {
            unref(dest, p.announce_hash);
        }
        _tunnels.erase(it);
    }
    /// Stores (or replaces) a path of tunnel t.
    void put_path(tunnel_entry& t, const hash16& dest, path_entry e) {
        auto it = t.paths.find(dest);
        if (it != t.paths.end()) {
            unref(dest, it->second.announce_hash);
        }
        ref(dest, e.announce_hash);
        t.paths.insert_or_assign(dest, std::move(e));
    }
    path_iterator erase_path(tunnel_entry& t, path_iterator it) {
        unref(it->first, it->second.announce_hash);
        return t.paths.erase(it);
    }
    [[nodiscard]] std::size_t size() const noexcept { return _tunnels.size(); }
    /// Read-only: add and remove tunnels and paths through the members above.
    [[nodiscard]] const map& entries() const noexcept { return _tunnels; }
    [[nodiscard]] std::size_t bucket_count() const noexcept { return _tunnels.bucket_count(); }
    /// The tunnels in bucket b (for sliced culling).
    [[nodiscard]] std::vector<hash32> ids_in_bucket(std::size_t b) const {
        std::vector<hash32> ids;
        for (auto it = _tunnels.begin(b); it != _tunnels.end(b); ++it) {
            ids.push_back(it->first);
        }
        return ids;
    }

    /// Whether some tunnel path refers to this cached announce, or to this destination (the
    /// announce cache and known destinations keep those: they come back with the tunnel).
    [[nodiscard]] bool references_announce(const hash32& h) const { return _announce_refs.contains(h); }
    [[nodiscard]] bool references_destination(const hash16& d) const { return _dest_refs.contains(d); }

    /// The tunnel an interface is bound to (interface.tunnel_id), if any.
    [[nodiscard]] const hash32* bound(iface_id in) const noexcept {
        return in < _by_iface.size() && _by_iface[in] ? &*_by_iface[in] : nullptr;
    }
    void bind(iface_id in, const hash32& id) {
        if (in >= _by_iface.size()) {
            _by_iface.resize(static_cast<std::size_t>(in) + 1);
        }
        _by_iface[in] = id;
    }
    void unbind(iface_id in) noexcept {
        if (in < _by_iface.size()) {
            _by_iface[in].reset();
        }
    }

  private:
    template <typename M, typename K> static void dec(M& m, const K& k) {
        auto it = m.find(k);
        if (it != m.end() && --it->second == 0) {
            m.erase(it);
        }
    }
    void ref(const hash16& dest, const hash32& announce) {
        ++_dest_refs[dest];
        ++_announce_refs[announce];
    }
    void unref(const hash16& dest, const hash32& announce) {
        dec(_dest_refs, dest);
        dec(_announce_refs, announce);
    }

    map _tunnels;
    std::vector<std::optional<hash32>> _by_iface;
    std::unordered_map<hash16, std::uint32_t, array_hash> _dest_refs;
    std::unordered_map<hash32, std::uint32_t, array_hash> _announce_refs;
};

} // namespace rns::control
