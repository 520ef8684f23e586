#pragma once
// The cache, retry and expiry rules shared by ARP (neighbor_cache, RFC 826) and IPv6 neighbour
// discovery (neighbor6_cache, RFC 4861): one entry per (port, address), resolved entries trusted
// for `reachable` seconds (a stale MAC is still used while re-resolving), unresolved ones
// solicited again every `retry` seconds up to `max_retries` times. What a solicitation is (an
// ARP request, an NS to the solicited-node group) is the caller's: it passes a function.
// Control plane only, not thread-safe.

#include <rte_ether.h>

#include <cstdint>
#include <functional>
#include <map>
#include <utility>

namespace rns::drivers {

struct neighbor_timing {
    double reachable = 300.0; ///< a learned MAC is trusted this long (then re-resolved on use)
    double retry = 1.0;       ///< request retransmission interval while unresolved
    unsigned max_retries = 5; ///< then the entry is marked failed until the next use
};

template <class Addr> class neighbor_table {
  public:
    /// Called when an address becomes resolved (or its MAC changes).
    using resolved_fn = std::function<void(std::uint16_t port, const Addr& addr, const rte_ether_addr& mac)>;

    neighbor_table(resolved_fn resolved, neighbor_timing t) : _resolved(std::move(resolved)), _t(t) {}

    /// The MAC for addr on port if fresh; otherwise calls solicit(port, addr) when a first try or
    /// a retry is due. A stale MAC is still returned while re-resolving (the peer most likely has
    /// not moved).
    template <class Solicit>
    [[nodiscard]] const rte_ether_addr* lookup(std::uint16_t port, const Addr& addr, double now, Solicit&& solicit) {
        entry& e = _entries[{port, addr}];
        if (e.resolved && now - e.updated <= _t.reachable) {
            return &e.mac;
        }
        if (e.tries == 0 || (now >= e.next_try && e.tries < _t.max_retries)) {
            solicit(port, addr);
            ++e.tries;
            e.next_try = now + _t.retry;
        }
        return e.resolved ? &e.mac : nullptr;
    }

    /// Records addr's MAC (answer, advertisement or learned sender); reports new or changed ones.
    void set_resolved(std::uint16_t port, const Addr& addr, const rte_ether_addr& mac, double now) {
        entry& e = _entries[{port, addr}];
        const bool changed = !e.resolved || !rte_is_same_ether_addr(&e.mac, &mac);
        e.mac = mac;
        e.resolved = true;
        e.updated = now;
        e.tries = 0;
        if (changed) {
            _resolved(port, addr, mac);
        }
    }

    [[nodiscard]] bool has(std::uint16_t port, const Addr& addr) const { return _entries.count({port, addr}) != 0; }

    /// Retransmits pending solicitations whose retry time has come; silent ones give up after
    /// max_retries (until their next use).
    template <class Solicit> void tick(double now, Solicit&& solicit) {
        for (auto& [k, e] : _entries) {
            const bool stale = !e.resolved || now - e.updated > _t.reachable;
            if (stale && e.tries > 0 && e.tries < _t.max_retries && now >= e.next_try) {
                (void)lookup(k.first, k.second, now, solicit);
            }
        }
    }

    [[nodiscard]] std::size_t size() const noexcept { return _entries.size(); }

  private:
    struct entry {
        rte_ether_addr mac{};
        bool resolved = false;
        double updated = 0;  ///< when resolved/learned
        double next_try = 0; ///< pending: next solicitation
        unsigned tries = 0;
    };

    resolved_fn _resolved;
    neighbor_timing _t;
    std::map<std::pair<std::uint16_t, Addr>, entry> _entries;
};

} // namespace rns::drivers
