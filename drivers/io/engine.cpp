#include "drivers/io/engine.hpp"

#include "drivers/io/kernel_ops.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>

namespace rns::io {

namespace {

unsigned round_pow2(std::size_t v) {
    unsigned p = 1;
    while (p < v) {
        p <<= 1;
    }
    return p;
}

io_config checked(io_config cfg) {
    std::size_t fixed = cfg.listeners.size() + cfg.clients.size() + cfg.udps.size();
    if (cfg.max_connections <= fixed) {
        throw std::runtime_error("--max-connections " + std::to_string(cfg.max_connections) +
                                 " leaves no slot for accepted connections (" + std::to_string(fixed) +
                                 " configured sockets)");
    }
    if (cfg.max_connections > 60000) {
        throw std::runtime_error("--max-connections must be at most 60000 (interface ids are 16 bits)");
    }
    if (cfg.max_frame < hdlc::tcp_min_exclusive + 1 || cfg.max_frame > 65535) {
        throw std::runtime_error("max frame size must be 20..65535 bytes");
    }
    cfg.out_queue_bytes = round_pow2(std::max(cfg.out_queue_bytes, hdlc::max_encoded_size(cfg.max_frame)));
    cfg.rx_buffers = round_pow2(std::max(cfg.rx_buffers, 8U));
    if (cfg.rx_buffer_size < 512) {
        cfg.rx_buffer_size = 512;
    }
    if (cfg.udp_tx_buffers == 0) {
        cfg.udp_tx_buffers = 1;
    }
    if (cfg.tx_burst == 0) {
        cfg.tx_burst = 1;
    }
    return cfg;
}

io_config checked_with_kernel(io_config cfg) {
    if (std::string problem = kernel_support_problem(); !problem.empty()) {
        throw std::runtime_error("io thread: " + problem);
    }
    return checked(std::move(cfg));
}

} // namespace

engine::engine(io_config cfg, packet_seam& seam)
    : _cfg(checked_with_kernel(std::move(cfg))),
      _seam(seam),
      _ring(_cfg.sq_depth, 8, _cfg.max_connections, &_stats),
      _bufs(_ring, 0, _cfg.rx_buffers, _cfg.rx_buffer_size),
      _slots(_cfg.max_connections) {
    const std::size_t n_listen = _cfg.listeners.size();
    const std::size_t n_client = _cfg.clients.size();
    const std::size_t n_udp = _cfg.udps.size();
    _first_client_slot = static_cast<unsigned>(n_listen);
    _first_udp_slot = static_cast<unsigned>(n_listen + n_client);
    _first_alloc_slot = static_cast<unsigned>(n_listen + n_client + n_udp);
    _first_spawned_id = static_cast<std::uint16_t>(n_client + n_udp);
    _iface_ids = _first_spawned_id + (_cfg.max_connections - _first_alloc_slot);
    _garbage_limit = _cfg.garbage_limit != 0 ? _cfg.garbage_limit : 4 * hdlc::max_encoded_size(_cfg.max_frame);

    _iface_stats = std::make_unique<iface_stats[]>(n_listen + n_client + n_udp);
    _conn_stats = std::make_unique<conn_stats[]>(_iface_ids);
    _listener_open = std::make_unique<std::atomic<unsigned>[]>(std::max<std::size_t>(n_listen, 1));
    _iface_slot.assign(_iface_ids, no_slot);
    _confirmed = std::make_unique<std::atomic<std::uint32_t>[]>(_iface_ids);
    _expected.assign(_iface_ids, 0);
    for (unsigned id = _first_spawned_id; id < _iface_ids; ++id) {
        _free_ids.push_back(static_cast<std::uint16_t>(id));
    }
    _tx_batch.resize(_cfg.tx_burst);
    for (const auto& l : _cfg.listeners) {
        _guards.emplace_back(l.flap_seconds, l.flap_limit, l.flap_block_seconds);
    }
    _clients.resize(n_client);
    _udps.resize(n_udp);

    // Accepted connections go only to the slots after the configured ones.
    if (int rc = io_uring_register_file_alloc_range(_ring.raw(), _first_alloc_slot,
                                                    _cfg.max_connections - _first_alloc_slot);
        rc < 0) {
        throw std::runtime_error(std::string("io_uring_register_file_alloc_range: ") + std::strerror(-rc));
    }
    for (unsigned i = 0; i < n_listen; ++i) {
        start_listener(i);
    }
    for (unsigned i = 0; i < n_udp; ++i) {
        start_udp(i);
    }
    for (unsigned i = 0; i < n_client; ++i) {
        _clients[i].backoff = _cfg.clients[i].reconnect_min_seconds;
        unsigned slot = _first_client_slot + i;
        _slots[slot].state = st::idle;
        _slots[slot].kind = iface_kind::tcp_client;
        _slots[slot].config = static_cast<std::uint16_t>(i);
        _slots[slot].iface = static_cast<std::uint16_t>(i);
        _iface_slot[i] = slot;
        start_connect(i);
    }
}

engine::~engine() { shutdown(); }

double engine::now() noexcept {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

iface_stats& engine::stats_of(const slot_state& s) noexcept {
    switch (s.kind) {
    case iface_kind::tcp_spawned: return _iface_stats[s.config];
    case iface_kind::tcp_client: return _iface_stats[_cfg.listeners.size() + s.config];
    case iface_kind::udp: break;
    }
    return _iface_stats[_cfg.listeners.size() + _cfg.clients.size() + s.config];
}

void engine::bring_up(unsigned slot) noexcept {
    slot_state& s = _slots[slot];
    const std::uint32_t serial = ++_serial == 0 ? ++_serial : _serial; // 0 is never confirmed
    _expected[s.iface] = serial;
    iface_event e;
    e.what = iface_event::type::up;
    e.kind = s.kind;
    e.iface = s.iface;
    e.config = s.config;
    e.peer = s.peer;
    e.serial = serial;
    _seam.event(e);
    if (_cfg.confirm_up) {
        _awaiting.push_back(slot);
    } else if (s.state == st::udp) {
        arm_udp_recv(slot);
    } else {
        arm_recv(slot);
    }
}

void engine::check_confirmed() noexcept {
    for (std::size_t i = 0; i < _awaiting.size();) {
        const unsigned slot = _awaiting[i];
        slot_state& s = _slots[slot];
        const bool live = s.state == st::open || s.state == st::udp;
        if (live && _confirmed[s.iface].load(std::memory_order_acquire) != _expected[s.iface]) {
            ++i;
            continue;
        }
        if (live) {
            if (s.state == st::udp) {
                arm_udp_recv(slot);
            } else {
                arm_recv(slot);
            }
        }
        _awaiting[i] = _awaiting.back();
        _awaiting.pop_back();
    }
}

void engine::emit(iface_event::type what, const slot_state& s, close_reason why) noexcept {
    iface_event e;
    e.what = what;
    e.kind = s.kind;
    e.iface = s.iface;
    e.config = s.config;
    e.reason = why;
    e.peer = s.peer;
    _seam.event(e);
}

// Runs the linked operations queued for a configured socket at start-up (user_data: step index)
// and turns the first failure into an error naming the socket and the step.
void engine::setup_sync(std::span<const char* const> steps, const std::string& what) {
    std::string problem;
    unsigned seen = 0;
    const double deadline = now() + 5.0;
    while (seen < steps.size()) {
        _ring.enter(1, std::chrono::milliseconds(100));
        seen += _ring.drain([&](const io_uring_cqe& c) {
            auto step = static_cast<std::size_t>(static_cast<std::uint32_t>(c.user_data));
            if (c.res < 0 && c.res != -ECANCELED && problem.empty() && step < steps.size()) {
                problem = what + ": " + steps[step] + ": " + std::strerror(-c.res);
            }
        });
        if (seen < steps.size() && now() > deadline) {
            throw std::runtime_error(what + ": no answer from io_uring within 5 s");
        }
    }
    if (!problem.empty()) {
        throw std::runtime_error(problem);
    }
}

unsigned engine::pump_tx() noexcept {
    unsigned total = 0;
    for (;;) {
        unsigned n = _seam.take(std::span<tx_packet>(_tx_batch.data(), _tx_batch.size()));
        if (n == 0) {
            break;
        }
        for (unsigned i = 0; i < n; ++i) {
            const tx_packet& p = _tx_batch[i];
            std::uint32_t slot = p.iface < _iface_ids ? _iface_slot[p.iface] : no_slot;
            if (slot == no_slot || (_slots[slot].state != st::open && _slots[slot].state != st::udp)) {
                // Interface down (e.g. a client between reconnects, a connection just closed).
                if (slot != no_slot) {
                    add(stats_of(_slots[slot]).tx_drops, 1);
                }
                continue;
            }
            if (p.data.size() > _cfg.max_frame) {
                add(stats_of(_slots[slot]).tx_drops, 1);
                continue;
            }
            if (_slots[slot].state == st::udp) {
                send_datagram(slot, p.data);
            } else {
                queue_frame(slot, p.data);
            }
        }
        _seam.release();
        total += n;
        if (n < _tx_batch.size()) {
            break;
        }
    }
    return total;
}

unsigned engine::poll(bool may_sleep) noexcept {
    add(_stats.iterations, 1);
    unsigned work = pump_tx();
    if (!_awaiting.empty()) {
        check_confirmed();
    }
    double t = now();
    run_client_timers(t);
    if (t >= _next_stall_scan) { // connections whose peer stopped reading (once a second)
        _next_stall_scan = t + 1.0;
        close_stalled(t);
    }
    _bufs.publish();
    unsigned wait = (may_sleep && work == 0 && _last_work == 0) ? 1 : 0;
    auto timeout = std::chrono::microseconds(_cfg.idle_wait_us);
    if (double next = next_client_timer(); next > 0) {
        auto until = std::chrono::microseconds(static_cast<std::int64_t>(std::max(0.0, next - t) * 1e6));
        timeout = std::min(timeout, until);
    }
    _ring.enter(wait, timeout);
    unsigned done = _ring.drain([this](const io_uring_cqe& c) { dispatch(c); });
    _bufs.publish();
    _last_work = work + done;
    return _last_work;
}

void engine::dispatch(const io_uring_cqe& c) noexcept {
    auto o = static_cast<op>(c.user_data >> 56);
    auto slot = static_cast<unsigned>((c.user_data >> 32) & 0xffffffU);
    auto gen = static_cast<std::uint32_t>(c.user_data);
    if (slot >= _slots.size()) {
        return;
    }
    slot_state& s = _slots[slot];
    if (o == op::udp_send) {
        on_udp_send(slot, gen, c);
        return;
    }
    if (gen != s.gen) {
        // A completion for a socket already closed: give back its buffer and its retired output.
        add(_stats.stale, 1);
        if ((c.flags & IORING_CQE_F_BUFFER) != 0) {
            _bufs.recycle(c.flags >> IORING_CQE_BUFFER_SHIFT);
        }
        if (o == op::send) {
            auto it = std::find_if(s.retired.begin(), s.retired.end(), [&](const auto& r) { return r.first == gen; });
            if (it != s.retired.end()) {
                s.retired.erase(it);
            }
        }
        return;
    }
    switch (o) {
    case op::accept: on_accept(slot, c); break;
    case op::peername: on_peername(slot, c); break;
    case op::recv: on_recv(slot, c); break;
    case op::send: on_send(slot, c); break;
    case op::connect: on_connect(slot, c); break;
    case op::udp_recv: on_udp_recv(slot, c); break;
    case op::close: on_closed(slot, c.res); break;
    case op::socket:
        if (c.res >= 0) {
            _sockets.fetch_add(1, std::memory_order_relaxed);
        }
        break;
    case op::chain:
    case op::setup:
    case op::udp_send: break;
    }
}

void engine::shutdown() noexcept {
    if (_stopping) {
        return;
    }
    _stopping = true;
    for (unsigned i = 0; i < _slots.size(); ++i) {
        slot_state& s = _slots[i];
        if (s.state == st::open || s.state == st::peer_wait || s.state == st::connecting) {
            close_stream(i, close_reason::shutdown);
        } else if (s.state == st::listener || s.state == st::udp) {
            if (s.state == st::udp) {
                emit(iface_event::type::down, s, close_reason::shutdown);
            }
            ++s.gen;
            io_uring_sqe* q = _ring.sqe();
            io_uring_prep_shutdown(q, static_cast<int>(i), SHUT_RDWR);
            q->flags |= IOSQE_FIXED_FILE | IOSQE_IO_HARDLINK;
            q->user_data = tag(op::setup, i, s.gen);
            q = _ring.sqe();
            io_uring_prep_close_direct(q, i);
            q->user_data = tag(op::close, i, s.gen);
            s.state = st::closing;
        }
    }
    // Bounded wait for the closes; anything left is dropped when the table is unregistered.
    const double deadline = now() + 1.0;
    auto closing = [this] {
        return std::any_of(_slots.begin(), _slots.end(), [](const slot_state& s) { return s.state == st::closing; });
    };
    while (closing() && now() < deadline) {
        _ring.enter(1, std::chrono::milliseconds(10));
        _ring.drain([this](const io_uring_cqe& c) { dispatch(c); });
    }
}

} // namespace rns::io
