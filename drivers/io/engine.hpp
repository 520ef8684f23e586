#pragma once
// The io thread's engine: every kernel socket of the router (TCP listeners and the connections
// they spawn, TCP clients, UDP sockets) as direct descriptors in one registered file table, driven
// by one io_uring with multishot accept and receive over a shared provided-buffer ring. Each call
// of poll() is one loop iteration: take outgoing packets from the seam, run timers, one
// io_uring_enter (submit everything queued, wait briefly only when idle), dispatch completions.
//
// Slot layout of the registered table (size io_config::max_connections):
//   [0, L)           TCP listeners      (explicit slots)
//   [L, L+C)         TCP clients        (explicit slots, reused on reconnect)
//   [L+C, L+C+U)     UDP sockets        (explicit slots)
//   [L+C+U, max)     accepted connections: the kernel allocates them (IORING_FILE_INDEX_ALLOC);
//                    when none is free the accept fails (counted) and the peer is closed.

#include "drivers/io/buf_ring.hpp"
#include "drivers/io/config.hpp"
#include "drivers/io/flap_guard.hpp"
#include "drivers/io/out_queue.hpp"
#include "drivers/io/ring.hpp"
#include "drivers/io/seam.hpp"
#include "drivers/io/stats.hpp"
#include "router/rns/hdlc.hpp"

#include <atomic>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace rns::io {

class engine {
  public:
    /// Creates every configured socket (synchronously, through the ring) and arms them.
    /// Throws std::runtime_error with a clear message (kernel support, bind failure, sizes).
    engine(io_config cfg, packet_seam& seam);
    ~engine();
    engine(const engine&) = delete;
    engine& operator=(const engine&) = delete;

    /// One loop iteration. may_sleep: wait up to idle_wait_us in io_uring_enter when there is
    /// nothing to do. Returns the number of completions and packets handled.
    unsigned poll(bool may_sleep = true) noexcept;
    /// Closes every socket (down events with reason shutdown) and waits (bounded) for the kernel.
    void shutdown() noexcept;

    /// Any thread: the router has registered the interface of up event (iface, serial); receiving
    /// on it starts (io_config::confirm_up).
    void confirm(std::uint16_t iface, std::uint32_t serial) noexcept {
        if (iface < _iface_ids) {
            _confirmed[iface].store(serial, std::memory_order_release);
        }
    }

    [[nodiscard]] const io_config& config() const noexcept { return _cfg; }
    [[nodiscard]] const loop_stats& stats() const noexcept { return _stats; }
    [[nodiscard]] const iface_stats& listener_stats(std::size_t i) const noexcept { return _iface_stats[i]; }
    [[nodiscard]] const iface_stats& client_stats(std::size_t i) const noexcept {
        return _iface_stats[_cfg.listeners.size() + i];
    }
    [[nodiscard]] const iface_stats& udp_stats(std::size_t i) const noexcept {
        return _iface_stats[_cfg.listeners.size() + _cfg.clients.size() + i];
    }
    [[nodiscard]] const conn_stats& connection_stats(std::uint16_t iface) const noexcept { return _conn_stats[iface]; }
    /// Live accepted connections on listener i (any thread).
    [[nodiscard]] unsigned listener_connections(std::size_t i) const noexcept {
        return _listener_open[i].load(std::memory_order_relaxed);
    }
    /// Sockets in the registered table right now (any thread).
    [[nodiscard]] unsigned sockets_open() const noexcept { return _sockets.load(std::memory_order_relaxed); }
    [[nodiscard]] std::uint16_t first_spawned_iface() const noexcept { return _first_spawned_id; }
    [[nodiscard]] unsigned iface_count() const noexcept { return _iface_ids; }

  private:
    enum class op : std::uint8_t { accept = 1, peername, recv, send, close, chain, socket, connect, udp_recv, udp_send, setup };
    enum class st : std::uint8_t { free, listener, udp, peer_wait, open, connecting, idle, closing };

    struct slot_state {
        st state = st::free;
        iface_kind kind = iface_kind::tcp_spawned;
        bool recv_armed = false;
        bool send_inflight = false;
        bool accept_armed = false;
        std::uint16_t config = 0;
        std::uint16_t iface = 0;
        std::uint32_t gen = 0;
        unsigned peer_len = 0;
        sockaddr_storage peer{};
        double opened = 0;
        /// Last send completion, or when the queue last went from empty to non-empty.
        double tx_progress = 0;
        std::uint64_t since_valid = 0; ///< bytes received since the last valid frame
        std::unique_ptr<hdlc::deframer> rx;
        hdlc::deframer_counters seen{}; ///< rx counters already added to the interface's
        out_queue tx;
        /// Output storage of closed connections whose last send is still in flight, by gen.
        std::vector<std::pair<std::uint32_t, std::unique_ptr<std::uint8_t[]>>> retired;
    };

