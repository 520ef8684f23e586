// UDP interfaces (spec §10.3, the reference UDPInterface): one packet per datagram, no framing,
// no peer tracking. Receives on listen (multishot, provided buffers); sends every packet to
// forward (SO_BROADCAST when asked) from a fixed set of datagram buffers.

#include "drivers/io/engine.hpp"
#include "drivers/io/kernel_ops.hpp"

#include <cerrno>
#include <cstring>

namespace rns::io {

void engine::start_udp(unsigned index) {
    const udp_config& u = _cfg.udps[index];
    const unsigned slot = _first_udp_slot + index;
    slot_state& s = _slots[slot];
    s.kind = iface_kind::udp;
    s.config = static_cast<std::uint16_t>(index);
    s.iface = static_cast<std::uint16_t>(_cfg.clients.size() + index);
    s.peer = u.listen.addr;
    _iface_slot[s.iface] = slot;
    int one = 1;
    int broadcast = u.broadcast ? 1 : 0;
    static const char* const steps[] = {"socket", "setsockopt(SO_REUSEADDR)", "setsockopt(SO_BROADCAST)", "bind"};
    io_uring_sqe* q = _ring.sqe();
    io_uring_prep_socket_direct(q, u.listen.family(), SOCK_DGRAM, 0, slot, 0);
    q->flags |= IOSQE_IO_LINK;
    q->user_data = tag(op::setup, 0, 0);
    q = _ring.sqe();
    prep_sockopt_direct(q, sock_cmd_setsockopt, slot, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    q->flags |= IOSQE_IO_LINK;
    q->user_data = tag(op::setup, 0, 1);
    q = _ring.sqe();
    prep_sockopt_direct(q, sock_cmd_setsockopt, slot, SOL_SOCKET, SO_BROADCAST, &broadcast, sizeof broadcast);
    q->flags |= IOSQE_IO_LINK;
    q->user_data = tag(op::setup, 0, 2);
    q = _ring.sqe();
    prep_bind_direct(q, slot, u.listen.sa(), u.listen.len);
    q->user_data = tag(op::setup, 0, 3);
    setup_sync(steps, "udp interface " + to_string(u.listen));
    _sockets.fetch_add(1, std::memory_order_relaxed);

    udp_state& us = _udps[index];
    us.tx.resize(_cfg.udp_tx_buffers);
    for (unsigned i = 0; i < us.tx.size(); ++i) {
        udp_tx& t = us.tx[i];
        t.data = std::make_unique_for_overwrite<std::uint8_t[]>(_cfg.max_frame);
        if (u.forward) {
            t.msg.msg_name = const_cast<sockaddr*>(u.forward->sa());
            t.msg.msg_namelen = u.forward->len;
        }
        t.msg.msg_iov = &t.iov;
        t.msg.msg_iovlen = 1;
        us.free_tx.push_back(static_cast<unsigned>(us.tx.size() - 1 - i));
    }
    s.state = st::udp;
    bring_up(slot);
}

void engine::arm_udp_recv(unsigned slot) noexcept {
    slot_state& s = _slots[slot];
    io_uring_sqe* q = _ring.sqe();
    // MSG_TRUNC: the result is the datagram's real length, so a truncated one is recognised.
    io_uring_prep_recv_multishot(q, static_cast<int>(slot), nullptr, 0, MSG_TRUNC);
    q->flags |= IOSQE_FIXED_FILE | IOSQE_BUFFER_SELECT;
    q->buf_group = _bufs.group();
    q->user_data = tag(op::udp_recv, slot, s.gen);
    s.recv_armed = true;
}

void engine::on_udp_recv(unsigned slot, const io_uring_cqe& c) noexcept {
    slot_state& s = _slots[slot];
    iface_stats& is = stats_of(s);
    if ((c.flags & IORING_CQE_F_BUFFER) != 0) {
        unsigned bid = c.flags >> IORING_CQE_BUFFER_SHIFT;
        if (c.res > 0) {
            auto len = static_cast<std::size_t>(c.res);
            add(is.bytes_in, len);
            if (len > _bufs.buffer_size()) {
                add(is.rx_truncated, 1);
            } else if (len > _cfg.max_frame) {
                add(is.frames_too_long, 1);
            } else if (_seam.deliver(s.iface, byte_view(_bufs.data(bid), len))) {
                add(is.frames_in, 1);
                add(_conn_stats[s.iface].frames_in, 1);
            } else {
                add(is.rx_seam_drops, 1);
            }
        }
        _bufs.recycle(bid);
    } else if (c.res == -ENOBUFS) {
        add(_stats.buffers_exhausted, 1);
    } else if (c.res < 0) {
        add(is.closed[static_cast<std::size_t>(close_reason::error)], 1);
    }
    if ((c.flags & IORING_CQE_F_MORE) == 0 && s.state == st::udp) {
        add(_stats.rearms, 1);
        arm_udp_recv(slot);
    }
}

void engine::send_datagram(unsigned slot, byte_view packet) noexcept {
    slot_state& s = _slots[slot];
    udp_state& us = _udps[s.config];
    iface_stats& is = stats_of(s);
    if (!_cfg.udps[s.config].forward || us.free_tx.empty()) {
        add(is.tx_drops, 1); // receive-only interface, or every datagram buffer in flight
        return;
    }
    unsigned b = us.free_tx.back();
    us.free_tx.pop_back();
    udp_tx& t = us.tx[b];
    std::memcpy(t.data.get(), packet.data(), packet.size());
    t.iov.iov_base = t.data.get();
    t.iov.iov_len = packet.size();
    io_uring_sqe* q = _ring.sqe();
    io_uring_prep_sendmsg(q, static_cast<int>(slot), &t.msg, 0);
    q->flags |= IOSQE_FIXED_FILE;
    q->user_data = tag(op::udp_send, slot, b);
    add(is.frames_out, 1);
    add(_conn_stats[s.iface].frames_out, 1);
}

void engine::on_udp_send(unsigned slot, unsigned buffer, const io_uring_cqe& c) noexcept {
    slot_state& s = _slots[slot];
    _udps[s.config].free_tx.push_back(buffer);
    if (c.res >= 0) {
        add(stats_of(s).bytes_out, static_cast<std::uint64_t>(c.res));
    } else {
        add(stats_of(s).tx_drops, 1);
    }
}

} // namespace rns::io
