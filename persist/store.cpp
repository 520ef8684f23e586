#include "persist/store.hpp"

#include "persist/dir_watch.hpp"
#include "persist/segment_writer.hpp"
#include "persist/snapshot_codec.hpp"
#include "persist/snapshot_writer.hpp"
#include "persist/store_impl.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace persist {

// ---- the persistence thread ------------------------------------------------------------------

namespace {

struct pending_barrier {
    std::shared_ptr<barrier_state> b;
    std::uint64_t seq;
    std::uint64_t gens[4];
};

} // namespace

store::impl::impl(config c) : cfg(std::move(c)), ring(cfg.ring_capacity) {
    if (cfg.slots < 2) {
        throw std::invalid_argument("persist: --persist-slots must be at least 2");
    }
    if (!cfg.log) {
        cfg.log = [](std::string_view line) { std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data()); };
    }
    if (!cfg.now) {
        cfg.now = [] {
            return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
        };
    }
    std::filesystem::create_directories(cfg.dir);
    dir = std::filesystem::absolute(cfg.dir).lexically_normal().string();
    while (dir.size() > 1 && dir.back() == '/') {
        dir.pop_back();
    }
    slots_total = cfg.slots;
}

bool store::impl::push(const message& m) noexcept {
    if (stopped.load(std::memory_order_acquire) || !ring.try_push(m)) {
        counters.ring_drops.fetch_add(1, std::memory_order_relaxed);
        return false;
    }
    return true;
}

