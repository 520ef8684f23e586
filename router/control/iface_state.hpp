#pragma once
// Per-interface control state: config, announce cap and queue (spec §6.8), ingress control with
// held announces (spec §6.6.1) and the path-request frequency used to gate recursive discovery.

#include "router/control/hash_key.hpp"
#include "router/control/types.hpp"
#include "router/rns/bytes.hpp"

#include <cstdint>
#include <deque>
#include <unordered_map>
#include <vector>

namespace rns::control {

/// spec §1.3 interface-level constants (Interfaces/Interface.py).
namespace ic {
inline constexpr double new_time = 7200.0;          ///< IC_NEW_TIME
inline constexpr double burst_freq_new = 3.0;       ///< IC_BURST_FREQ_NEW (Hz)
inline constexpr double burst_freq = 10.0;          ///< IC_BURST_FREQ
inline constexpr double pr_burst_freq_new = 3.0;    ///< IC_PR_BURST_FREQ_NEW
inline constexpr double pr_burst_freq = 8.0;        ///< IC_PR_BURST_FREQ
inline constexpr double burst_hold = 15.0;          ///< IC_BURST_HOLD
inline constexpr double burst_penalty = 15.0;       ///< IC_BURST_PENALTY
inline constexpr double held_release_interval = 5.0; ///< IC_HELD_RELEASE_INTERVAL
inline constexpr std::size_t deque_min_sample = 2;  ///< IC_DEQUE_MIN_SAMPLE
inline constexpr std::size_t max_held = 256;        ///< MAX_HELD_ANNOUNCES
inline constexpr std::size_t freq_samples = 48;     ///< frequency deque length
inline constexpr double freq_decay = 10.0;          ///< AR_FREQ_DECAY = PR_FREQ_DECAY
} // namespace ic

/// A frequency estimator over the last 48 event times (spec §6.6.1).
class frequency_meter {
  public:
    void record(double now);
    /// n <= 2 samples → 0; else n / (now − oldest), dropping the oldest sample (one per call)
    /// once it is more than 10 s old. The rate uses the sample count and span before that drop.
    [[nodiscard]] double frequency(double now);
    [[nodiscard]] std::size_t samples() const noexcept { return _times.size(); }

  private:
    std::deque<double> _times;
};

struct queued_announce {
    hash16 destination{};
    double time = 0;
    std::uint8_t hops = 0;
    std::uint64_t emitted = 0;
    bytes raw;
};

struct held_announce {
    bytes raw; ///< as received, hop byte not incremented (re-injected through inbound)
    std::uint8_t hops = 0;
};

struct iface_state {
    iface_config cfg;
    bool active = true;
    double created = 0;
    double removed = 0; ///< when remove_interface was called (inactive interfaces)

    // spec §6.8 announce cap
    double announce_allowed_at = 0;
    std::vector<queued_announce> announce_queue;

    // spec §6.6.1 ingress control
    frequency_meter announce_freq;
    bool burst_active = false;
    double burst_activated = 0;
    double held_release = 0;
    std::unordered_map<hash16, held_announce, array_hash> held;

    frequency_meter pr_freq;
    bool pr_burst_active = false;
    double pr_burst_activated = 0;

    [[nodiscard]] bool is_new(double now) const noexcept { return now - created < ic::new_time; }
    /// Interface.should_ingress_limit (spec §6.6.1).
    [[nodiscard]] bool should_ingress_limit(double now);
    /// Interface.should_ingress_limit_pr (spec §6.6.1, no minimum-sample condition).
    [[nodiscard]] bool should_ingress_limit_pr(double now);
};

} // namespace rns::control