    struct client_state {
        double next_attempt = 0;
        double backoff = 0;
        int opts[7] = {}; ///< setsockopt values, read by the kernel when the chain runs
    };

    struct udp_tx {
        msghdr msg{};
        iovec iov{};
        std::unique_ptr<std::uint8_t[]> data;
    };
    struct udp_state {
        std::vector<udp_tx> tx;
        std::vector<unsigned> free_tx;
    };

    io_config _cfg;
    packet_seam& _seam;
    loop_stats _stats;
    ring _ring;
    provided_buffers _bufs;
    std::vector<slot_state> _slots;
    std::unique_ptr<iface_stats[]> _iface_stats;
    std::unique_ptr<conn_stats[]> _conn_stats;
    std::unique_ptr<std::atomic<unsigned>[]> _listener_open;
    std::vector<flap_guard> _guards;
    std::vector<client_state> _clients;
    std::vector<udp_state> _udps;
    std::vector<std::uint32_t> _iface_slot; ///< io interface id → slot
    std::deque<std::uint16_t> _free_ids;    ///< spawned ids, FIFO
    std::vector<tx_packet> _tx_batch;
    std::atomic<unsigned> _sockets{0};
    std::unique_ptr<std::atomic<std::uint32_t>[]> _confirmed; ///< by io interface id
    std::vector<std::uint32_t> _expected;  ///< serial of each interface's last up event
    std::vector<unsigned> _awaiting;       ///< slots up but not yet confirmed
    std::uint32_t _serial = 0;
    unsigned _first_client_slot = 0;
    unsigned _first_udp_slot = 0;
    unsigned _first_alloc_slot = 0;
    std::uint16_t _first_spawned_id = 0;
    unsigned _iface_ids = 0;
    std::size_t _garbage_limit = 0;
    unsigned _last_work = 0;
    double _next_stall_scan = 0;
    bool _stopping = false;

    static constexpr std::uint32_t no_slot = 0xffffffffU;
    static constexpr std::uint16_t no_iface = 0xffffU; ///< listeners, and spawned slots not yet admitted

    // engine.cpp: loop and dispatch
    [[nodiscard]] static double now() noexcept;
    [[nodiscard]] static std::uint64_t tag(op o, unsigned slot, std::uint32_t gen) noexcept {
        return (std::uint64_t{static_cast<std::uint8_t>(o)} << 56) | (std::uint64_t{slot & 0xffffffU} << 32) | gen;
    }
    void dispatch(const io_uring_cqe& c) noexcept;
    unsigned pump_tx() noexcept;
    [[nodiscard]] iface_stats& stats_of(const slot_state& s) noexcept;
    void emit(iface_event::type what, const slot_state& s, close_reason why) noexcept;
    /// Emits up, then arms receiving now or once confirmed.
    void bring_up(unsigned slot) noexcept;
    void check_confirmed() noexcept;
    void setup_sync(std::span<const char* const> steps, const std::string& what);

    // io_stream.cpp: TCP byte streams (spawned and client connections)
    void open_stream(unsigned slot) noexcept;
    void arm_recv(unsigned slot) noexcept;
    void on_recv(unsigned slot, const io_uring_cqe& c) noexcept;
    void on_stream_bytes(unsigned slot, byte_view data) noexcept;
    void queue_frame(unsigned slot, byte_view packet) noexcept;
    void kick_send(unsigned slot) noexcept;
    void on_send(unsigned slot, const io_uring_cqe& c) noexcept;
    /// Closes connections whose queued output has not moved for out_stall_s (out_queue_full).
    void close_stalled(double t) noexcept;
    void close_stream(unsigned slot, close_reason why) noexcept;
    void on_closed(unsigned slot, int res) noexcept;

    // io_accept.cpp: listeners
    void start_listener(unsigned index);
    void arm_accept(unsigned slot) noexcept;
    void on_accept(unsigned slot, const io_uring_cqe& c) noexcept;
    void on_peername(unsigned slot, const io_uring_cqe& c) noexcept;

    // io_client.cpp: outgoing connections with back-off
    void start_connect(unsigned index) noexcept;
    void on_connect(unsigned slot, const io_uring_cqe& c) noexcept;
    void run_client_timers(double t) noexcept;
    [[nodiscard]] double next_client_timer() const noexcept;
    void client_down(unsigned slot) noexcept;

    // io_udp.cpp: datagram interfaces (spec §10.3)
    void start_udp(unsigned index);
    void arm_udp_recv(unsigned slot) noexcept;
    void on_udp_recv(unsigned slot, const io_uring_cqe& c) noexcept;
    void send_datagram(unsigned slot, byte_view packet) noexcept;
    void on_udp_send(unsigned slot, unsigned buffer, const io_uring_cqe& c) noexcept;
};

} // namespace rns::io
