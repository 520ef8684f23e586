#pragma once
// Test harness for rnode-sim + rnode-sidecar: child processes with bounded waits, the simulator's
// control socket, and small test "routers" built on the router side of the sidecar link.

#include "drivers/rnode_sidecar/link_server.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace rnode_test {

using clock = std::chrono::steady_clock;

/// A child process whose stdout and stderr go to a log file; killed (SIGTERM, then SIGKILL) when
/// destroyed.
class child {
  public:
    child(std::vector<std::string> argv, std::string log_path);
    ~child();
    child(const child&) = delete;
    child& operator=(const child&) = delete;
    /// Sends sig and waits up to timeout for the exit; returns the exit status (or -1).
    int stop(int sig, std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));
    [[nodiscard]] bool running();
    [[nodiscard]] std::string log() const;
    /// How many times text occurs in the log.
    [[nodiscard]] std::size_t count(const std::string& text) const;
    [[nodiscard]] pid_t pid() const noexcept { return _pid; }

  private:
    pid_t _pid = -1;
    std::string _log;
    std::optional<int> _status;
};

/// Runs a program to completion (bounded); returns exit code and combined output.
std::pair<int, std::string> run_to_end(std::vector<std::string> argv, std::chrono::milliseconds timeout);

/// One control-socket command to rnode-sim; returns the reply line ("" on failure).
std::string sim_command(const std::string& dir, const std::string& line);

/// A test router: a sidecar_link::server that records what arrives.
struct test_router {
    struct received {
        clock::time_point at;
        sidecar_link::packet_in packet;
    };
    explicit test_router(std::string path);
    void restart(); ///< destroys and re-creates the server (a router restart)
    void stop();    ///< destroys the server (router gone)
    std::string path;
    std::unique_ptr<sidecar_link::server> srv;
    std::optional<sidecar_link::hello> hello;
    std::optional<sidecar_link::server::conn_id> conn;
    std::uint64_t registrations = 0;
    std::vector<received> packets;
    std::map<sidecar_link::stat_key, std::int64_t> stats;
    std::uint64_t stats_messages = 0;
    bool send(const rns::bytes& p);
    [[nodiscard]] std::int64_t stat(sidecar_link::stat_key k) const;
    /// Packets received whose payload equals p.
    [[nodiscard]] std::vector<received> matching(const rns::bytes& p) const;
};

/// Polls every router until pred holds or timeout passes; returns pred().
bool wait_for(std::vector<test_router*> routers, const std::function<bool()>& pred, std::chrono::milliseconds timeout);

/// Paths of the binaries under test (RNODE_SIM, RNODE_SIDECAR in the environment).
std::string sim_binary();
std::string sidecar_binary();

/// A fresh temporary folder.
std::string temp_dir();

} // namespace rnode_test
