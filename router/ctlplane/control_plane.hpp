#pragma once
// The control plane as the router runs it on the main lcore: drains the workers' punt rings into
// rns::control::transport, sends its output through the workers' inject rings, mirrors its path
// and link tables into the fast tables (and collects their use), shares the packet-hash table
// with the workers, resolves neighbours, answers ARP and ICMP echo, and learns UDP peers.
// Single-threaded; never touched by a worker.

#include "drivers/neighbor.hpp"
#include "drivers/neighbor6.hpp"
#include "router/control/persistence_bridge.hpp"
#include "router/control/transport.hpp"
#include "router/datapath/dataplane.hpp"
#include "router/ctlplane/shared_packet_hashes.hpp"

#include <rte_mempool.h>

#include <cstdint>
#include <deque>
#include <utility>
#include <map>
#include <string>
#include <vector>

namespace rns::ctlplane {

/// An RNS interface on a UDP port: a configured unicast peer, a broadcast target (like the
/// reference UDPInterface's forward_ip), or a learned peer.
struct udp_iface_spec {
    std::uint16_t eth_port = 0;
    std::uint16_t listen_udp = 0; ///< our listener port for this interface, network order
    std::uint32_t ip4 = 0;  ///< peer (or broadcast) address, network order
    bool ipv6 = false;      ///< the peer is an IPv6 address (ip6; broadcast: a multicast group)
    drivers::ip6_addr ip6{};
    std::uint16_t udp = 0;  ///< peer UDP port, network order
    bool broadcast = false; ///< sent to ff:ff:ff:ff:ff:ff
    bool catch_all = false; ///< receives from any sender not mapped to another interface
    control::iface_config cfg;
};

struct control_stats {
    std::uint64_t punted_rns = 0;
    std::uint64_t punted_arp = 0;
    std::uint64_t punted_icmp = 0;
    std::uint64_t punted_ndp = 0;      ///< IPv6 neighbour solicitations/advertisements
    std::uint64_t punted_icmp6 = 0;    ///< ICMPv6 echo requests
    std::uint64_t peers_learned = 0;
    std::uint64_t peers_refused = 0;   ///< learning impossible (interface table full)
    std::uint64_t sent = 0;            ///< packets handed to a worker for transmission
    std::uint64_t send_pending = 0;    ///< waited for ARP
    std::uint64_t send_unresolved = 0; ///< waited for ARP longer than the resolver tries: dropped
    std::uint64_t send_dropped = 0;    ///< no mbuf, inject ring full, pending queue full
    std::uint64_t table_full = 0;      ///< a fast table refused an entry (stays on the slow path)
    std::uint64_t announces_deferred = 0;  ///< announces put in the backlog to verify in a later slice
    std::uint64_t announces_overload = 0;  ///< backlog full: dropped unverified (announce_overload)
    std::uint64_t punts_deferred = 0;      ///< other RNS packets queued behind waiting announces
    std::uint64_t punts_overload = 0;      ///< backlog full: dropped (control_overload)
    std::uint64_t polls = 0;
    std::uint64_t polls_over_budget = 0;   ///< polls that ran past their slice (one verification
                                           ///< alone takes longer than a short slice)
    std::uint64_t poll_max_cycles = 0;     ///< the longest poll (TSC cycles)
};

/// How the control plane shares its core with the graph (one lcore, `-l 0`): every poll is a
/// slice of at most `budget_us` of punt handling and announce verification (at least one item,
/// so work always progresses); announces wait for a later slice in a bounded backlog (at most
/// `announce_backlog` of them; RNS packets punted meanwhile queue behind them in arrival order),
/// and beyond it they are dropped unverified and counted (announce_overload). The graph is
/// walked between slices, so the RX rings are polled every slice plus one walk.
struct control_slice {
    double budget_us = 30;
    std::size_t announce_backlog = 2048;
};

class control_plane final : public control::transport_sink {
  public:
    control_plane(datapath::dataplane& dp, rte_mempool* pool, const byte_array<64>& transport_key,
                  control::random_source& rng, control::transport_options opts = {});

    /// Adds an RNS interface on a UDP port (before or while running).
    control::iface_id add_udp_iface(const udp_iface_spec& spec, double now);
    /// Settings for peers learned on a port's listener (learning must be on in the listener).
    void set_learned_template(std::uint16_t eth_port, std::uint16_t listen_udp,
                              const control::iface_config& cfg);

