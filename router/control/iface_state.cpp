#include "router/control/iface_state.hpp"

namespace rns::control {

void frequency_meter::record(double now) {
    _times.push_back(now);
    while (_times.size() > ic::freq_samples) {
        _times.pop_front();
    }
}

double frequency_meter::frequency(double now) {
    const std::size_t n = _times.size();
    if (n <= ic::deque_min_sample) {
        return 0.0;
    }
    const double span = now - _times.front();
    if (span > ic::freq_decay) {
        _times.pop_front();
    }
    if (span <= 0.0) {
        // All samples at this very instant: treat as an unbounded burst.
        return static_cast<double>(n) * 1e9;
    }
    return static_cast<double>(n) / span;
}

bool iface_state::should_ingress_limit(double now) {
    if (!cfg.ingress_control) {
        return false;
    }
    const double freq = announce_freq.frequency(now);
    const double threshold = is_new(now) ? ic::burst_freq_new : ic::burst_freq;
    if (burst_active) {
        if (freq < threshold && now > burst_activated + ic::burst_hold &&
            announce_freq.samples() >= ic::deque_min_sample) {
            burst_active = false;
        }
        // The call that ends a burst still limits (spec §6.6.1).
        return true;
    }
    if (freq > threshold) {
        burst_active = true;
        burst_activated = now;
        held_release = now + ic::burst_penalty;
        return true;
    }
    return false;
}

bool iface_state::should_ingress_limit_pr(double now) {
    if (!cfg.ingress_control) {
        return false;
    }
    const double freq = pr_freq.frequency(now);
    const double threshold = is_new(now) ? ic::pr_burst_freq_new : ic::pr_burst_freq;
    if (pr_burst_active) {
        if (freq < threshold && now > pr_burst_activated + ic::burst_hold) {
            pr_burst_active = false;
        }
        return true;
    }
    if (freq > threshold) {
        pr_burst_active = true;
        pr_burst_activated = now;
        return true;
    }
    return false;
}

} // namespace rns::control
