// TCP client interfaces: one linked chain per attempt (socket straight into the client's slot,
// TCP_NODELAY and the reference's dead-peer detection, spec §10.1, then connect), and reconnection
// with exponential back-off (reconnect_min_seconds doubling up to reconnect_max_seconds; reset by
// a successful connection).

#include "drivers/io/engine.hpp"
#include "drivers/io/kernel_ops.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <algorithm>
#include <cerrno>

namespace rns::io {

void engine::start_connect(unsigned index) noexcept {
    const tcp_client_config& cc = _cfg.clients[index];
    client_state& cl = _clients[index];
    const unsigned slot = _first_client_slot + index;
    slot_state& s = _slots[slot];
    s.state = st::connecting;
    s.peer = cc.peer.addr;
    cl.opts[0] = 1;
    cl.opts[1] = static_cast<int>(cc.timeouts.keepalive_idle_s);
    cl.opts[2] = static_cast<int>(cc.timeouts.keepalive_interval_s);
    cl.opts[3] = static_cast<int>(cc.timeouts.keepalive_probes);
    cl.opts[4] = static_cast<int>(cc.timeouts.user_timeout_ms);
    struct opt {
        int level;
        int name;
        int* value;
    };
    const opt opts[] = {
        {IPPROTO_TCP, TCP_NODELAY, &cl.opts[0]},      {SOL_SOCKET, SO_KEEPALIVE, &cl.opts[0]},
        {IPPROTO_TCP, TCP_KEEPIDLE, &cl.opts[1]},     {IPPROTO_TCP, TCP_KEEPINTVL, &cl.opts[2]},
        {IPPROTO_TCP, TCP_KEEPCNT, &cl.opts[3]},      {IPPROTO_TCP, TCP_USER_TIMEOUT, &cl.opts[4]},
    };
    io_uring_sqe* q = _ring.sqe();
    io_uring_prep_socket_direct(q, cc.peer.family(), SOCK_STREAM, 0, slot, 0);
    q->flags |= IOSQE_IO_LINK;
    // The socket step is tagged apart so that its success counts an open socket.
    q->user_data = tag(op::socket, slot, s.gen);
    for (const opt& o : opts) {
        q = _ring.sqe();
        prep_sockopt_direct(q, sock_cmd_setsockopt, slot, o.level, o.name, o.value, sizeof(int));
        q->flags |= IOSQE_IO_LINK;
        q->user_data = tag(op::setup, slot, s.gen);
    }
    q = _ring.sqe();
    io_uring_prep_connect(q, static_cast<int>(slot), cc.peer.sa(), cc.peer.len);
    q->flags |= IOSQE_FIXED_FILE;
    q->user_data = tag(op::connect, slot, s.gen);
}

void engine::on_connect(unsigned slot, const io_uring_cqe& c) noexcept {
    slot_state& s = _slots[slot];
    const unsigned index = s.config;
    if (c.res == 0 && s.state == st::connecting) {
        add(stats_of(s).connects, 1);
        _clients[index].backoff = _cfg.clients[index].reconnect_min_seconds;
        open_stream(slot);
        return;
    }
    add(stats_of(s).connect_failures, 1);
    // Whatever step failed (the rest of the chain is cancelled), the slot may hold a socket.
    ++s.gen;
    io_uring_sqe* q = _ring.sqe();
    io_uring_prep_close_direct(q, slot);
    q->user_data = tag(op::close, slot, s.gen);
    s.state = st::closing;
}

void engine::client_down(unsigned slot) noexcept {
    slot_state& s = _slots[slot];
    client_state& cl = _clients[s.config];
    const tcp_client_config& cc = _cfg.clients[s.config];
    s.state = st::idle;
    if (_stopping) {
        return;
    }
    cl.next_attempt = now() + cl.backoff;
    cl.backoff = std::min(cl.backoff * 2, cc.reconnect_max_seconds);
}

void engine::run_client_timers(double t) noexcept {
    for (unsigned i = 0; i < _clients.size(); ++i) {
        slot_state& s = _slots[_first_client_slot + i];
        if (s.state == st::idle && !_stopping && t >= _clients[i].next_attempt) {
            start_connect(i);
        }
    }
}

double engine::next_client_timer() const noexcept {
    double next = 0;
    for (unsigned i = 0; i < _clients.size(); ++i) {
        if (_slots[_first_client_slot + i].state == st::idle) {
            double at = _clients[i].next_attempt;
            next = next == 0 ? at : std::min(next, at);
        }
    }
    return next;
}

} // namespace rns::io