void store::impl::run(std::promise<void>& ready) {
    std::optional<uring> io;
    std::optional<slot_pool> pool;
    try {
        // A kernel without open-direct would fail every write later; refuse to start instead.
        if (std::string why = kernel_support_problem(); !why.empty()) {
            throw std::runtime_error("persist: " + why);
        }
        io.emplace(cfg.ring_depth, cfg.slots, cfg.faults);
        pool.emplace(*io, cfg.slots, counters.slots);
    } catch (...) {
        ready.set_exception(std::current_exception());
        return;
    }
    failure_log failures(counters, cfg);
    engine e{cfg, *io, *pool, counters, failures, dir, steady::now()};
    load_outcome lo = load_state_dir(e, table, loaded);

    segment_writer segment(e, table, table_mutex);
    snapshot_writer paths(e, "paths.snap"), known(e, "known.snap"), identity(e, "identity"),
        tunnels(e, "tunnels.snap");
    snapshot_writer* snaps[4] = {&paths, &known, &identity, &tunnels};
    paths.adopt(lo.paths_file);
    known.adopt(lo.known_file);
    identity.adopt(lo.identity_file);
    tunnels.adopt(lo.tunnels_file);
    dir_watch watch(e, lo.dir_inode);
    segment.start(lo.segment_clean, lo.segment_end);
    ready.set_value();

    std::uint64_t seq = 0;
    std::uint64_t gens[4] = {0, 0, 0, 0};
    std::deque<pending_barrier> barriers;
    bool stopping = false;
    steady::time_point stop_deadline{};

    for (;;) {
        e.now = steady::now();
        // 1. Take what producers handed over (bounded per loop so completions keep flowing).
        message m;
        for (int n = 0; n < 8192 && ring.try_pop(m); ++n) {
            switch (m.kind) {
            case msg_kind::ratchet:
                segment.append(record_type::ratchet, m.rec, ++seq, e.now);
                break;
            case msg_kind::forget:
                segment.append(record_type::forget, m.rec, ++seq, e.now);
                break;
            case msg_kind::paths: {
                std::unique_ptr<std::vector<path_record>> v(static_cast<std::vector<path_record>*>(m.payload));
                paths.set(std::make_shared<const rns::bytes>(encode_paths(*v)), ++gens[0]);
                break;
            }
            case msg_kind::known: {
                std::unique_ptr<std::vector<known_destination>> v(
                    static_cast<std::vector<known_destination>*>(m.payload));
                known.set(std::make_shared<const rns::bytes>(encode_known(*v)), ++gens[1]);
                break;
            }
            case msg_kind::identity: {
                std::unique_ptr<identity_key> k(static_cast<identity_key*>(m.payload));
                identity.set(std::make_shared<const rns::bytes>(encode_identity(*k)), ++gens[2]);
                k->fill(0);
                break;
            }
            case msg_kind::tunnels: {
                std::unique_ptr<std::vector<tunnel_record>> v(static_cast<std::vector<tunnel_record>*>(m.payload));
                tunnels.set(std::make_shared<const rns::bytes>(encode_tunnels(*v)), ++gens[3]);
                break;
            }
            case msg_kind::barrier: {
                std::unique_ptr<std::shared_ptr<barrier_state>> b(
                    static_cast<std::shared_ptr<barrier_state>*>(m.payload));
                barriers.push_back({std::move(*b), seq, {gens[0], gens[1], gens[2], gens[3]}});
                break;
            }
            case msg_kind::stop:
                if (!stopping) {
                    stopping = true;
                    stop_deadline = e.now + cfg.stop_timeout;
                }
                break;
            }
        }
        // 2. Recreated directory: write everything again.
        watch.tick();
        if (watch.take_recreated()) {
            segment.request_rewrite();
            for (auto* s : snaps) {
                s->rewrite();
            }
        }
        // 3. Start whatever is due; slots go to waiters first-come first-served.
        segment.tick(stopping || !barriers.empty());
        for (auto* s : snaps) {
            s->tick();
        }
        pool->dispatch();
        // 4. Barriers whose records and snapshots are durable.
        while (!barriers.empty()) {
            const pending_barrier& b = barriers.front();
            if (segment.durable_seq() < b.seq || segment.rewrite_pending() ||
                paths.durable_generation() < b.gens[0] || known.durable_generation() < b.gens[1] ||
                identity.durable_generation() < b.gens[2] || tunnels.durable_generation() < b.gens[3] ||
                !paths.settled() || !known.settled() || !identity.settled() || !tunnels.settled()) {
                break;
            }
            b.b->finish(true);
            barriers.pop_front();
        }
        // 5. Stop: once everything is durable (or the deadline passed), close and leave.
        if (stopping) {
            bool flushed = segment.durable_seq() == seq && !segment.rewrite_pending() &&
                           paths.durable_generation() == gens[0] && known.durable_generation() == gens[1] &&
                           identity.durable_generation() == gens[2] && tunnels.durable_generation() == gens[3] &&
                           !paths.dirty() && !known.dirty() && !identity.dirty() && !tunnels.dirty();
            bool quiet = segment.idle() && paths.idle() && known.idle() && identity.idle() && tunnels.idle() &&
                         watch.idle();
            if ((flushed || e.now >= stop_deadline) && quiet) {
                if (!flushed) {
                    cfg.log("persist: stop deadline passed with unwritten state (see failure counters)");
                }
                segment.close();
                if (segment.closed() && io->in_flight() == 0) {
                    break;
                }
            }
        }
        // 6. One submit for everything prepared, then drain completions in batches.
        io->submit_and_drain(1, std::chrono::microseconds(io->in_flight() > 0 ? 2000 : 1000));
    }
    for (auto& b : barriers) {
        b.b->finish(false);
    }
    // Anything a producer pushed after stop is dropped (and freed).
    message m;
    while (ring.try_pop(m)) {
        if (m.kind == msg_kind::paths) {
            delete static_cast<std::vector<path_record>*>(m.payload);
        } else if (m.kind == msg_kind::known) {
            delete static_cast<std::vector<known_destination>*>(m.payload);
        } else if (m.kind == msg_kind::identity) {
            delete static_cast<identity_key*>(m.payload);
        } else if (m.kind == msg_kind::tunnels) {
            delete static_cast<std::vector<tunnel_record>*>(m.payload);
        } else if (m.kind == msg_kind::barrier) {
            auto* b = static_cast<std::shared_ptr<barrier_state>*>(m.payload);
            (*b)->finish(false);
            delete b;
        }
    }
}

// ---- public API ------------------------------------------------------------------------------

store::store(std::unique_ptr<impl> p) : _impl(std::move(p)) {}

std::unique_ptr<store> store::open(config cfg) {
    auto p = std::make_unique<impl>(std::move(cfg));
    std::promise<void> ready;
    std::future<void> f = ready.get_future();
    impl* raw = p.get();
    p->thread = std::thread([raw, &ready] { raw->run(ready); });
    try {
        f.get();
    } catch (...) {
        p->thread.join();
        throw;
    }
    return std::unique_ptr<store>(new store(std::move(p)));
}

