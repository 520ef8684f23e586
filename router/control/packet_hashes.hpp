#pragma once
// The packet-hash table as the transport sees it: the duplicate filter (spec §6.3 rules 5-6, two
// generations; §6.2 step 6) and the reverse table (spec §6.4, §6.11, expiry §6.12), both keyed by
// a packet's hash (spec §4.5). In the router one table holds both and is shared with the fast path
// (router/datapath/packet_hash_table.hpp: every worker writes it lock-free, and the control plane
// writes it too for the packets it forwards itself), so the transport never mirrors an entry; here
// it is an interface. memory_packet_hashes (below) is the single-threaded implementation the
// transport uses on its own (unit tests, the UDP harness, capture replay).

#include "router/control/dedup.hpp"
#include "router/control/reverse_table.hpp"
#include "router/control/tables.hpp"
#include "router/control/types.hpp"
#include "router/rns/bytes.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>

namespace rns::control {

class packet_hashes {
  public:
    virtual ~packet_hashes() = default;

    /// spec §6.3 rules 5-6: h is in the current or the previous generation.
    [[nodiscard]] virtual bool contains(const hash32& h) const = 0;
    /// spec §6.2 step 6: remembers h in the current generation.
    virtual void add(const hash32& h, double now) = 0;
    /// spec §6.4: the reverse entry of a forwarded packet, keyed by its truncated hash.
    virtual void set_reverse(const hash32& h, const reverse_entry& e) = 0;
    /// spec §6.11: the reverse entry for a truncated packet hash, removed from the table.
    [[nodiscard]] virtual std::optional<reverse_entry> take_reverse(const hash16& key, double now) = 0;
    [[nodiscard]] virtual std::optional<reverse_entry> find_reverse(const hash16& key, double now) const = 0;

    /// spec §6.12, every loop: a new generation when the current one is over the limit; true if
    /// it rotated.
    virtual bool maybe_rotate() = 0;
    /// spec §6.12 cull: reverse entries older than 480 s go (a table may instead refuse them on
    /// read, by age).
    virtual void cull(double now) = 0;
    /// spec §6.12 cull: reverse entries through an interface that is gone go.
    virtual void forget_interface(iface_id id) = 0;

    /// Hashes remembered (both generations), and reverse entries held.
    [[nodiscard]] virtual std::size_t dedup_size() const = 0;
    [[nodiscard]] virtual std::size_t reverse_size() const = 0;
    /// Reverse entries dropped by the size bound before they expired (the reference keeps every
    /// one for 480 s: no table bound holds that at backbone rates).
    [[nodiscard]] virtual std::uint64_t reverse_evicted() const = 0;
};

/// Single-threaded packet hashes: the two-generation hash set and the bounded reverse table.
class memory_packet_hashes final : public packet_hashes {
  public:
    memory_packet_hashes(std::size_t rotate_at, std::size_t max_reverse)
        : _dedup(rotate_at), _reverse(max_reverse) {}

    [[nodiscard]] bool contains(const hash32& h) const override { return _dedup.contains(h); }
    void add(const hash32& h, double /*now*/) override { _dedup.add(h); }
    void set_reverse(const hash32& h, const reverse_entry& e) override {
        if (_reverse.set(take<16>(h), e)) {
            ++_evicted;
        }
    }
    [[nodiscard]] std::optional<reverse_entry> take_reverse(const hash16& key, double /*now*/) override {
        const reverse_entry* e = _reverse.find(key);
        if (e == nullptr) {
            return std::nullopt;
        }
        const reverse_entry copy = *e;
        _reverse.erase(key);
        return copy;
    }
    [[nodiscard]] std::optional<reverse_entry> find_reverse(const hash16& key, double /*now*/) const override {
        const reverse_entry* e = _reverse.find(key);
        return e == nullptr ? std::nullopt : std::optional<reverse_entry>(*e);
    }
    bool maybe_rotate() override { return _dedup.maybe_rotate(); }
    void cull(double now) override {
        _reverse.erase_if([&](const hash16&, const reverse_entry& e) { return now > e.timestamp + reverse_timeout; },
                          [](const hash16&) {});
    }
    void forget_interface(iface_id id) override {
        _reverse.erase_if([&](const hash16&, const reverse_entry& e) { return e.received_on == id || e.outbound == id; },
                          [](const hash16&) {});
    }
    [[nodiscard]] std::size_t dedup_size() const override { return _dedup.size(); }
    [[nodiscard]] std::size_t reverse_size() const override { return _reverse.size(); }
    [[nodiscard]] std::uint64_t reverse_evicted() const override { return _evicted; }

    static constexpr double reverse_timeout = 480.0; ///< spec §6.12

  private:
    dedup_filter _dedup;
    reverse_table _reverse;
    std::uint64_t _evicted = 0;
};

} // namespace rns::control
