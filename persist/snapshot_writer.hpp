#pragma once
// Internal: replaces one whole-file snapshot (paths, known destinations, identity) through the
// ring: open `<name>.tmp` into a slot, write, fsync, close, rename over `<name>`, then open the
// directory into the same slot, fsync it and close it. Only the newest content is kept: a newer
// snapshot submitted while one is being written replaces the queued one.

#include "persist/engine.hpp"
#include "router/rns/bytes.hpp"

#include <memory>
#include <string>

namespace persist {

class snapshot_writer final : public io_client, public slot_waiter {
  public:
    snapshot_writer(engine& e, const std::string& name);

    /// New content (generation numbers increase with each submission).
    void set(std::shared_ptr<const rns::bytes> content, std::uint64_t generation);
    /// Content loaded at start-up: kept for a rewrite after the directory is recreated.
    void adopt(std::shared_ptr<const rns::bytes> content) { _content = std::move(content); }
    /// Starts writing when there is something newer than what is durable.
    void tick();
    /// The directory was recreated: write the current content again.
    void rewrite() noexcept;

    [[nodiscard]] bool idle() const noexcept { return _step == step::none; }
    /// Content newer than what is on disk (or a rewrite owed).
    [[nodiscard]] bool dirty() const noexcept { return _dirty; }
    /// Nothing owed and nothing in flight (a rewrite after a recreated directory included).
    [[nodiscard]] bool settled() const noexcept { return !_dirty && _step == step::none; }
    [[nodiscard]] std::uint64_t durable_generation() const noexcept { return _durable_gen; }
    [[nodiscard]] std::uint64_t wanted_generation() const noexcept { return _gen; }

    void on_complete(int res) noexcept override;
    void on_slot(slot s) noexcept override;

  private:
    enum class step : std::uint8_t {
        none, waiting_slot, open_tmp, write, fsync, close, rename, open_dir, fsync_dir, close_dir,
    };
    void fail(int res, const char* what);
    void continue_write();

    engine& _e;
    std::string _name, _path, _tmp_path;
    slot _slot;
    step _step = step::none;
    std::shared_ptr<const rns::bytes> _content;  ///< newest content
    std::shared_ptr<const rns::bytes> _writing;  ///< content being written
    std::uint64_t _gen = 0, _writing_gen = 0, _durable_gen = 0;
    std::size_t _done = 0;
    bool _dirty = false;
    bool _failed = false;
    steady::time_point _retry_at{};
};

} // namespace persist
