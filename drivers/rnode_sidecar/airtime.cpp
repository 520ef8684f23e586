#include "drivers/rnode_sidecar/airtime.hpp"

#include <algorithm>
#include <cmath>

namespace rnode {

double reticulum_bitrate(const lora_params& p) noexcept {
    if (p.bandwidth_hz == 0 || p.spreading_factor == 0 || p.coding_rate == 0) {
        return 0.0;
    }
    // §5.2, written as the reference's expression: SF × (4/CR) / (2^SF / (BW/1000)) × 1000.
    const double sf = p.spreading_factor;
    return sf * (4.0 / p.coding_rate) / (std::pow(2.0, sf) / (p.bandwidth_hz / 1000.0)) * 1000.0;
}

phy_timing compute_phy_timing(const lora_params& p) noexcept {
    phy_timing t;
    if (p.bandwidth_hz == 0 || p.spreading_factor == 0) {
        return t;
    }
    const double two_sf = std::ldexp(1.0, p.spreading_factor);
    const double symbol_rate = p.bandwidth_hz / two_sf;
    t.symbol_time_ms = 1000.0 / symbol_rate;
    t.symbol_rate_baud = static_cast<std::uint32_t>(symbol_rate);
    t.bitrate = static_cast<std::uint32_t>(reticulum_bitrate(p));
    t.fast = t.bitrate > 30000;
    t.one_per_round = t.bitrate > 14000;
    const double target_ms = t.fast ? 6.0 : 24.0;
    t.preamble_symbols =
        std::max<std::uint32_t>(18, static_cast<std::uint32_t>(std::ceil(target_ms / t.symbol_time_ms)));
    t.preamble_ms = static_cast<std::uint32_t>(std::ceil(t.preamble_symbols * t.symbol_time_ms));
    std::uint32_t slot = std::min<std::uint32_t>(100, static_cast<std::uint32_t>(std::floor(12.0 * t.symbol_time_ms)));
    const std::uint32_t min_slot = t.fast ? 6 : 24;
    if (slot < min_slot) {
        slot = min_slot;
    }
    t.csma_slot_ms = slot;
    t.difs_ms = 2 * slot;
    // §5.3: integer arithmetic, floor(2^SF / floor(BW/1000)) > 16.
    const std::uint32_t bw_khz = p.bandwidth_hz / 1000;
    t.ldro = bw_khz != 0 && ((1u << p.spreading_factor) / bw_khz) > 16;
    return t;
}

double frame_time_on_air_ms(const lora_params& p, std::uint32_t frame_bytes) noexcept {
    const phy_timing t = compute_phy_timing(p);
    if (t.symbol_time_ms == 0 || p.coding_rate == 0) {
        return 0.0;
    }
    const int sf = p.spreading_factor;
    const int pl = static_cast<int>(frame_bytes);
    const int de = t.ldro ? 1 : 0;
    double symbols = 0;
    if (sf >= 7) {
        const int num = 8 * pl - 4 * sf + 28 + 16;
        const int den = 4 * (sf - 2 * de);
        const int payload_blocks = std::max(0, static_cast<int>(std::ceil(static_cast<double>(num) / den)));
        symbols = t.preamble_symbols + 4.25 + 8 + payload_blocks * p.coding_rate;
    } else {
        const int num = std::max(0, 8 * pl + 16 - 4 * sf + 20);
        const int payload_blocks = static_cast<int>(std::ceil(static_cast<double>(num) / (4 * sf)));
        symbols = t.preamble_symbols + 6.25 + 8 + payload_blocks * p.coding_rate;
    }
    return symbols * t.symbol_time_ms;
}

double frame_airtime_cost_ms(const lora_params& p, std::uint32_t frame_bytes) noexcept {
    const phy_timing t = compute_phy_timing(p);
    if (t.symbol_time_ms == 0 || p.coding_rate == 0) {
        return 0.0;
    }
    const double sf = p.spreading_factor;
    const double pl = frame_bytes;
    double symbols = 0;
    if (p.spreading_factor >= 7) {
        const double ldro = t.ldro ? 1.0 : 0.0;
        symbols = (8 * pl + 16 - 4 * sf + 8 + 20) / (4 * (sf - 2 * ldro)) * p.coding_rate +
                  t.preamble_symbols + 0.25 + 8;
    } else {
        symbols = (8 * pl + 16 - 4 * sf + 20) / (4 * sf) * p.coding_rate + t.preamble_symbols + 2.25 + 8;
    }
    return symbols * t.symbol_time_ms;
}

std::vector<std::uint32_t> split_frames(std::uint32_t packet_bytes) {
    // §5.5: a frame is header + up to 254 bytes; whenever a frame reaches 255 bytes the packet is
    // split, so 508 bytes give a third frame holding the header alone.
    std::vector<std::uint32_t> out;
    if (packet_bytes <= 254) {
        out.push_back(packet_bytes + 1);
        return out;
    }
    std::uint32_t left = packet_bytes;
    while (left >= 254) {
        out.push_back(255);
        left -= 254;
    }
    out.push_back(left + 1);
    return out;
}

double packet_time_on_air_ms(const lora_params& p, std::uint32_t packet_bytes) {
    double sum = 0;
    for (std::uint32_t f : split_frames(packet_bytes)) {
        sum += frame_time_on_air_ms(p, f);
    }
    return sum;
}

double packet_airtime_cost_ms(const lora_params& p, std::uint32_t packet_bytes) {
    double sum = 0;
    for (std::uint32_t f : split_frames(packet_bytes)) {
        sum += frame_airtime_cost_ms(p, f);
    }
    return sum;
}

} // namespace rnode
