#pragma once
// A complete Reticulum transport node (enable_transport = yes) as the control plane runs it:
// spec §6 inbound processing, announce handling and rebroadcast, path requests, link and reverse
// tables, announce caps, ingress control and table maintenance.
//
// Single-threaded and deterministic: time comes in as `now` (seconds) on every call, randomness
// from the injected random_source, output goes to the injected transport_sink. Not a fast-path
// object: it allocates and uses hash maps freely; the datapath mirrors the forwarding tables
// through the sink notifications (sink.hpp).

#include "router/control/announce_cache.hpp"
#include "router/control/counters.hpp"
#include "router/control/hash_key.hpp"
#include "router/control/iface_state.hpp"
#include "router/control/packet_hashes.hpp"
#include "router/control/random_source.hpp"
#include "router/control/sink.hpp"
#include "router/control/tables.hpp"
#include "router/control/tunnel_table.hpp"
#include "router/control/types.hpp"
#include "router/rns/bytes.hpp"
#include "router/rns/announce.hpp"
#include "router/rns/identity.hpp"
#include "router/rns/packet.hpp"

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <queue>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace rns::control {

/// spec §1.3 Transport constants.
namespace tc {
inline constexpr std::uint8_t pathfinder_m = 128;
inline constexpr std::uint8_t pathfinder_r = 1;
inline constexpr double pathfinder_g = 5.0;
inline constexpr double pathfinder_rw = 0.5;
inline constexpr double pathfinder_e = 604800.0;
inline constexpr double ap_path_time = 86400.0;
inline constexpr double roaming_path_time = 21600.0;
inline constexpr std::uint32_t local_rebroadcasts_max = 2;
inline constexpr double path_request_timeout = 15.0;
inline constexpr double path_request_gate_timeout = 120.0;
inline constexpr double path_request_grace = 0.4;
inline constexpr double path_request_rg = 1.5;
inline constexpr double path_request_mi = 20.0;
inline constexpr double link_timeout = 900.0;
inline constexpr double reverse_timeout = memory_packet_hashes::reverse_timeout;
inline constexpr double per_hop_timeout = 6.0; ///< DEFAULT_PER_HOP_TIMEOUT (Link.ESTABLISHMENT_TIMEOUT_PER_HOP)
inline constexpr std::size_t max_random_blobs = 64;
inline constexpr std::size_t max_rate_timestamps = 16;
inline constexpr std::size_t max_queued_announces = 16384;
inline constexpr double queued_announce_life = 86400.0;
/// Announce cap slots missed by more than this (a late tick) are not made up in a burst.
inline constexpr double announce_catch_up = 0.25;
inline constexpr std::size_t max_queued_discovery_prs = 32;
inline constexpr double discovery_pr_spacing = 0.5;
inline constexpr double known_destination_unused = 8.75 * 86400.0;
inline constexpr double cull_interval = 5.0;
inline constexpr double cache_clean_interval = 300.0;
inline constexpr double pending_pr_interval = 30.0;
/// Buckets of the path-sized tables the culling and cache cleaning visit per tick (cull.cpp). At
/// 20 ticks/s a sweep covers 40,960 buckets/s: a table of 1,000,000 paths in ~25 s, in slices
/// that stay well under the tens of microseconds a shared core can spend away from its RX rings
/// (a whole-table cull of 1,000,000 paths in one tick would hold the core for tens of ms).
inline constexpr std::size_t sweep_buckets_per_tick = 2048;
/// A removed interface's id is given to a new interface only this long after its removal: longer
/// than any entry that can still name it (reverse entries 480 s; the announce cache is cleaned
/// every 300 s), so nothing meant for the old interface reaches the new one.
inline constexpr double iface_reuse_after = 600.0;
} // namespace tc

struct transport_options {
    std::size_t dedup_rotate_at = 500'000; ///< hashlist_maxsize / 2
    std::size_t max_pr_tags = 32'000;
    /// Reverse table bound of the transport's own packet hashes (the reference has none).
    std::size_t max_reverse = std::size_t{1} << 18;
    /// Verified announces remembered so that their copies need no verification (0: off).
    std::size_t announce_cache = 65536;
    /// Tunnel table bound (the reference has none): syntheses of new tunnel ids beyond it are
    /// dropped (tunnel_table_full) until tunnels expire.
    std::size_t max_tunnels = 16384;
};

/// What inbound() did with a packet (the detail is in the counters).
struct inbound_result {
    bool dropped = false;
    drop_reason reason = drop_reason::count_; ///< valid iff dropped
    unsigned sent = 0;                        ///< packets sent as a direct result
};

class transport {
  public:
    /// transport_private_key: the 64-byte private key form (spec §2.1) of the transport identity.
    /// hashes: the packet-hash table shared with a fast path (it outlives the transport); without
    /// one the transport keeps its own (memory_packet_hashes sized by opts).
    transport(const byte_array<64>& transport_private_key, transport_sink& sink, random_source& rng,
              transport_options opts = {}, packet_hashes* hashes = nullptr);

    transport(const transport&) = delete;
    transport& operator=(const transport&) = delete;

    [[nodiscard]] const hash16& transport_id() const noexcept { return _identity.hash(); }
    [[nodiscard]] const identity& transport_identity() const noexcept { return _identity; }

    /// A new interface: the id of one removed at least tc::iface_reuse_after ago (lowest first),
    /// else a new id. Interfaces that come and go (spawned TCP connections) keep the ids bounded.
    iface_id add_interface(const iface_config& cfg, double now);
    /// The id add_interface would give now.
    [[nodiscard]] iface_id next_interface_id(double now) const noexcept;
    /// Marks the interface gone: nothing is sent on it any more; entries referencing it are culled.
    void remove_interface(iface_id id, double now);
    [[nodiscard]] std::size_t interface_count() const noexcept { return _ifaces.size(); }
    [[nodiscard]] const iface_config& interface_config(iface_id id) const { return _ifaces.at(id).cfg; }

    /// One received packet (IFAC stripped, framing removed): spec §6.2 in full. prefiltered: the
    /// fast path already applied the duplicate rules and step 6 to this very packet with the
    /// shared packet-hash table (spec §6.3 rules 2-6), so they are not applied a second time.
    inbound_result inbound(iface_id in, byte_view raw, double now, bool prefiltered = false);

    /// A packet received on `in` that the caller had to drop before inbound() saw it (its
    /// backlog was full): counted as announce_overload (an announce) or control_overload.
    void count_overload(iface_id in, bool announce);

    /// Timers of spec §6.12: rebroadcasts and path responses due, announce cap queues, held
    /// announces, discovery path requests, table culling, dedup rotation.
    void tick(double now);
    /// Earliest time tick() has something to do (for sleeping); +inf if nothing is scheduled.
    [[nodiscard]] double next_deadline() const;

    /// Originates a path request for dest (spec §6.9, transport form) on every interface, or on
    /// one interface only.
    void request_path(const hash16& dest, double now, iface_id only = no_iface);

    // The fast path forwarded with a path or link entry at `when` (spec §6.4, §6.5: the entry's
    // timestamp is refreshed on use). The router reports these within seconds, continuously (the
    // 7-day, 6-hour and 900 s lifetimes of spec §6.12 do not notice); before a snapshot, in full.
    void path_used(const hash16& dest, double when);
    void link_used(const hash16& link_id, double when);

    // Introspection (tests, telemetry, persistence).
    [[nodiscard]] const transport_counters& counters() const noexcept { return _counters; }
    [[nodiscard]] const path_entry* find_path(const hash16& dest) const;
    [[nodiscard]] const link_entry* find_link(const hash16& link_id) const;
    [[nodiscard]] std::optional<reverse_entry> find_reverse(const hash16& truncated_hash) const;
    [[nodiscard]] const announce_entry* find_announce(const hash16& dest) const;
    [[nodiscard]] const known_destination* find_known(const hash16& dest) const;
    [[nodiscard]] const rate_entry* find_rate(const hash16& dest) const;
    [[nodiscard]] path_state state_of(const hash16& dest) const;
    [[nodiscard]] std::size_t path_count() const noexcept { return _paths.size(); }
    [[nodiscard]] std::size_t link_count() const noexcept { return _links.size(); }
    [[nodiscard]] std::size_t reverse_count() const { return _hashes.reverse_size(); }
    [[nodiscard]] std::size_t announce_table_count() const noexcept { return _announces.size(); }
    [[nodiscard]] std::size_t known_count() const noexcept { return _known.size(); }
    [[nodiscard]] std::size_t dedup_count() const { return _hashes.dedup_size(); }
    [[nodiscard]] const packet_hashes& hashes() const noexcept { return _hashes; }
    [[nodiscard]] std::size_t queued_announce_count(iface_id id) const;
    [[nodiscard]] std::size_t held_announce_count(iface_id id) const;
    /// False once remove_interface ran (nothing is sent on it any more).
    [[nodiscard]] bool interface_active(iface_id id) const noexcept { return iface_usable(id); }
    [[nodiscard]] const std::unordered_map<hash16, path_entry, array_hash>& paths() const noexcept {
        return _paths;
    }

    // Persistence (spec §11): seeding at start-up and snapshots. restore.cpp.
    /// Restores a path entry with its cached raw announce (as received, hop byte not incremented).
    /// Refused (false) when the interface does not exist or the announce does not parse, is not
    /// for dest, or does not validate. The announce's key is remembered if dest is not known yet.
    bool restore_path(const hash16& dest, const path_entry& e, byte_view announce_raw, double now);
    /// Restores a known destination (spec §5.2 step 6), e.g. from the known_destinations file.
    void restore_known(const hash16& dest, const known_destination& k);
    [[nodiscard]] const std::unordered_map<hash16, known_destination, array_hash>& known_destinations() const noexcept {
        return _known;
    }
    /// The cached raw announce of a path (for the path snapshot); nullptr if not cached.
    [[nodiscard]] const bytes* cached_announce(const hash32& announce_hash) const;
    /// Restores a destination's latest ratchet (spec §5.4) so an unchanged re-announce is not
    /// reported again; and looks it up. restore_ratchet.cpp.
    void restore_ratchet(const hash16& dest, const byte_array<32>& ratchet, double received);
    [[nodiscard]] const byte_array<32>* find_ratchet(const hash16& dest) const;

    // Tunnels (spec §6.14). tunnel.cpp.
    /// Client side: interface `id` has just (re)connected. If its config wants a tunnel
    /// (iface_config::wants_tunnel), sends a tunnel synthesis on it and returns true. Call on every
    /// successful connection of a `--tcp-connect` (or Backbone client) interface, the first one
    /// included, like the reference's client interfaces do.
    bool interface_connected(iface_id id, double now);
    /// The synthesis packet for interface `id` (a fresh random hash each call): data signed with
    /// the transport identity, interface hash = tunnel_interface_hash(its config). Empty if `id`
    /// is not an interface.
    [[nodiscard]] bytes tunnel_synthesize_packet(iface_id id);
    /// The hash a synthesis sent on an interface carries (the reference's H(str(interface))):
    /// SHA-256 of its configured name, stable across reconnections.
    [[nodiscard]] static hash32 tunnel_interface_hash(const iface_config& cfg);
    [[nodiscard]] const tunnel_table& tunnels() const noexcept { return _tunnels; }
    /// Restores a persisted tunnel (not bound to any interface until it is synthesized again).
    /// Paths whose announce does not parse, is not for their destination or does not validate
    /// are refused; a tunnel left without paths, expired, or expiring implausibly far ahead is
    /// not restored. Returns the number of paths kept.
    std::size_t restore_tunnel(const hash32& id, double expires, const std::vector<tunnel_path_seed>& paths,
                               double now);

    /// Marks a path unresponsive (spec §6.6 step 5 / §6.12); exposed for tests and operators.
    void mark_path_unresponsive(const hash16& dest);
    /// Drops a path (expire_path sets its timestamp to 0; the next cull removes it).
    void expire_path(const hash16& dest);

  private:
    // transport.cpp
    bool iface_usable(iface_id id) const noexcept;
    void count_drop(iface_id in, drop_reason r, inbound_result& res);
    void transmit(iface_id out, byte_view raw, inbound_result* res = nullptr);
    bool packet_filter(iface_id in, const packet_view& p, const hash32& h, bool prefiltered,
                       inbound_result& res);
    void set_path(const hash16& dest, path_entry e);
    void remove_path(const hash16& dest);
    void set_link(const hash16& id, const link_entry& e);
    void remove_link(const hash16& id);

    // forward.cpp (spec §6.4, §6.5, §6.10, §6.11)
    bool forward_header2(iface_id in, const packet_view& p, const hash32& h, double now,
                         inbound_result& res);
    bool forward_link(iface_id in, const packet_view& p, const hash32& h, double now,
                      inbound_result& res);
    void handle_lrproof(iface_id in, const packet_view& p, double now, inbound_result& res);
    void handle_proof(iface_id in, const packet_view& p, inbound_result& res);

    // announce.cpp (spec §6.6)
    void handle_announce(iface_id in, const packet_view& p, const hash32& h, double now,
                         inbound_result& res);
    bool rate_blocked(iface_id in, const hash16& dest, double now);
    /// spec §5.2 step 3 through the verified-announce cache (announce_cache.hpp).
    announce_error check_announce_signature(const packet_view& p, const announce_view& a);
    void hold_announce(iface_id in, const packet_view& p);

    // tunnel.cpp (spec §6.14)
    void handle_tunnel_synthesize(iface_id in, const packet_view& p, double now, inbound_result& res);
    /// Transport.handle_tunnel: binds `id` to `in`; a known tunnel's paths are restored onto `in`.
    void bind_tunnel(const hash32& id, iface_id in, double now);
    /// A path just learned on `in` (spec §6.6 step 6): also stored in `in`'s tunnel, if any.
    void record_tunnel_path(iface_id in, const hash16& dest, const path_entry& e, double now);
    /// One slice of tunnel culling (spec §6.12), a table of the cull sweep (cull.cpp).
    bool sweep_tunnels(std::size_t& bucket, std::size_t& budget, double now);

    // restore.cpp
    /// Validates a persisted announce for dest and puts it in the announce cache (and its key in
    /// the known destinations if not known yet); its packet hash, or nullopt if refused.
    std::optional<hash32> adopt_announce(const hash16& dest, byte_view announce_raw, double heard,
                                         iface_id iface);

    // path_request.cpp (spec §6.9)
    void handle_path_request(iface_id in, const packet_view& p, double now, inbound_result& res);
    void send_path_request(const hash16& dest, byte_view tag, iface_id on, bool recursive,
                           double now);
    hash16 random_tag();

    // jobs.cpp (spec §6.7, §6.8, §6.12)
    /// Writes an announce-table entry and indexes it for run_announce_table.
    void set_announce(const hash16& dest, announce_entry e);
    /// Indexes _announces[dest] (just written) by its retransmit time and, once it has been
    /// sent often enough, for removal at the next run.
    void schedule_announce(const hash16& dest, const announce_entry& e);
    void run_announce_table(double now);
    void broadcast_announce(byte_view raw, const hash16& dest, std::uint8_t hops,
                            std::uint64_t emitted, double now);
    void send_capped_announce(iface_id out, byte_view raw, const hash16& dest, std::uint8_t hops,
                              std::uint64_t emitted, double now);
    void run_announce_queues(double now);
    void run_held_announces(double now);
    void run_discovery_queue(double now);
    // cull.cpp (spec §6.12): culling and cache cleaning, as sweeps over the path-sized tables
    // in bounded slices (tick) or at once (an interface went away).
    /// Everything at once: entries through a vanished interface must go before the next packet.
    void cull_tables(double now);
    /// Culls the small tables now and starts a sliced sweep of paths, rates and path states.
    void begin_cull(double now);
    /// Starts a sliced sweep of the announce cache and the known destinations.
    void begin_clean(double now);
    /// Runs the sweeps in progress for at most `budget` buckets (decremented).
    void continue_sweeps(std::size_t& budget);
    void cull_links(double now);

    identity _identity;
    transport_sink& _sink;
    random_source& _rng;
    transport_options _opts;

    std::vector<iface_state> _ifaces;
    transport_counters _counters;
    std::unique_ptr<memory_packet_hashes> _own_hashes; ///< when no shared table was given
    packet_hashes& _hashes;
    double _now = 0; ///< time of the latest inbound() or tick()
    verified_announces _verified;

    std::unordered_map<hash16, path_entry, array_hash> _paths;
    std::unordered_map<hash16, link_entry, array_hash> _links;
    std::unordered_map<hash16, announce_entry, array_hash> _announces;
    std::unordered_map<hash16, announce_entry, array_hash> _held_announces;
    /// run_announce_table's index of _announces, so a run costs what is due, not the table
    /// size (a full scan every 50 ms tick cost 28 us per announce at 17,000 announces/s, a
    /// third of a verification): (retransmit time, dest), earliest on top. An item whose entry
    /// is gone or was rescheduled is skipped when it comes up.
    using announce_due = std::pair<double, hash16>;
    std::priority_queue<announce_due, std::vector<announce_due>, std::greater<>> _announce_due;
    /// Entries that reached their retry limit: removed at the next run (spec §6.7).
    std::vector<hash16> _announce_done;
    std::unordered_map<hash16, known_destination, array_hash> _known;
    std::unordered_map<hash16, std::pair<byte_array<32>, double>, array_hash> _ratchets;
    std::unordered_map<hash16, rate_entry, array_hash> _rates;
    std::unordered_map<hash16, path_state, array_hash> _path_states;
    std::unordered_map<hash16, double, array_hash> _path_requests;
    std::unordered_map<hash16, discovery_request, array_hash> _discovery_requests;
    struct announce_cache_entry {
        bytes raw; ///< as received: no IFAC, hop byte not incremented (spec §5.4)
        iface_id iface = no_iface;
    };
    std::unordered_map<hash32, announce_cache_entry, array_hash> _announce_cache;
    std::unordered_set<hash32, array_hash> _pr_tags;
    std::deque<hash32> _pr_tag_order;
    /// Rediscovery path requests queued by link culling (spec §6.12): dest, interface to skip.
    std::deque<std::pair<hash16, iface_id>> _discovery_queue;
    double _next_discovery_send = 0;

    /// A sliced sweep over the buckets of several tables in turn (cull.cpp).
    struct sweep {
        bool active = false;
        unsigned table = 0;     ///< which table of the sweep is being visited
        std::size_t bucket = 0; ///< next bucket of that table
        double now = 0;         ///< time the sweep started: the expiry rules use it
    };
    sweep _cull_sweep;
    sweep _clean_sweep;
    std::vector<hash16> _doomed;      ///< scratch: keys a slice removes
    std::vector<hash32> _doomed_announces;
    tunnel_table _tunnels;

    double _next_cull = 0;
    double _next_cache_clean = 0;
    double _next_pending_pr = 0;
    bool _started = false;
};

} // namespace rns::control
