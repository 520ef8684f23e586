#include "persist/snapshot_writer.hpp"

#include <fcntl.h>

#include <algorithm>
#include <cerrno>

namespace persist {

snapshot_writer::snapshot_writer(engine& e, const std::string& name)
    : _e(e), _name(name), _path(e.dir + "/" + name), _tmp_path(e.dir + "/" + name + ".tmp") {}

void snapshot_writer::set(std::shared_ptr<const rns::bytes> content, std::uint64_t generation) {
    _content = std::move(content);
    _gen = generation;
    _dirty = true;
}

void snapshot_writer::rewrite() noexcept {
    if (_content) {
        _dirty = true;
    }
}

void snapshot_writer::tick() {
    if (_step != step::none || !_dirty) {
        return;
    }
    if (_failed && _e.now < _retry_at) {
        return;
    }
    std::optional<slot> s = _e.pool.try_acquire();
    if (!s) {
        _step = step::waiting_slot; // backpressure: wait for a slot in FIFO order
        _e.pool.wait(*this);
        return;
    }
    on_slot(std::move(*s));
}

void snapshot_writer::on_slot(slot s) noexcept {
    _slot = std::move(s);
    _writing = _content;
    _writing_gen = _gen;
    _dirty = false;
    _done = 0;
    _step = step::open_tmp;
    _e.ring.prep_open(*this, _slot.index(), _tmp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
}

void snapshot_writer::continue_write() {
    auto len = static_cast<unsigned>(std::min<std::size_t>(_writing->size() - _done, 1024 * 1024));
    _e.ring.prep_write(*this, _slot.index(), _writing->data() + _done, len, _done);
}

void snapshot_writer::fail(int res, const char* what) {
    std::string msg = what + std::string(" ") + _name;
    _e.failures.report(-res, msg);
    _slot.reset(); // a file still installed is closed through the ring before the slot is reused
    _failed = true;
    _dirty = true;
    _retry_at = _e.now + _e.cfg.retry_interval;
    _step = step::none;
}

void snapshot_writer::on_complete(int res) noexcept {
    step s = _step;
    if (res == -EAGAIN || res == -EINTR) {
        if (s == step::write) {
            continue_write();
            return;
        }
        if (s == step::fsync || s == step::fsync_dir) {
            _e.ring.prep_fsync(*this, _slot.index());
            return;
        }
    }
    switch (s) {
    case step::open_tmp:
        if (res < 0) {
            fail(res, "create");
            return;
        }
        _slot.set_open(true);
        _step = step::write;
        if (_writing->empty()) {
            on_complete(0);
            return;
        }
        continue_write();
        return;
    case step::write:
        if (res < 0) {
            fail(res, "write");
            return;
        }
        _done += static_cast<std::size_t>(res);
        _e.counters.bytes_written.fetch_add(static_cast<std::uint64_t>(res), std::memory_order_relaxed);
        if (_done < _writing->size()) {
            if (res == 0) {
                fail(-EIO, "write (no progress)");
                return;
            }
            continue_write(); // short write: requeue the rest
            return;
        }
        _step = step::fsync;
        _e.ring.prep_fsync(*this, _slot.index());
        return;
    case step::fsync:
        if (res < 0) {
            fail(res, "fsync");
            return;
        }
        _e.counters.fsyncs.fetch_add(1, std::memory_order_relaxed);
        _step = step::close;
        _e.ring.prep_close(*this, _slot.index());
        return;
    case step::close:
        _slot.set_open(false);
        _step = step::rename;
        _e.ring.prep_rename(*this, _tmp_path.c_str(), _path.c_str());
        return;
    case step::rename:
        if (res < 0) {
            fail(res, "rename");
            return;
        }
        _step = step::open_dir;
        _e.ring.prep_open(*this, _slot.index(), _e.dir.c_str(), O_RDONLY | O_DIRECTORY, 0);
        return;
    case step::open_dir:
        if (res < 0) {
            fail(res, "open directory for");
            return;
        }
        _slot.set_open(true);
        _step = step::fsync_dir;
        _e.ring.prep_fsync(*this, _slot.index());
        return;
    case step::fsync_dir:
        if (res < 0) {
            fail(res, "fsync directory for");
            return;
        }
        _e.counters.fsyncs.fetch_add(1, std::memory_order_relaxed);
        _step = step::close_dir;
        _e.ring.prep_close(*this, _slot.index());
        return;
    case step::close_dir:
        _slot.set_open(false);
        _slot.reset();
        _step = step::none;
        _durable_gen = _writing_gen;
        _writing.reset();
        _e.counters.snapshots_written.fetch_add(1, std::memory_order_relaxed);
        if (_failed) {
            _failed = false;
            _e.failures.resumed();
        }
        return;
    case step::none:
    case step::waiting_slot:
        return;
    }
}

} // namespace persist
