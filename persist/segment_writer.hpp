#pragma once
// Internal: the ratchet segment's writer, a small state machine driven by the persistence
// thread. Records are appended with group commit (write when a batch is full or the commit is
// due, then one fsync per interval); the segment is compacted (new file, fsync, rename, fsync
// directory) when it outgrows the live data, after any write failure, and when the state
// directory was recreated. At most one operation is in flight; at most two slots are held.

#include "persist/engine.hpp"
#include "persist/ratchet_log.hpp"

#include <shared_mutex>
#include <string>
#include <vector>

namespace persist {

class segment_writer final : public io_client, public slot_waiter {
  public:
    segment_writer(engine& e, ratchet_map& table, std::shared_mutex& table_mutex);

    /// After loading: append to the existing file at `end` (opened through the ring), or
    /// rewrite it first when it was missing, torn or held expired or corrupt records.
    void start(bool clean, std::uint64_t end);
    /// Applies one record (table first, then the pending batch). seq numbers are consecutive.
    void append(record_type type, const ratchet_record& r, std::uint64_t seq, steady::time_point t);
    /// Starts the next operation if one is due. force: commit now (barrier or stop).
    void tick(bool force);
    /// The state directory was recreated: everything must be written again.
    void request_rewrite() noexcept {
        _need_rewrite = true;
        ++_rewrite_epoch;
    }
    /// Closes the segment (stop). idle() turns true when done.
    void close();

    [[nodiscard]] bool idle() const noexcept { return _step == step::none; }
    [[nodiscard]] std::uint64_t durable_seq() const noexcept { return _durable_seq; }
    [[nodiscard]] std::uint64_t applied_seq() const noexcept { return _applied_seq; }
    [[nodiscard]] bool closed() const noexcept { return !_active.valid(); }
    /// A full rewrite is owed (after a failure or a recreated directory): until it is done,
    /// nothing counts as flushed, whatever durable_seq() says.
    [[nodiscard]] bool rewrite_pending() const noexcept { return _need_rewrite; }

    void on_complete(int res) noexcept override;
    void on_slot(slot s) noexcept override;

  private:
    enum class step : std::uint8_t {
        none, waiting_slot, open_append, write, fsync,
        c_open_new, c_write, c_fsync, c_rename, c_close_old, c_open_dir, c_fsync_dir, c_close_dir,
        close_final,
    };

    void start_write();
    void start_compaction();
    void continue_write();
    void fail(int res, const char* what);
    void mark_durable(std::uint64_t seq);
    [[nodiscard]] bool compaction_due() const noexcept;

    engine& _e;
    ratchet_map& _table;
    std::shared_mutex& _table_mutex;
    std::string _seg_path, _new_path;

    slot _active;  ///< the segment being appended to
    slot _new;     ///< the compaction target
    step _step = step::none;
    std::uint64_t _offset = 0; ///< append position in the active segment

    rns::bytes _pending;  ///< encoded records not yet written
    rns::bytes _inflight; ///< the buffer being written (or the compaction image)
    std::size_t _done = 0;
    std::uint64_t _write_off = 0;
    std::uint64_t _pending_seq = 0, _inflight_seq = 0, _written_seq = 0, _durable_seq = 0, _applied_seq = 0;

    /// (seq, time dequeued) marks for the latency histogram: one per append call batch.
    std::vector<std::pair<std::uint64_t, steady::time_point>> _marks;

    bool _need_rewrite = false;
    bool _failed = false;
    bool _closing = false;
    bool _dir_sync_failed = false;
    bool _compacting = false;          ///< the image is taken; records after it go to _pending
    std::uint64_t _commit_target = 0;  ///< group commit in progress: write up to here, then fsync
    std::uint64_t _rewrite_epoch = 0;      ///< bumped by request_rewrite()
    std::uint64_t _compaction_epoch = 0;   ///< epoch when the running compaction took its image
    steady::time_point _retry_at{};
    steady::time_point _last_commit{};
};

} // namespace persist