    /// Sets the slice budget and the announce backlog bound (before running).
    void set_slice(const control_slice& s, std::uint64_t tsc_hz);
    /// One slice: drains the punt rings while the slice lasts (announces go to the backlog), then
    /// verifies backlogged announces while the slice lasts (at least one). Returns the number of
    /// items handled.
    unsigned poll(double now);
    /// Handles everything still queued (punt rings and backlog), e.g. before the pool goes.
    void drain(double now);
    [[nodiscard]] std::size_t announce_backlog() const noexcept { return _backlog_announces; }
    [[nodiscard]] std::size_t backlog() const noexcept { return _backlog_count; }
    /// Timers: transport jobs, ARP retries, dedup rotation, RCU reclamation.
    void tick(double now);

    [[nodiscard]] control::transport& transport() noexcept { return _transport; }
    [[nodiscard]] const control_stats& stats() const noexcept { return _stats; }
    [[nodiscard]] const drivers::neighbor_cache& neighbors() const noexcept { return _neighbors; }
    [[nodiscard]] const drivers::neighbor6_cache& neighbors6() const noexcept { return _neighbors6; }
    [[nodiscard]] const udp_iface_spec* iface_spec(control::iface_id id) const noexcept {
        return id < _ifaces.size() ? &_ifaces[id] : nullptr;
    }

    // transport_sink
    void send(control::iface_id out, byte_view raw) override;
    void path_set(const hash16& dest, const control::fast_path_entry& e) override;
    void path_removed(const hash16& dest) override;
    void link_set(const hash16& link_id, const control::fast_link_entry& e) override;
    void link_removed(const hash16& link_id) override;
    /// spec §5.4: to the ratchet store (router_persistence), never blocking.
    void ratchet_learned(const hash16& dest, const byte_array<32>& ratchet, double now) override {
        if (_persist != nullptr) {
            _persist->ratchet_learned(dest, ratchet, now);
        }
    }
    void set_persistence(control::persistence_bridge* p) noexcept { _persist = p; }

  private:
    struct deferred_packet {
        control::iface_id in = 0;
        bool announce = false;
        bytes raw;
    };

    void handle_punt(rte_mbuf* m, double now);
    /// Announces wait in the backlog (copied: the mbuf goes back to the pool at once), and so
    /// does any RNS packet while announces wait; everything else is handled now.
    void punt_or_defer(rte_mbuf* m, double now);
    void handle_deferred(double now);
    void send_echo_reply(rte_mbuf* m, bool rewritten);
    /// Drops packets that waited for a neighbour longer than pending_life (counted).
    void expire_pending(double now);
  public:
    /// The "last used" seconds the workers recorded on path and link entries become the
    /// transport's path and link timestamps (spec §6.4, §6.5): slots/64 per tick (a full sweep
    /// every ~3 s, never a long stall of a shared core), or all at once before a snapshot.
    void collect_usage(std::size_t slots);
    void collect_usage();

  private:
    /// Publishes the router's second to the workers (fast_tables::now_s) when it changed.
    void set_clock(double now) noexcept;
    void learn_peer(rte_mbuf* m, double now);
    void inject(rte_mbuf* m);
    void publish_tx(control::iface_id id, const rte_ether_addr* mac);
    void on_resolved(std::uint16_t port, std::uint32_t ip4, const rte_ether_addr& mac);
    void on_resolved6(std::uint16_t port, const drivers::ip6_addr& ip6, const rte_ether_addr& mac);
    void resolved_iface(control::iface_id id, const rte_ether_addr& mac);
    [[nodiscard]] const rte_ether_addr* resolve(const udp_iface_spec& s, double now);

    datapath::dataplane& _dp;
    rte_mempool* _pool;
    shared_packet_hashes _hashes; ///< the workers' packet-hash table, with the control's counters
    control::transport _transport;
    drivers::neighbor_cache _neighbors;
    drivers::neighbor6_cache _neighbors6;
    std::vector<udp_iface_spec> _ifaces; ///< by iface id
    /// Packets waiting for ARP/NDP, by iface id, with the time they were queued.
    std::vector<std::deque<std::pair<double, bytes>>> _pending;
    std::map<std::uint32_t, control::iface_config> _learned_cfg; ///< by port << 16 | listen udp
    control_stats _stats;
    std::uint64_t _slice_cycles = 0;
    /// Ring of punted RNS packets awaiting the transport, in arrival order: _backlog_count
    /// entries from _backlog_head, _backlog_announces of them announces (at most _announce_cap).
    std::vector<deferred_packet> _backlog;
    std::size_t _backlog_head = 0;
    std::size_t _backlog_count = 0;
    std::size_t _backlog_announces = 0;
    std::size_t _announce_cap = 1;
    double _now = 0;
    std::size_t _usage_cursor = 0; ///< next forwarding-table slot collect_usage looks at
    control::persistence_bridge* _persist = nullptr; ///< router_persistence, or none
};

} // namespace rns::ctlplane
