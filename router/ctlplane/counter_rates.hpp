#pragma once
// Per-second rates of a set of counters over a sliding window, from the samples the telemetry
// publisher takes (control thread only). Readers get the rate between the oldest sample still in
// the window and the newest, so a rate needs two samples at least a second apart; until then, and
// after the set of counters changed size (an interface was added), the rates are 0.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

namespace rns::ctlplane {

class counter_rates {
  public:
    explicit counter_rates(double window_s = 10.0) : _window(window_s) {}

    /// Adds a sample of the counters (same order every time) taken at `now` (seconds); returns
    /// each counter's increase per second over the window.
    std::vector<double> update(double now, std::vector<std::uint64_t> values) {
        if (!_samples.empty() && _samples.back().second.size() != values.size()) {
            _samples.clear();
        }
        _samples.emplace_back(now, std::move(values));
        while (_samples.size() > 2 && now - _samples[1].first >= _window) {
            _samples.pop_front();
        }
        const auto& [t0, v0] = _samples.front();
        const auto& [t1, v1] = _samples.back();
        std::vector<double> out(v1.size(), 0.0);
        if (t1 - t0 >= 1.0) {
            for (std::size_t i = 0; i < v1.size(); ++i) {
                // A counter never goes back; if one did (a removed interface's id reused), 0.
                out[i] = v1[i] >= v0[i] ? static_cast<double>(v1[i] - v0[i]) / (t1 - t0) : 0.0;
            }
        }
        return out;
    }

  private:
    double _window;
    std::deque<std::pair<double, std::vector<std::uint64_t>>> _samples;
};

} // namespace rns::ctlplane
