#pragma once
// One RNode, from opening its port to relaying packets (spec/rnode.md §3, §4, §8):
//   closed → (open) → settle 2 s → detect burst → configuration + radio on → validate → online.
// Any failure closes the port and retries the whole start-up after 5 s (§3.6, §8.7). Packets
// while offline are dropped and counted. Non-blocking; the owner polls fd() and calls tick().

#include "drivers/rnode_sidecar/airtime.hpp"
#include "drivers/rnode_sidecar/frames.hpp"
#include "drivers/rnode_sidecar/link_protocol.hpp"
#include "drivers/rnode_sidecar/options.hpp"
#include "drivers/rnode_sidecar/serial_port.hpp"

#include <chrono>
#include <deque>
#include <functional>
#include <optional>
#include <string>

namespace rnode {

/// What the device reported, and what the sidecar counted (reported to the router).
struct radio_counters {
    std::uint64_t rx_packets = 0, rx_bytes = 0, tx_packets = 0, tx_bytes = 0;
    int last_rssi = 0;
    int last_snr_q = 0;
    // STAT_CHTM (§2.4)
    std::uint16_t airtime_short = 0, airtime_long = 0, load_short = 0, load_long = 0;
    int noise_floor = 0, interference = 0;
    // STAT_PHYPRM
    std::uint16_t phy_symbol_us = 0, phy_preamble = 0, phy_slot = 0, phy_difs = 0;
    // STAT_CSMA, STAT_BAT, STAT_TEMP
    std::uint8_t csma_band = 0, csma_min = 0, csma_max = 0, battery_state = 0, battery_percent = 0;
    int temperature = 0;
    std::uint64_t radio_errors = 0, memory_low = 0, modem_timeout = 0;
    std::uint64_t startups = 0, startup_failures = 0;
    std::uint64_t drops_offline = 0, drops_oversize = 0, drops_queue_full = 0;
    std::uint64_t bad_frames = 0;
};

class radio_session {
  public:
    using clock = std::chrono::steady_clock;
    using packet_sink = std::function<void(int rssi, int snr_q, rns::byte_view packet)>;
    using log_sink = std::function<void(const std::string&)>;

    /// §3.6: the reference's reconnect back-off.
    static constexpr std::chrono::milliseconds reopen_backoff{5000};
    /// §3.2: boards that reset when the port opens need this long before the detect burst.
    static constexpr std::chrono::milliseconds settle_time{2000};
    /// §8.2: how long to wait for the detect replies and for the configuration echoes.
    static constexpr std::chrono::milliseconds reply_deadline{1000};
    /// §1.5: a DATA frame silent for this long is dropped.
    static constexpr std::chrono::milliseconds partial_frame_timeout{100};
    /// Flow control queue bound (§4.1 with --flow-control).
    static constexpr std::size_t max_queued = 64;

    radio_session(sidecar_options opt, packet_sink on_packet, log_sink log);

    [[nodiscard]] int fd() const noexcept { return _port.fd(); }
    [[nodiscard]] bool wants_write() const noexcept { return _port.has_pending(); }
    [[nodiscard]] bool online() const noexcept { return _state == state::online; }
    /// Runs timers; returns when it next needs to run.
    clock::time_point tick(clock::time_point now);
    void on_readable(clock::time_point now);
    void on_writable(clock::time_point now);
    void on_hangup(clock::time_point now);
    /// A packet from the router: written, queued (flow control) or dropped and counted.
    void send_packet(rns::byte_view packet, clock::time_point now);
    /// §8.9: display off (ESP32/nRF52), radio off, leave.
    void shutdown();

    [[nodiscard]] const radio_counters& counters() const noexcept { return _c; }
    [[nodiscard]] const frame_counters& frame_stats() const noexcept { return _reader.counters(); }
    /// §5.2 from the echoed settings (0 until validated).
    [[nodiscard]] double bitrate() const noexcept { return _bitrate; }
    [[nodiscard]] sidecar_link::stats stats_message(std::uint64_t drops_router_away) const;

  private:
    enum class state { closed, settling, detecting, configuring, online };
    struct echoes {
        std::optional<std::uint32_t> frequency, bandwidth;
        std::optional<std::uint8_t> txpower, sf, cr, radio_state;
        std::optional<std::uint16_t> st_alock, lt_alock;
        bool detected = false;
        std::optional<std::pair<std::uint8_t, std::uint8_t>> fw;
        std::optional<std::uint8_t> platform, mcu;
    };

    void try_open(clock::time_point now);
    void fail(const std::string& why, clock::time_point now);
    void send_detect(clock::time_point now);
    void send_configuration(clock::time_point now);
    void finish_detect(clock::time_point now);
    void validate(clock::time_point now);
    void on_frame(std::uint8_t command, rns::byte_view payload, clock::time_point now);
    void on_device_frame(std::uint8_t command, rns::byte_view payload, clock::time_point now);
    bool write_frame(std::uint8_t command, rns::byte_view payload);
    void pump_flow_control(clock::time_point now);
    bool write_packet(rns::byte_view packet, clock::time_point now);

    sidecar_options _opt;
    packet_sink _on_packet;
    log_sink _log;
    serial_port _port;
    frame_reader _reader;
    state _state = state::closed;
    clock::time_point _deadline{};
    clock::time_point _last_rx{};
    echoes _echo;
    std::string _last_open_error;
    double _bitrate = 0;
    std::optional<int> _pending_rssi, _pending_snr;
    // --flow-control: packets wait here until the device answers READY with 01 (§8.4).
    std::deque<rns::bytes> _queue;
    bool _fc_ready = true;
    bool _fc_query_outstanding = false;
    clock::time_point _fc_requery{};
    // §4.6 ID beacon
    std::optional<clock::time_point> _beacon_due;
    radio_counters _c;
};

} // namespace rnode
