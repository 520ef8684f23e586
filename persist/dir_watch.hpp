#pragma once
// Internal: watches the state directory through the ring (statx every health_interval). When it
// is gone (or replaced by another directory) it recreates it and reports that every writer must
// write its whole state again.

#include "persist/engine.hpp"

#include <sys/stat.h>

#include <utility>

namespace persist {

/// Watches the state directory: when it disappears (or is replaced), recreates it and asks
/// every writer to write its whole state again.
class dir_watch final : public io_client {
  public:
    dir_watch(engine& e, std::uint64_t inode) : _e(e), _inode(inode), _adopt_inode(inode == 0) {}
    /// true once when the directory was recreated since the last call.
    bool take_recreated() noexcept { return std::exchange(_recreated, false); }
    void tick() {
        if (_step != step::none || _e.now < _next) {
            return;
        }
        _next = _e.now + _e.cfg.health_interval;
        _step = step::statx;
        _e.ring.prep_statx(*this, _e.dir.c_str(), &_stx);
    }
    [[nodiscard]] bool idle() const noexcept { return _step == step::none; }
    void on_complete(int res) noexcept override;

  private:
    enum class step : std::uint8_t { none, statx, mkdir };
    engine& _e;
    std::uint64_t _inode;
    struct statx _stx {};
    step _step = step::none;
    bool _recreated = false;
    bool _adopt_inode = false; ///< after mkdir: the next statx learns the new inode
    steady::time_point _next{};
};

} // namespace persist
