// TCP byte streams of the io thread (accepted connections and clients): multishot receive into
// provided buffers, incremental HDLC deframing (spec §10.1), bounded output queue with one send
// in flight, and closing (shutdown, then close-direct of the slot).

#include "drivers/io/engine.hpp"

#include <cerrno>

namespace rns::io {

void engine::open_stream(unsigned slot) noexcept {
    slot_state& s = _slots[slot];
    s.state = st::open;
    s.opened = now();
    s.since_valid = 0;
    s.send_inflight = false;
    if (s.rx == nullptr) {
        // The reference's TCP limits (spec §10.1), with the router's frame size as HW_MTU.
        s.rx = std::make_unique<hdlc::deframer>(_cfg.max_frame, 0, hdlc::tcp_min_exclusive);
    }
    s.rx->reset();
    s.seen = s.rx->counters();
    s.tx.reserve(_cfg.out_queue_bytes);
    conn_stats& cs = _conn_stats[s.iface];
    cs.bytes_in.store(0, std::memory_order_relaxed);
    cs.bytes_out.store(0, std::memory_order_relaxed);
    cs.frames_in.store(0, std::memory_order_relaxed);
    cs.frames_out.store(0, std::memory_order_relaxed);
    _iface_slot[s.iface] = slot;
    bring_up(slot);
}

void engine::arm_recv(unsigned slot) noexcept {
    slot_state& s = _slots[slot];
    io_uring_sqe* q = _ring.sqe();
    io_uring_prep_recv_multishot(q, static_cast<int>(slot), nullptr, 0, 0);
    q->flags |= IOSQE_FIXED_FILE | IOSQE_BUFFER_SELECT;
    q->buf_group = _bufs.group();
    q->user_data = tag(op::recv, slot, s.gen);
    s.recv_armed = true;
}

void engine::on_recv(unsigned slot, const io_uring_cqe& c) noexcept {
    slot_state& s = _slots[slot];
    const bool more = (c.flags & IORING_CQE_F_MORE) != 0;
    if (!more) {
        s.recv_armed = false;
    }
    if (c.res > 0 && (c.flags & IORING_CQE_F_BUFFER) != 0) {
        unsigned bid = c.flags >> IORING_CQE_BUFFER_SHIFT;
        if (s.state == st::open) {
            on_stream_bytes(slot, byte_view(_bufs.data(bid), static_cast<std::size_t>(c.res)));
        }
        _bufs.recycle(bid);
    } else if (c.res == 0) {
        close_stream(slot, close_reason::peer_closed);
        return;
    } else if (c.res == -ENOBUFS) {
        // Every provided buffer is in use: the buffers go back at the end of this batch, the
        // receive is re-armed then (the kernel keeps the bytes in the socket meanwhile).
        add(_stats.buffers_exhausted, 1);
    } else if (c.res < 0) {
        close_stream(slot, c.res == -ETIMEDOUT ? close_reason::timeout : close_reason::error);
        return;
    }
    if (!more && s.state == st::open) {
        add(_stats.rearms, 1);
        arm_recv(slot);
    }
}

void engine::on_stream_bytes(unsigned slot, byte_view data) noexcept {
    slot_state& s = _slots[slot];
    iface_stats& is = stats_of(s);
    conn_stats& cs = _conn_stats[s.iface];
    add(is.bytes_in, data.size());
    add(cs.bytes_in, data.size());
    const std::uint64_t before = s.rx->counters().frames;
    s.rx->feed(data, [&](byte_view frame) {
        add(cs.frames_in, 1);
        if (_seam.deliver(s.iface, frame)) {
            add(is.frames_in, 1);
        } else {
            add(is.rx_seam_drops, 1);
        }
    });
    const hdlc::deframer_counters& now_c = s.rx->counters();
    add(is.garbage_bytes, now_c.garbage_bytes - s.seen.garbage_bytes);
    add(is.frames_too_short, now_c.too_short - s.seen.too_short);
    add(is.frames_too_long, (now_c.too_long - s.seen.too_long) + (now_c.overflow - s.seen.overflow));
    s.seen = now_c;
    // A peer that keeps sending without producing one valid frame is not speaking RNS/HDLC.
    s.since_valid = now_c.frames != before ? 0 : s.since_valid + data.size();
    if (s.since_valid > _garbage_limit) {
        close_stream(slot, close_reason::no_valid_frames);
    }
}

void engine::queue_frame(unsigned slot, byte_view packet) noexcept {
    slot_state& s = _slots[slot];
    const bool was_empty = s.tx.empty();
    if (!s.tx.push_frame(packet)) {
        // The bounded queue is full: the frame is dropped. A peer whose output has not moved
        // for out_stall_s does not read: it is closed rather than buffered without bound.
        add(stats_of(s).tx_drops, 1);
        if (now() - s.tx_progress > _cfg.out_stall_s) {
            close_stream(slot, close_reason::out_queue_full);
        }
        return;
    }
    if (was_empty) {
        s.tx_progress = now();
    }
    add(stats_of(s).frames_out, 1);
    add(_conn_stats[s.iface].frames_out, 1);
    kick_send(slot);
}

void engine::kick_send(unsigned slot) noexcept {
    slot_state& s = _slots[slot];
    if (s.send_inflight || s.tx.empty() || s.state != st::open) {
        return;
    }
    auto span = s.tx.head();
    io_uring_sqe* q = _ring.sqe();
    io_uring_prep_send(q, static_cast<int>(slot), span.data(), span.size(), MSG_NOSIGNAL);
    q->flags |= IOSQE_FIXED_FILE;
    q->user_data = tag(op::send, slot, s.gen);
    s.send_inflight = true;
}

void engine::on_send(unsigned slot, const io_uring_cqe& c) noexcept {
    slot_state& s = _slots[slot];
    s.send_inflight = false;
    if (c.res < 0) {
        close_stream(slot, c.res == -ETIMEDOUT ? close_reason::timeout : close_reason::error);
        return;
    }
    s.tx.consume(static_cast<std::size_t>(c.res));
    if (c.res > 0) {
        s.tx_progress = now();
    }
    add(stats_of(s).bytes_out, static_cast<std::uint64_t>(c.res));
    add(_conn_stats[s.iface].bytes_out, static_cast<std::uint64_t>(c.res));
    kick_send(slot);
}

void engine::close_stalled(double t) noexcept {
    for (unsigned slot = 0; slot < _slots.size(); ++slot) {
        const slot_state& s = _slots[slot];
        if (s.state == st::open && !s.tx.empty() && t - s.tx_progress > _cfg.out_stall_s) {
            close_stream(slot, close_reason::out_queue_full);
        }
    }
}

void engine::close_stream(unsigned slot, close_reason why) noexcept {
    slot_state& s = _slots[slot];
    if (s.state == st::closing || s.state == st::free || s.state == st::idle) {
        return;
    }
    add(stats_of(s).closed[static_cast<std::size_t>(why)], 1);
    if (s.state == st::open) {
        emit(iface_event::type::down, s, why);
        if (s.kind == iface_kind::tcp_spawned) {
            _guards[s.config].closed(address_key(s.peer), now() - s.opened, now());
            _listener_open[s.config].fetch_sub(1, std::memory_order_relaxed);
        }
    }
    if (s.send_inflight) {
        s.retired.emplace_back(s.gen, s.tx.release());
    } else {
        s.tx.release().reset();
    }
    s.send_inflight = false;
    s.recv_armed = false;
    ++s.gen; // every completion still in flight for this connection is now stale
    io_uring_sqe* q = _ring.sqe();
    io_uring_prep_shutdown(q, static_cast<int>(slot), SHUT_RDWR);
    q->flags |= IOSQE_FIXED_FILE | IOSQE_IO_HARDLINK; // the close runs even if shutdown fails
    q->user_data = tag(op::chain, slot, s.gen);
    q = _ring.sqe();
    io_uring_prep_close_direct(q, slot);
    q->user_data = tag(op::close, slot, s.gen);
    s.state = st::closing;
}

void engine::on_closed(unsigned slot, int res) noexcept {
    slot_state& s = _slots[slot];
    if (res == 0) {
        _sockets.fetch_sub(1, std::memory_order_relaxed);
    }
    switch (s.kind) {
    case iface_kind::tcp_spawned:
        if (s.iface != no_iface) {
            _iface_slot[s.iface] = no_slot;
            _free_ids.push_back(s.iface);
        }
        s.iface = no_iface;
        s.state = st::free;
        break;
    case iface_kind::tcp_client: client_down(slot); break;
    case iface_kind::udp: s.state = st::free; break;
    }
}

} // namespace rns::io
