#pragma once
// The io thread: owns an engine and runs its loop on a std::thread until stopped. The engine is
// built on the caller's thread, so configuration and kernel errors surface as exceptions from the
// constructor; then only the io thread touches it (the stats are readable from anywhere).

#include "drivers/io/engine.hpp"

#include <atomic>
#include <memory>
#include <thread>

namespace rns::io {

class io_thread {
  public:
    io_thread(io_config cfg, packet_seam& seam, const char* name = "rns-io");
    ~io_thread();
    io_thread(const io_thread&) = delete;
    io_thread& operator=(const io_thread&) = delete;

    /// Stops the loop, closes every socket and joins (idempotent).
    void stop() noexcept;
    [[nodiscard]] const engine& eng() const noexcept { return *_engine; }
    /// Any thread: see engine::confirm.
    void confirm(std::uint16_t iface, std::uint32_t serial) noexcept { _engine->confirm(iface, serial); }

  private:
    std::unique_ptr<engine> _engine;
    std::atomic<bool> _stop{false};
    std::thread _thread;
};

} // namespace rns::io
