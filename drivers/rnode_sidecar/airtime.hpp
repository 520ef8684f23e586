#pragma once
// LoRa figures an RNode host and emulator both need (spec/rnode.md §5): Reticulum's interface
// bitrate (§5.2), the firmware's PHY timing (§5.3), time on air by the standard Semtech formula
// and by the firmware's accounting formula (§5.4), and the on-air split of a packet (§5.5).

#include <cstdint>
#include <vector>

namespace rnode {

struct lora_params {
    std::uint32_t bandwidth_hz = 0;
    std::uint8_t spreading_factor = 0; ///< 5..12
    std::uint8_t coding_rate = 0;      ///< denominator 5..8 (4/5..4/8)
};

/// §5.2: SF · (4/CR) · BW / 2^SF bit/s (0 when a value is missing).
[[nodiscard]] double reticulum_bitrate(const lora_params& p) noexcept;

/// §5.3: the firmware's derived timing for one setting.
struct phy_timing {
    double symbol_time_ms = 0;          ///< T_sym
    std::uint32_t symbol_rate_baud = 0; ///< BW / 2^SF, truncated
    std::uint32_t bitrate = 0;          ///< §5.2 truncated to an integer
    bool fast = false;                  ///< bitrate > 30 kbps
    bool one_per_round = false;         ///< guard or limit: bitrate > 14 kbps (§4.2 step 4)
    std::uint32_t preamble_symbols = 0; ///< N_pre
    std::uint32_t preamble_ms = 0;
    std::uint32_t csma_slot_ms = 0;
    std::uint32_t difs_ms = 0;
    bool ldro = false;                  ///< low-data-rate optimisation (SX126x/SX127x rule)
};
[[nodiscard]] phy_timing compute_phy_timing(const lora_params& p) noexcept;

/// §5.4 standard formula (SX126x preamble semantics): how long one LoRa frame of frame_bytes
/// (header byte included) occupies the channel, in milliseconds.
[[nodiscard]] double frame_time_on_air_ms(const lora_params& p, std::uint32_t frame_bytes) noexcept;
/// §5.4 firmware accounting formula (what STAT_CHTM and the airtime lock use), in milliseconds.
[[nodiscard]] double frame_airtime_cost_ms(const lora_params& p, std::uint32_t frame_bytes) noexcept;

/// §5.5: the LoRa frame sizes (header byte included) one packet of n bytes goes out as.
[[nodiscard]] std::vector<std::uint32_t> split_frames(std::uint32_t packet_bytes);

/// Sum over the packet's frames, standard formula / firmware formula.
[[nodiscard]] double packet_time_on_air_ms(const lora_params& p, std::uint32_t packet_bytes);
[[nodiscard]] double packet_airtime_cost_ms(const lora_params& p, std::uint32_t packet_bytes);

} // namespace rnode
