#pragma once
// One emulated USB serial port (spec/rnode.md §6.4): a pseudo-terminal pair in raw mode whose
// slave path is published through a stable symlink. The emulator keeps its own slave descriptor
// open so the master sees no hang-up while the host closes and re-opens the port.

#include <string>

namespace rnode_sim {

class pty_port {
  public:
    pty_port() = default;
    ~pty_port() { unplug(); }
    pty_port(const pty_port&) = delete;
    pty_port& operator=(const pty_port&) = delete;

    /// Creates a new pair and points link at its slave; returns an error text or "".
    std::string plug(const std::string& link);
    /// Closes both ends: the host's next read fails with EIO (§6.4).
    void unplug() noexcept;
    [[nodiscard]] int master() const noexcept { return _master; }
    [[nodiscard]] bool plugged() const noexcept { return _master >= 0; }
    [[nodiscard]] const std::string& slave_path() const noexcept { return _slave_path; }

  private:
    int _master = -1;
    int _slave = -1;
    std::string _slave_path;
};

} // namespace rnode_sim
