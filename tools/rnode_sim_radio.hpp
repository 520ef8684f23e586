#pragma once
// One emulated RNode's firmware side (spec/rnode.md §1.4, §2, §6): the byte-wise command parser,
// stored settings and echoes, the radio lock, chip clamps, the transmit queue and READY, status
// reports. What happens on air is the channel's business (rnode_sim_channel.hpp).

#include "drivers/rnode_sidecar/airtime.hpp"
#include "router/rns/bytes.hpp"
#include "tools/rnode_sim_pty.hpp"

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace rnode_sim {

class simulator;

enum class chip { sx1262, sx1276 };

struct platform_info {
    std::uint8_t platform = 0x80; ///< §2.2 PLATFORM
    std::uint8_t mcu = 0x81;      ///< §2.2 MCU
    chip radio_chip = chip::sx1262;
    bool esp32_class = true;      ///< STAT_* reports, PHYPRM, boot frame (not AVR)
};

/// Faults a test can switch on per radio (control commands).
struct faults {
    std::optional<std::string> wrong_echo; ///< frequency|bandwidth|txpower|sf|cr: echo a different value
    bool silent = false;                   ///< answer nothing (Bluetooth-connected firmware, §1.1)
};

/// A battery-powered board (§2.4 STAT_BAT / STAT_TEMP every 5 s); none by default.
struct battery {
    std::uint8_t state = 0;   ///< 00 unknown, 01 discharging, 02 charging, 03 charged
    std::uint8_t percent = 0;
    int temperature_c = 25;
};

class radio {
  public:
    radio(simulator& sim, int index, std::string link, platform_info p, std::uint8_t fw_major, std::uint8_t fw_minor);

    // Host side ---------------------------------------------------------------------------------
    std::string plug();
    void unplug();
    [[nodiscard]] bool plugged() const noexcept { return _port.plugged(); }
    [[nodiscard]] int master_fd() const noexcept { return _port.master(); }
    [[nodiscard]] bool wants_write() const noexcept { return !_out.empty(); }
    void on_readable();
    void on_writable();
    /// Writes raw bytes to the host (garbage injection), bounded like every output.
    void write_raw(rns::byte_view b);
    void send_frame(std::uint8_t command, rns::byte_view payload);
    /// ESP32-class boot: forget all settings, radio off, `C0 55 F8 C0` (§2.5, §4.4).
    void reboot();

    // Radio side --------------------------------------------------------------------------------
    [[nodiscard]] bool radio_on() const noexcept { return _on; }
    [[nodiscard]] rnode::lora_params lora() const noexcept { return {_bw, _sf, _cr}; }
    [[nodiscard]] std::uint32_t frequency() const noexcept { return _freq; }
    [[nodiscard]] int index() const noexcept { return _index; }
    /// A packet heard on air (reassembled, §5.5): RSSI, SNR and DATA frames to the host (§4.5).
    void deliver(int rssi, int snr_q, rns::byte_view packet);
    /// Transmit queue (§4.2) access for the channel's CSMA.
    [[nodiscard]] std::deque<rns::bytes>& tx_queue() noexcept { return _queue; }
    void dequeued(std::size_t bytes) noexcept { _queued_bytes -= bytes; }
    /// Airtime accounting (§4.3): cost of a frame just sent, in ms (firmware formula).
    void add_airtime(double cost_ms);
    [[nodiscard]] bool airtime_locked() const;
    /// STAT_CHTM (§2.4); channel_busy_ms = others' time on air in the last 7.5 s.
    void send_channel_stats();
    [[nodiscard]] double short_airtime() const; ///< fraction
    [[nodiscard]] double long_airtime() const;  ///< fraction

    faults fault;
    std::optional<battery> power;
    void set_firmware(std::uint8_t major, std::uint8_t minor) noexcept {
        _fw_major = major;
        _fw_minor = minor;
    }
    nlohmann::json stats() const;
    std::map<std::string, std::uint64_t> counters;

  private:
    void on_byte(std::uint8_t b);
    void on_command_byte(std::uint8_t b);
    void on_multi_complete();
    void set_radio_state(std::uint8_t v);
    void start_radio();
    void schedule_chtm();
    void send_phyprm();
    void send_csma_if_changed();
    std::uint8_t csma_band() const;
    std::uint32_t chip_frequency(std::uint32_t f) const;
    std::uint32_t chip_bandwidth(std::uint32_t bw) const;
    std::uint8_t max_txpower() const;
    void echo_u32(std::uint8_t command, std::uint32_t v, const char* name);
    void echo_u8(std::uint8_t command, std::uint8_t v, const char* name);
    void set_modem_param(std::uint8_t command, std::uint8_t b, std::uint8_t lo, std::uint8_t hi,
                         std::uint8_t& field, const char* name);
    [[nodiscard]] bool locked() const;

    simulator& _sim;
    int _index;
    std::string _link;
    platform_info _plat;
    std::uint8_t _fw_major, _fw_minor;
    pty_port _port;
    rns::bytes _out;

    // §1.4 parser state
    bool _in_frame = false;
    bool _escape = false;
    std::int16_t _command = -1;
    std::array<std::uint8_t, 64> _cmdbuf{};
    std::size_t _cmdlen = 0;
    rns::bytes _data;

    // stored settings (§2.3); 0 / 0xFF = not set since boot
    std::uint32_t _freq = 0, _bw = 0;
    std::uint8_t _txp = 0xff, _sf = 0, _cr = 5;
    bool _on = false;
    float _st_limit = 0, _lt_limit = 0;
    std::uint8_t _implicit = 0, _promisc = 0;
    int _last_rssi = -292;
    std::uint64_t _boot_gen = 0;

    // §4.2 transmit queue
    std::deque<rns::bytes> _queue;
    std::size_t _queued_bytes = 0;

    // §4.3 airtime bins (7.5 s, 480 = 1 h) and channel load bins
    std::array<double, 480> _airtime_bins{};
    std::array<double, 480> _load_bins{};
    double _started_at_ms = 0;
    std::uint8_t _band = 1;
    std::uint64_t _chtm_ticks = 0;

    // what the host asked for and what was echoed (for the control socket's stats)
    std::map<std::string, std::uint64_t> _set_count;
    std::map<std::string, std::int64_t> _set_value;
    std::map<std::string, std::int64_t> _echo_value;
};

} // namespace rnode_sim
