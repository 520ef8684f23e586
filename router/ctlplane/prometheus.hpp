#pragma once
// `--prometheus ADDR:PORT`: an HTTP listener that serves GET /metrics in the Prometheus text
// exposition format (version 0.0.4) from its own thread (a DPDK control thread). It reads only what telemetry publishes
// (telemetry_metrics(), persistence_values(): copies taken under their snapshot mutexes), so it
// never touches the fast path nor the control plane's state. Names are rnsrouter_<figure>; counters
// end in _total; labels name the interface, node, reason.
//
// One request at a time, each bounded (2 s to send its request line, 8 KiB of headers); a scrape
// every few seconds is the expected load.

#include <pthread.h>

#include <cstdint>
#include <string>

namespace rns::ctlplane {

/// The exposition text of the current figures (what GET /metrics answers).
[[nodiscard]] std::string prometheus_text();

class prometheus_server {
  public:
    /// Listens on addr:port (IPv4 dotted quad or IPv6, without brackets) and starts the thread.
    /// Throws std::runtime_error naming the address when it cannot listen there.
    prometheus_server(const std::string& addr, std::uint16_t port);
    /// Stops the thread and closes the socket.
    ~prometheus_server();
    prometheus_server(const prometheus_server&) = delete;
    prometheus_server& operator=(const prometheus_server&) = delete;

  private:
    void run();
    void serve(int fd);

    int _listen = -1;
    int _wake[2] = {-1, -1}; ///< pipe: the destructor writes to end the thread's poll
    pthread_t _thread{};
};

} // namespace rns::ctlplane
