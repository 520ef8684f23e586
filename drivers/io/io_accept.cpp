// TCP listeners: the listening socket is created straight into its slot; multishot accept puts
// every connection into a slot the kernel allocates (never a process descriptor); the peer
// address is read with getsockopt(SO_PEERNAME) on the direct descriptor, then listener hygiene
// (spec §10.1 flap guard, per-listener limit) admits or refuses the connection, and an admitted
// one becomes its own spawned interface with the listener's settings.

#include "drivers/io/engine.hpp"
#include "drivers/io/kernel_ops.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <cerrno>

namespace rns::io {

void engine::start_listener(unsigned index) {
    const tcp_listener_config& l = _cfg.listeners[index];
    slot_state& s = _slots[index];
    s.kind = iface_kind::tcp_spawned;
    s.config = static_cast<std::uint16_t>(index);
    s.iface = no_iface;
    // The values are read by the kernel when the chain runs; setup_sync waits for it.
    int one = 1;
    int vals[4];
    // Dead-peer detection is set on the listening socket: accepted sockets inherit it.
    vals[0] = static_cast<int>(l.timeouts.keepalive_idle_s);
    vals[1] = static_cast<int>(l.timeouts.keepalive_interval_s);
    vals[2] = static_cast<int>(l.timeouts.keepalive_probes);
    vals[3] = static_cast<int>(l.timeouts.user_timeout_ms);
    struct opt {
        int level;
        int name;
        int* value;
    };
    const opt opts[] = {
        {SOL_SOCKET, SO_REUSEADDR, &one},       {IPPROTO_TCP, TCP_NODELAY, &one},
        {SOL_SOCKET, SO_KEEPALIVE, &one},       {IPPROTO_TCP, TCP_KEEPIDLE, &vals[0]},
        {IPPROTO_TCP, TCP_KEEPINTVL, &vals[1]}, {IPPROTO_TCP, TCP_KEEPCNT, &vals[2]},
        {IPPROTO_TCP, TCP_USER_TIMEOUT, &vals[3]},
    };
    static const char* const steps[] = {"socket",        "setsockopt(SO_REUSEADDR)", "setsockopt(TCP_NODELAY)",
                                        "setsockopt(SO_KEEPALIVE)", "setsockopt(TCP_KEEPIDLE)",
                                        "setsockopt(TCP_KEEPINTVL)", "setsockopt(TCP_KEEPCNT)",
                                        "setsockopt(TCP_USER_TIMEOUT)", "bind", "listen"};
    std::uint32_t step = 0;
    io_uring_sqe* q = _ring.sqe();
    io_uring_prep_socket_direct(q, l.listen.family(), SOCK_STREAM, 0, index, 0);
    q->flags |= IOSQE_IO_LINK;
    q->user_data = tag(op::setup, 0, step++);
    for (const opt& o : opts) {
        q = _ring.sqe();
        prep_sockopt_direct(q, sock_cmd_setsockopt, index, o.level, o.name, o.value, sizeof(int));
        q->flags |= IOSQE_IO_LINK;
        q->user_data = tag(op::setup, 0, step++);
    }
    q = _ring.sqe();
    prep_bind_direct(q, index, l.listen.sa(), l.listen.len);
    q->flags |= IOSQE_IO_LINK;
    q->user_data = tag(op::setup, 0, step++);
    q = _ring.sqe();
    prep_listen_direct(q, index, l.backlog);
    q->user_data = tag(op::setup, 0, step++);
    setup_sync(steps, "tcp listener " + to_string(l.listen));
    _sockets.fetch_add(1, std::memory_order_relaxed);
    s.state = st::listener;
    arm_accept(index);
}

void engine::arm_accept(unsigned slot) noexcept {
    slot_state& s = _slots[slot];
    io_uring_sqe* q = _ring.sqe();
    // The kernel allocates the slot in the range reserved for accepted connections.
    io_uring_prep_multishot_accept_direct(q, static_cast<int>(slot), nullptr, nullptr, 0);
    q->flags |= IOSQE_FIXED_FILE;
    q->user_data = tag(op::accept, slot, s.gen);
    s.accept_armed = true;
}

void engine::on_accept(unsigned slot, const io_uring_cqe& c) noexcept {
    slot_state& l = _slots[slot];
    if (c.res >= 0) {
        auto conn = static_cast<unsigned>(c.res);
        _sockets.fetch_add(1, std::memory_order_relaxed);
        slot_state& s = _slots[conn];
        s.state = st::peer_wait;
        s.kind = iface_kind::tcp_spawned;
        s.config = l.config;
        s.iface = no_iface;
        s.peer = {};
        s.peer_len = _cfg.listeners[l.config].listen.len;
        io_uring_sqe* q = _ring.sqe();
        // SO_PEERNAME wants exactly the family's address size (an IPv6 listener reports
        // IPv4 peers as mapped IPv6 addresses).
        prep_sockopt_direct(q, sock_cmd_getsockopt, conn, SOL_SOCKET, SO_PEERNAME, &s.peer, s.peer_len);
        q->user_data = tag(op::peername, conn, s.gen);
    } else if (c.res == -ENFILE) {
        // No free slot (--max-connections): the kernel already closed the new connection.
        add(_iface_stats[l.config].refused_table_full, 1);
    } else {
        add(_iface_stats[l.config].closed[static_cast<std::size_t>(close_reason::error)], 1);
    }
    if ((c.flags & IORING_CQE_F_MORE) == 0 && l.state == st::listener) {
        add(_stats.rearms, 1);
        arm_accept(slot);
    }
}

void engine::on_peername(unsigned slot, const io_uring_cqe& c) noexcept {
    slot_state& s = _slots[slot];
    if (s.state != st::peer_wait) {
        return;
    }
    if (c.res < 0) {
        close_stream(slot, close_reason::error); // e.g. ENOTCONN: the peer is already gone
        return;
    }
    const tcp_listener_config& l = _cfg.listeners[s.config];
    const double t = now();
    if (_guards[s.config].blocked(address_key(s.peer), t)) {
        close_stream(slot, close_reason::refused_flapping);
        return;
    }
    if ((l.max_clients != 0 && _listener_open[s.config].load(std::memory_order_relaxed) >= l.max_clients) ||
        _free_ids.empty()) {
        close_stream(slot, close_reason::refused_limit);
        return;
    }
    s.iface = _free_ids.front();
    _free_ids.pop_front();
    _listener_open[s.config].fetch_add(1, std::memory_order_relaxed);
    add(_iface_stats[s.config].accepted, 1);
    open_stream(slot);
}

} // namespace rns::io
