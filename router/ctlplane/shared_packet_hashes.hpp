#pragma once
// The control plane's view of the packet-hash table it shares with the workers: the transport's
// duplicate filter and reverse entries (router/control/packet_hashes.hpp) are the very entries
// the fast path reads and writes, so nothing is mirrored and no worker reports a packet back.
// Control-plane thread only (it writes with its own counter line, `who`).

#include "router/control/packet_hashes.hpp"
#include "router/datapath/packet_hash_table.hpp"

#include <cmath>

namespace rns::ctlplane {

class shared_packet_hashes final : public control::packet_hashes {
  public:
    shared_packet_hashes(datapath::packet_hash_table& t, unsigned who) : _t(t), _who(who) {}

    /// The router's clock in whole seconds, as the workers see it.
    [[nodiscard]] static std::uint32_t second_of(double now) noexcept {
        return now <= 0 ? 1U : static_cast<std::uint32_t>(std::floor(now));
    }

    [[nodiscard]] bool contains(const hash32& h) const override { return _t.contains(h.data()); }
    void add(const hash32& h, double now) override { (void)_t.insert(h.data(), second_of(now), _who); }
    void set_reverse(const hash32& h, const control::reverse_entry& e) override {
        _t.set_reverse(h.data(), e.received_on, e.outbound, second_of(e.timestamp), _who);
    }
    [[nodiscard]] std::optional<control::reverse_entry> take_reverse(const hash16& key, double now) override {
        return entry_of(_t.take_reverse(key.data(), second_of(now), _who));
    }
    [[nodiscard]] std::optional<control::reverse_entry> find_reverse(const hash16& key, double now) const override {
        return entry_of(_t.find_reverse(key.data(), second_of(now)));
    }
    bool maybe_rotate() override { return _t.maybe_rotate(); }
    /// Expired reverse entries are refused on read (older than 480 s) and their slots reused:
    /// nothing to scan.
    void cull(double /*now*/) override {}
    void forget_interface(control::iface_id id) override { _t.forget_interface(id); }
    /// Hashes inserted since the previous generation started (the two generations checked).
    [[nodiscard]] std::size_t dedup_size() const override { return _t.remembered_size(); }
    /// Reverse entries written and not yet used by a proof or evicted (those that aged out
    /// unused are included: the table does not scan for them).
    [[nodiscard]] std::size_t reverse_size() const override {
        using c = datapath::packet_hash_table::writer_counters;
        const std::uint64_t out = _t.sum(&c::reverse_taken) + _t.sum(&c::evicted_reverse);
        const std::uint64_t in = _t.sum(&c::reverse_written);
        return in > out ? static_cast<std::size_t>(in - out) : 0;
    }
    [[nodiscard]] std::uint64_t reverse_evicted() const override {
        return _t.sum(&datapath::packet_hash_table::writer_counters::evicted_reverse);
    }

  private:
    static std::optional<control::reverse_entry> entry_of(const std::optional<datapath::reverse_hop>& r) {
        if (!r) {
            return std::nullopt;
        }
        return control::reverse_entry{r->received_on, r->outbound, static_cast<double>(r->time)};
    }

    datapath::packet_hash_table& _t;
    unsigned _who;
};

} // namespace rns::ctlplane
