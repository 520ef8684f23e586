#pragma once
// rnode-sim's event loop: timers on the steady clock plus poll() over descriptors. Single
// threaded; nothing busy-waits (poll sleeps until the next timer or descriptor event).

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <vector>

namespace rnode_sim {

using clock = std::chrono::steady_clock;
using ms = std::chrono::duration<double, std::milli>;

class event_loop {
  public:
    using timer_id = std::uint64_t;
    timer_id at(clock::time_point when, std::function<void()> fn) {
        const timer_id id = _next_id++;
        _timers.emplace(std::make_pair(when, id), std::move(fn));
        return id;
    }
    timer_id after(ms delay, std::function<void()> fn) {
        return at(clock::now() + std::chrono::duration_cast<clock::duration>(delay), std::move(fn));
    }
    /// Runs due timers; returns milliseconds until the next one (-1: none).
    int run_due() {
        for (;;) {
            if (_timers.empty()) {
                return -1;
            }
            auto it = _timers.begin();
            const auto now = clock::now();
            if (it->first.first > now) {
                const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(it->first.first - now).count();
                return static_cast<int>(wait + 1);
            }
            auto fn = std::move(it->second);
            _timers.erase(it);
            fn();
        }
    }

  private:
    std::map<std::pair<clock::time_point, timer_id>, std::function<void()>> _timers;
    timer_id _next_id = 1;
};

} // namespace rnode_sim
