#pragma once
// rnode-sim: N emulated RNodes on pseudo-terminals sharing one simulated LoRa channel
// (spec/rnode.md §6). The simulator owns the event loop, the radios and the channel model.

#include "tools/rnode_sim_loop.hpp"
#include "tools/rnode_sim_radio.hpp"

#include <deque>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace rnode_sim {

/// One LoRa frame on air (§5.5: header byte + up to 254 bytes).
struct on_air {
    int sender = 0;
    std::uint32_t frequency = 0;
    rnode::lora_params lora;
    double start_ms = 0, end_ms = 0;
    rns::bytes frame; ///< header byte first
};

struct sim_options {
    int radios = 2;
    std::string dir;
    std::uint64_t seed = 1;
    double loss = 0.0;
    std::uint8_t fw_major = 1, fw_minor = 86;
    std::string platform = "esp32";
};

class simulator {
  public:
    explicit simulator(sim_options o);
    ~simulator();
    int run(); ///< until SIGINT/SIGTERM

    event_loop loop;
    std::mt19937_64 rng;
    [[nodiscard]] double now_ms() const;
    [[nodiscard]] const sim_options& options() const noexcept { return _opt; }

    // Channel model (rnode_sim_channel.cpp) -----------------------------------------------------
    /// The radio has something queued: run CSMA (§4.3) and transmit when allowed.
    void request_tx(radio& r);
    /// Carrier sense at r: another radio's frame on r's frequency/bandwidth/SF is on air.
    [[nodiscard]] bool carrier_busy(const radio& r) const;
    /// Others' time on air at r's channel within the last window_ms (channel load, §4.3).
    [[nodiscard]] double busy_ms(const radio& r, double window_ms) const;
    /// The radio was switched off, unplugged or rebooted: abandon its CSMA and split state.
    void radio_reset(radio& r);
    /// Synthesised link budget between two radios (deterministic from the seed).
    [[nodiscard]] int link_rssi(int a, int b) const;
    [[nodiscard]] nlohmann::json channel_stats() const;

    // Control socket (rnode_sim_control.cpp) ----------------------------------------------------
    std::string control_command(const std::string& line);

  private:
    struct radio_air {
        bool contending = false;       ///< a CSMA attempt is scheduled
        bool transmitting = false;
        std::uint64_t gen = 0;         ///< bumps on reset, cancels stale timers
        double wait_started_ms = 0;
        int backoff_slots = -1;        ///< -1: not drawn yet
        std::deque<rns::bytes> frames; ///< LoRa frames of the packets being sent back to back
        // §5.5 reassembly at this receiver
        bool split_pending = false;
        std::uint8_t split_seq = 0;
        rns::bytes split_data;
    };
    void csma_attempt(int idx, std::uint64_t gen);
    void start_frames(int idx);
    void next_frame(int idx, std::uint64_t gen);
    void frame_done(const on_air& f);
    void receive_frame(int idx, const on_air& f, int rssi);
    void accept_control();
    void read_control(int fd);

    sim_options _opt;
    std::vector<std::unique_ptr<radio>> _radios;
    std::vector<radio_air> _air;
    std::deque<on_air> _history; ///< frames of the last minute (collisions, channel load)
    clock::time_point _t0;
    int _control_fd = -1;
    std::string _control_path;
    std::map<int, std::string> _control_clients; ///< fd → partial line
    std::uint64_t _frames_sent = 0, _frames_delivered = 0, _collisions = 0, _losses = 0;

    friend class radio;
};

} // namespace rnode_sim
