#include "persist/segment_writer.hpp"

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <mutex>

namespace persist {

namespace {
constexpr std::size_t max_write = 1024 * 1024; // one SQE writes at most this much
constexpr std::size_t max_marks = 4096;         // latency marks kept between two commits
} // namespace

segment_writer::segment_writer(engine& e, ratchet_map& table, std::shared_mutex& table_mutex)
    : _e(e), _table(table), _table_mutex(table_mutex), _seg_path(e.dir + "/ratchets.seg"),
      _new_path(e.dir + "/ratchets.seg.new") {}

void segment_writer::start(bool clean, std::uint64_t end) {
    if (!clean) {
        _need_rewrite = true;
        return;
    }
    std::optional<slot> s = _e.pool.try_acquire();
    if (!s) {
        _need_rewrite = true;
        return;
    }
    _active = std::move(*s);
    _offset = end;
    _step = step::open_append;
    _e.ring.prep_open(*this, _active.index(), _seg_path.c_str(), O_WRONLY, 0600);
}

void segment_writer::append(record_type type, const ratchet_record& r, std::uint64_t seq, steady::time_point t) {
    {
        std::unique_lock lock(_table_mutex);
        if (type == record_type::forget) {
            _table.erase(r.destination);
        } else {
            _table[r.destination] = r;
        }
        _e.counters.ratchets_live.store(_table.size(), std::memory_order_relaxed);
    }
    // While a rewrite is owed (disk failing) and its image is not taken yet, the table alone
    // carries the record: the image will include it, so memory stays bounded by the table.
    if (!_need_rewrite || _compacting) {
        std::size_t at = _pending.size();
        _pending.resize(at + segment_record_size);
        encode_segment_record(type, r, _pending.data() + at);
    }
    _pending_seq = seq;
    _applied_seq = seq;
    if (_marks.empty() || _marks.back().second != t) {
        if (_marks.size() >= max_marks) {
            // A long outage: merge neighbours (earlier time, later seq) so memory stays bounded;
            // latencies are then over- rather than under-estimated.
            for (std::size_t i = 0; i < _marks.size() / 2; ++i) {
                _marks[i] = {_marks[2 * i + 1].first, _marks[2 * i].second};
            }
            _marks.resize(_marks.size() / 2);
        }
        _marks.emplace_back(seq, t);
    } else {
        _marks.back().first = seq;
    }
}

bool segment_writer::compaction_due() const noexcept {
    auto live = static_cast<double>(segment_header_size + _table.size() * segment_record_size);
    return _offset > _e.cfg.compact_min_bytes && static_cast<double>(_offset) > _e.cfg.compact_ratio * live;
}

void segment_writer::tick(bool force) {
    if (_step != step::none || _closing) {
        return;
    }
    if (_failed && _e.now < _retry_at) {
        return;
    }
    if (_need_rewrite || !_active.valid() || !_active.is_open() || compaction_due()) {
        start_compaction();
        return;
    }
    // Group commit: when the interval has passed (or a flush/stop asks), everything applied so
    // far is written and then covered by one fsync; records arriving meanwhile wait for the next
    // commit unless a full batch is pending.
    bool commit_due = force || _e.now - _last_commit >= _e.cfg.fsync_interval;
    if (_commit_target == 0 && commit_due && _applied_seq > _durable_seq) {
        _commit_target = _applied_seq;
    }
    if (_commit_target != 0) {
        if (_written_seq < _commit_target) {
            start_write();
            return;
        }
        _step = step::fsync;
        _e.ring.prep_fsync(*this, _active.index());
        return;
    }
    if (_pending.size() >= _e.cfg.write_batch_bytes) {
        start_write();
    }
}

void segment_writer::start_write() {
    if (_pending.empty()) {
        _written_seq = _pending_seq;
        return;
    }
    std::swap(_pending, _inflight);
    _pending.clear();
    _inflight_seq = _pending_seq;
    _done = 0;
    _write_off = _offset;
    _step = step::write;
    continue_write();
}

void segment_writer::continue_write() {
    auto len = static_cast<unsigned>(std::min(_inflight.size() - _done, max_write));
    unsigned index = _step == step::write ? _active.index() : _new.index();
    _e.ring.prep_write(*this, index, _inflight.data() + _done, len, _write_off + _done);
}

void segment_writer::start_compaction() {
    // Two slots: the active one (possibly empty) is reused to fsync the directory.
    if (!_active.valid() || !_new.valid()) {
        std::optional<slot> s = _e.pool.try_acquire();
        if (!s) {
            _step = step::waiting_slot;
            _e.pool.wait(*this);
            return;
        }
        on_slot(std::move(*s));
        return;
    }
    // The image is the table as of _applied_seq: everything pending is in it, so drop the batch
    // (appending it after the image would replay older records over newer ones).
    double now = _e.cfg.now();
    _inflight.clear();
    _inflight.resize(segment_header_size);
    encode_segment_header(_inflight.data());
    {
        std::unique_lock lock(_table_mutex);
        for (auto it = _table.begin(); it != _table.end();) {
            if (it->second.received + _e.cfg.ratchet_expiry_s < now) {
                it = _table.erase(it); // spec §5.4: expired ratchets are removed
                continue;
            }
            std::size_t at = _inflight.size();
            _inflight.resize(at + segment_record_size);
            encode_segment_record(record_type::ratchet, it->second, _inflight.data() + at);
            ++it;
        }
        _e.counters.ratchets_live.store(_table.size(), std::memory_order_relaxed);
    }
    _pending.clear();
    _compaction_epoch = _rewrite_epoch;
    _compacting = true;
    _commit_target = 0;
    _inflight_seq = _applied_seq;
    _pending_seq = _applied_seq;
    _done = 0;
    _write_off = 0;
    _step = step::c_open_new;
    _e.ring.prep_open(*this, _new.index(), _new_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
}

void segment_writer::on_slot(slot s) noexcept {
    if (!_active.valid()) {
        _active = std::move(s);
    } else {
        _new = std::move(s);
    }
    _step = step::none;
    start_compaction();
}

void segment_writer::fail(int res, const char* what) {
    _e.failures.report(-res, what);
    _failed = true;
    _need_rewrite = true; // after a failed write or fsync the file's contents are unknown
    _retry_at = _e.now + _e.cfg.retry_interval;
    _new.reset(); // closes the compaction target if it was opened
    _compacting = false;
    _commit_target = 0;
    _pending.clear(); // the rewrite takes everything from the table
    _step = step::none;
}

void segment_writer::mark_durable(std::uint64_t seq) {
    _durable_seq = seq;
    _last_commit = _e.now;
    _e.counters.records_durable.store(seq, std::memory_order_relaxed);
    std::size_t n = 0;
    std::uint64_t prev = 0;
    for (; n < _marks.size() && _marks[n].first <= seq; ++n) {
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(_e.now - _marks[n].second).count();
        std::uint64_t first = n == 0 ? 0 : prev;
        _e.counters.latency.record(static_cast<std::uint64_t>(us), _marks[n].first - first);
        prev = _marks[n].first;
    }
    _marks.erase(_marks.begin(), _marks.begin() + static_cast<std::ptrdiff_t>(n));
    if (_failed) {
        _failed = false;
        _e.failures.resumed();
    }
}

void segment_writer::close() {
    _closing = true;
    if (_step == step::none && _active.valid() && _active.is_open()) {
        _step = step::close_final;
        _e.ring.prep_close(*this, _active.index());
    } else if (_step == step::none) {
        _active.reset();
    }
}

void segment_writer::on_complete(int res) noexcept {
    step s = _step;
    _step = step::none;
    if (res == -EAGAIN || res == -EINTR) { // requeue as it was
        _step = s;
        switch (s) {
        case step::write:
        case step::c_write:
            continue_write();
            return;
        case step::fsync:
            _e.ring.prep_fsync(*this, _active.index());
            return;
        default:
            _step = step::none;
            break;
        }
    }
    switch (s) {
    case step::open_append:
        if (res < 0) {
            _active.reset();
            fail(res, "open ratchets.seg");
            return;
        }
        _active.set_open(true);
        return;
    case step::write:
    case step::c_write:
        if (res < 0) {
            fail(res, s == step::write ? "append to ratchets.seg" : "write ratchets.seg.new");
            return;
        }
        _done += static_cast<std::size_t>(res);
        _e.counters.bytes_written.fetch_add(static_cast<std::uint64_t>(res), std::memory_order_relaxed);
        if (res == 0) {
            fail(-EIO, "write made no progress");
            return;
        }
        if (_done < _inflight.size()) { // short write: requeue the rest
            _step = s;
            continue_write();
            return;
        }
        if (s == step::write) {
            _offset += _inflight.size();
            _e.counters.records_written.fetch_add(_inflight.size() / segment_record_size,
                                                  std::memory_order_relaxed);
            _written_seq = _inflight_seq;
            _inflight.clear();
            return;
        }
        _step = step::c_fsync;
        _e.ring.prep_fsync(*this, _new.index());
        return;
    case step::fsync:
        if (res < 0) {
            fail(res, "fsync ratchets.seg");
            return;
        }
        _e.counters.fsyncs.fetch_add(1, std::memory_order_relaxed);
        _commit_target = 0;
        mark_durable(_written_seq);
        return;
    case step::c_open_new:
        if (res < 0) {
            fail(res, "create ratchets.seg.new");
            return;
        }
        _new.set_open(true);
        _step = step::c_write;
        continue_write();
        return;
    case step::c_fsync:
        if (res < 0) {
            fail(res, "fsync ratchets.seg.new");
            return;
        }
        _e.counters.fsyncs.fetch_add(1, std::memory_order_relaxed);
        _step = step::c_rename;
        _e.ring.prep_rename(*this, _new_path.c_str(), _seg_path.c_str());
        return;
    case step::c_rename:
        if (res < 0) {
            fail(res, "rename ratchets.seg.new");
            return;
        }
        if (_active.is_open()) {
            _step = step::c_close_old;
            _e.ring.prep_close(*this, _active.index());
            return;
        }
        [[fallthrough]];
    case step::c_close_old:
        _active.set_open(false);
        _step = step::c_open_dir;
        _e.ring.prep_open(*this, _active.index(), _e.dir.c_str(), O_RDONLY | O_DIRECTORY, 0);
        return;
    case step::c_open_dir:
        if (res < 0) {
            fail(res, "open state directory");
            return;
        }
        _active.set_open(true);
        _step = step::c_fsync_dir;
        _e.ring.prep_fsync(*this, _active.index());
        return;
    case step::c_fsync_dir:
        if (res < 0) {
            _e.failures.report(-res, "fsync state directory");
            _dir_sync_failed = true;
        } else {
            _e.counters.fsyncs.fetch_add(1, std::memory_order_relaxed);
        }
        _step = step::c_close_dir;
        _e.ring.prep_close(*this, _active.index());
        return;
    case step::c_close_dir: {
        _active.set_open(false);
        _active = std::move(_new); // the old handle returns its (closed) slot to the pool
        _offset = _inflight.size();
        _inflight.clear();
        _written_seq = _inflight_seq;
        _e.counters.compactions.fetch_add(1, std::memory_order_relaxed);
        _compacting = false;
        if (_dir_sync_failed) {
            // The rename is done but its directory entry may not be durable: compact again.
            _dir_sync_failed = false;
            _need_rewrite = true;
            _failed = true;
            _retry_at = _e.now + _e.cfg.retry_interval;
            return;
        }
        // A rewrite requested while this image was being written (directory recreated) still owes one.
        _need_rewrite = _compaction_epoch != _rewrite_epoch;
        _compacting = false;
        mark_durable(_inflight_seq);
        return;
    }
    case step::close_final:
        _active.set_open(false);
        _active.reset();
        return;
    case step::none:
    case step::waiting_slot:
        return;
    }
}

} // namespace persist
