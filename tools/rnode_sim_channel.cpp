// The shared LoRa channel (spec/rnode.md §6.2 "Shared channel model", §4.2–§4.3, §5.4–§5.5):
// CSMA before sending, frames on air for their standard time on air, delivery to radios on the
// same frequency, bandwidth, spreading factor and coding rate, half-duplex, collisions with a
// 6 dB capture rule, optional random loss, and split-packet reassembly at each receiver.
//
// CSMA follows the intended algorithm of §4.3 (a fresh random back-off every round, frozen while
// the channel is busy), not the firmware quirk that mostly skips it (§9 item 2).
#include "drivers/rnode_sidecar/commands.hpp"
#include "tools/rnode_sim.hpp"

#include <algorithm>

namespace rnode_sim {

namespace {

bool same_channel(std::uint32_t fa, const rnode::lora_params& a, std::uint32_t fb, const rnode::lora_params& b) {
    return fa == fb && a.bandwidth_hz == b.bandwidth_hz && a.spreading_factor == b.spreading_factor;
}

bool overlaps(double s1, double e1, double s2, double e2) { return s1 < e2 && s2 < e1; }

} // namespace

double simulator::now_ms() const {
    return std::chrono::duration<double, std::milli>(clock::now() - _t0).count();
}

int simulator::link_rssi(int a, int b) const {
    // Synthesised path loss: deterministic per pair and seed, −60 … −99 dBm.
    const auto lo = static_cast<std::uint64_t>(std::min(a, b)), hi = static_cast<std::uint64_t>(std::max(a, b));
    std::uint64_t z = _opt.seed + lo * 0x9e3779b97f4a7c15ULL + hi * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return -60 - static_cast<int>(z % 40);
}

bool simulator::carrier_busy(const radio& r) const {
    const double now = now_ms();
    for (const on_air& f : _history) {
        if (f.sender != r.index() && f.start_ms <= now && now < f.end_ms &&
            same_channel(f.frequency, f.lora, r.frequency(), r.lora())) {
            return true;
        }
    }
    return false;
}

double simulator::busy_ms(const radio& r, double window_ms) const {
    const double now = now_ms(), from = now - window_ms;
    double sum = 0;
    for (const on_air& f : _history) {
        if (f.sender != r.index() && same_channel(f.frequency, f.lora, r.frequency(), r.lora())) {
            sum += std::max(0.0, std::min(now, f.end_ms) - std::max(from, f.start_ms));
        }
    }
    return sum;
}

void simulator::radio_reset(radio& r) {
    radio_air& a = _air[static_cast<std::size_t>(r.index())];
    ++a.gen;
    a.contending = false;
    a.transmitting = false;
    a.backoff_slots = -1;
    a.frames.clear();
    a.split_pending = false;
    a.split_data.clear();
}

void simulator::request_tx(radio& r) {
    radio_air& a = _air[static_cast<std::size_t>(r.index())];
    if (!r.radio_on() || a.contending || a.transmitting || r.tx_queue().empty()) {
        return;
    }
    const rnode::phy_timing t = rnode::compute_phy_timing(r.lora());
    if (a.backoff_slots < 0) {
        // §4.3 contention window: band b draws k from [(b−1)·15, b·15 − 1); band 1 at boot 0..14.
        const double pct = r.short_airtime() * 100.0;
        const int band = pct <= 7 ? 1 : pct <= 38 ? 2 : pct <= 77 ? 3 : 4;
        const int lo = (band - 1) * 15, hi = band == 1 ? 15 : band * 15 - 1;
        a.backoff_slots = lo + static_cast<int>(rng() % static_cast<std::uint64_t>(hi - lo));
    }
    a.contending = true;
    a.wait_started_ms = now_ms();
    const double wait = t.difs_ms + static_cast<double>(a.backoff_slots) * t.csma_slot_ms;
    const int idx = r.index();
    const std::uint64_t gen = a.gen;
    loop.after(ms(wait), [this, idx, gen] { csma_attempt(idx, gen); });
}

void simulator::csma_attempt(int idx, std::uint64_t gen) {
    radio_air& a = _air[static_cast<std::size_t>(idx)];
    radio& r = *_radios[static_cast<std::size_t>(idx)];
    if (gen != a.gen || !a.contending) {
        return;
    }
    if (!r.radio_on() || r.tx_queue().empty()) {
        a.contending = false;
        return;
    }
    if (r.airtime_locked()) {
        // §4.3 airtime lock: nothing is sent; look again shortly.
        loop.after(ms(250), [this, idx, gen] { csma_attempt(idx, gen); });
        return;
    }
    // Busy at any time since the wait began (DIFS or contention): wait for the channel to clear
    // and start again, keeping the drawn back-off (frozen, not redrawn).
    const double now = now_ms();
    double busy_until = -1;
    for (const on_air& f : _history) {
        if (f.sender != idx && same_channel(f.frequency, f.lora, r.frequency(), r.lora()) &&
            overlaps(f.start_ms, f.end_ms, a.wait_started_ms, now)) {
            busy_until = std::max(busy_until, f.end_ms);
        }
    }
    if (busy_until >= 0) {
        const rnode::phy_timing t = rnode::compute_phy_timing(r.lora());
        a.wait_started_ms = std::max(now, busy_until);
        const double wait = (a.wait_started_ms - now) + t.difs_ms + static_cast<double>(a.backoff_slots) * t.csma_slot_ms;
        ++r.counters["csma_deferrals"];
        loop.after(ms(wait), [this, idx, gen] { csma_attempt(idx, gen); });
        return;
    }
    a.contending = false;
    a.backoff_slots = -1;
    start_frames(idx);
}

void simulator::start_frames(int idx) {
    radio_air& a = _air[static_cast<std::size_t>(idx)];
    radio& r = *_radios[static_cast<std::size_t>(idx)];
    // §4.2 step 4: at ≤ 14 kbps the whole queue goes back to back, above it one packet per round.
    const bool one = rnode::compute_phy_timing(r.lora()).one_per_round;
    auto& q = r.tx_queue();
    while (!q.empty()) {
        rns::bytes p = std::move(q.front());
        q.pop_front();
        r.dequeued(p.size());
        if (p.empty() || p.size() > rnode::cmd::hw_mtu) {
            ++r.counters["tx_discarded"]; // §1.6: accepted into the queue, dropped at transmit time
        } else {
            // §5.5: header byte, random sequence nibble, low bit = split.
            const bool split = p.size() > 254;
            const auto header = static_cast<std::uint8_t>(((rng() & 0x0f) << 4) | (split ? 1 : 0));
            std::size_t off = 0;
            for (std::uint32_t fb : rnode::split_frames(static_cast<std::uint32_t>(p.size()))) {
                rns::bytes frame{header};
                frame.insert(frame.end(), p.begin() + static_cast<std::ptrdiff_t>(off),
                             p.begin() + static_cast<std::ptrdiff_t>(off + fb - 1));
                off += fb - 1;
                a.frames.push_back(std::move(frame));
            }
            ++r.counters["tx_packets"];
            r.counters["tx_bytes"] += p.size();
        }
        if (one) {
            break;
        }
    }
    a.transmitting = true;
    next_frame(idx, a.gen);
}

void simulator::next_frame(int idx, std::uint64_t gen) {
    radio_air& a = _air[static_cast<std::size_t>(idx)];
    radio& r = *_radios[static_cast<std::size_t>(idx)];
    if (gen != a.gen) {
        return;
    }
    if (a.frames.empty()) {
        a.transmitting = false;
        r.send_channel_stats(); // §4.2 step 6
        request_tx(r);
        return;
    }
    on_air f;
    f.sender = idx;
    f.frequency = r.frequency();
    f.lora = r.lora();
    f.frame = std::move(a.frames.front());
    a.frames.pop_front();
    f.start_ms = now_ms();
    const auto len = static_cast<std::uint32_t>(f.frame.size());
    f.end_ms = f.start_ms + rnode::frame_time_on_air_ms(f.lora, len); // §5.4 standard formula
    r.add_airtime(rnode::frame_airtime_cost_ms(f.lora, len));        // §5.4 firmware accounting
    _history.push_back(f);
    ++_frames_sent;
    loop.at(_t0 + std::chrono::duration_cast<clock::duration>(ms(f.end_ms)), [this, f, idx, gen] {
        frame_done(f);
        next_frame(idx, gen);
    });
}

void simulator::frame_done(const on_air& f) {
    const double now = now_ms();
    while (!_history.empty() && _history.front().end_ms < now - 60000.0) {
        _history.pop_front();
    }
    for (std::size_t j = 0; j < _radios.size(); ++j) {
        radio& r = *_radios[j];
        const int idx = static_cast<int>(j);
        if (idx == f.sender || !r.radio_on() || !same_channel(f.frequency, f.lora, r.frequency(), r.lora()) ||
            r.lora().coding_rate != f.lora.coding_rate) {
            continue;
        }
        const int rssi = link_rssi(f.sender, idx);
        bool lost = false;
        for (const on_air& o : _history) {
            if (!overlaps(o.start_ms, o.end_ms, f.start_ms, f.end_ms) || (o.sender == f.sender && o.start_ms == f.start_ms)) {
                continue;
            }
            if (o.sender == idx) {
                lost = true; // half-duplex: the receiver was transmitting
                ++r.counters["rx_lost_own_tx"];
                break;
            }
            if (o.sender != f.sender && same_channel(o.frequency, o.lora, f.frequency, f.lora) &&
                link_rssi(o.sender, idx) > rssi - 6) {
                lost = true; // collision, not captured (≥ 6 dB stronger wins)
                ++r.counters["rx_collisions"];
                ++_collisions;
                break;
            }
        }
        if (!lost && _opt.loss > 0 && std::uniform_real_distribution<double>(0, 1)(rng) < _opt.loss) {
            lost = true;
            ++r.counters["rx_lost_random"];
            ++_losses;
        }
        if (!lost) {
            receive_frame(idx, f, rssi);
        }
    }
}

void simulator::receive_frame(int idx, const on_air& f, int rssi) {
    radio_air& a = _air[static_cast<std::size_t>(idx)];
    radio& r = *_radios[static_cast<std::size_t>(idx)];
    ++_frames_delivered;
    // SNR from the link budget against a −112 dBm noise floor, capped like a real chip's report.
    const int snr_db = std::clamp(rssi + 102, -20, 12);
    const int snr_q = snr_db * 4;
    const std::uint8_t header = f.frame[0];
    rns::byte_view data(f.frame.data() + 1, f.frame.size() - 1);
    // §5.5 receiver.
    if ((header & 0x01) == 0) {
        a.split_pending = false;
        a.split_data.clear();
        r.deliver(rssi, snr_q, data);
        return;
    }
    const auto seq = static_cast<std::uint8_t>(header & 0xf0);
    if (a.split_pending && a.split_seq == seq) {
        a.split_data.insert(a.split_data.end(), data.begin(), data.end());
        a.split_pending = false;
        r.deliver(rssi, snr_q, a.split_data);
        a.split_data.clear();
        return;
    }
    a.split_pending = true;
    a.split_seq = seq;
    a.split_data.assign(data.begin(), data.end());
}

nlohmann::json simulator::channel_stats() const {
    return {{"frames_sent", _frames_sent}, {"frames_delivered", _frames_delivered}, {"collisions", _collisions},
            {"random_losses", _losses}};
}

} // namespace rnode_sim