store::~store() { stop(); }

void store::stop() {
    std::lock_guard lock(_impl->stop_mutex);
    if (!_impl->thread.joinable()) {
        return;
    }
    message m;
    m.kind = msg_kind::stop;
    while (!_impl->ring.try_push(m)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    _impl->stopped.store(true, std::memory_order_release);
    _impl->thread.join();
}

bool store::submit_ratchet(const rns::hash16& destination, const rns::hash32& ratchet, double received) noexcept {
    message m;
    m.kind = msg_kind::ratchet;
    m.rec = {destination, ratchet, received};
    return _impl->push(m);
}

bool store::submit_ratchet_forget(const rns::hash16& destination) noexcept {
    message m;
    m.kind = msg_kind::forget;
    m.rec.destination = destination;
    return _impl->push(m);
}

namespace {
template <typename T> bool push_owned(store::impl& s, msg_kind kind, T* p) {
    message m;
    m.kind = kind;
    m.payload = p;
    if (!s.push(m)) {
        delete p;
        return false;
    }
    return true;
}
} // namespace

bool store::submit_path_snapshot(std::vector<path_record> paths) {
    return push_owned(*_impl, msg_kind::paths, new std::vector<path_record>(std::move(paths)));
}

bool store::submit_known_destinations(std::vector<known_destination> known) {
    return push_owned(*_impl, msg_kind::known, new std::vector<known_destination>(std::move(known)));
}

bool store::submit_identity(const identity_key& key) {
    return push_owned(*_impl, msg_kind::identity, new identity_key(key));
}

bool store::submit_tunnel_snapshot(std::vector<tunnel_record> tunnels) {
    return push_owned(*_impl, msg_kind::tunnels, new std::vector<tunnel_record>(std::move(tunnels)));
}

std::optional<ratchet_record> store::ratchet_for(const rns::hash16& destination, double now) const {
    std::shared_lock lock(_impl->table_mutex);
    auto it = _impl->table.find(destination);
    if (it == _impl->table.end() || it->second.received + _impl->cfg.ratchet_expiry_s < now) {
        return std::nullopt;
    }
    return it->second;
}

const loaded_state& store::loaded() const noexcept { return _impl->loaded; }

bool store::flush(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    auto b = std::make_shared<barrier_state>();
    auto* holder = new std::shared_ptr<barrier_state>(b);
    message m;
    m.kind = msg_kind::barrier;
    m.payload = holder;
    for (;;) {
        if (_impl->stopped.load(std::memory_order_acquire)) {
            delete holder;
            return false;
        }
        if (_impl->ring.try_push(m)) {
            break;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            delete holder;
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    std::unique_lock lock(b->m);
    if (!b->cv.wait_until(lock, deadline, [&] { return b->done; })) {
        return false;
    }
    return b->ok;
}

stats store::snapshot_stats() const {
    const live_counters& c = _impl->counters;
    stats s;
    s.queue_depth = _impl->ring.size_approx();
    s.ring_drops = c.ring_drops.load(std::memory_order_relaxed);
    s.records_written = c.records_written.load(std::memory_order_relaxed);
    s.records_durable = c.records_durable.load(std::memory_order_relaxed);
    s.bytes_written = c.bytes_written.load(std::memory_order_relaxed);
    s.fsyncs = c.fsyncs.load(std::memory_order_relaxed);
    s.compactions = c.compactions.load(std::memory_order_relaxed);
    s.snapshots_written = c.snapshots_written.load(std::memory_order_relaxed);
    s.write_latency_p50_us = c.latency.quantile(0.50);
    s.write_latency_p99_us = c.latency.quantile(0.99);
    s.slots_total = _impl->slots_total;
    s.slots_in_use = c.slots.in_use.load(std::memory_order_relaxed);
    s.slots_high_water = c.slots.high_water.load(std::memory_order_relaxed);
    s.slot_waits = c.slots.waits.load(std::memory_order_relaxed);
    s.ratchets_live = c.ratchets_live.load(std::memory_order_relaxed);
    for (std::size_t i = 0; i < s.failures.size(); ++i) {
        s.failures[i] = c.failures[i].load(std::memory_order_relaxed);
    }
    s.process_fds = count_process_fds();
    return s;
}

} // namespace persist
