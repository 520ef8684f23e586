#pragma once
// Internal: the state of a store shared between the API (any thread) and the persistence thread.

#include "persist/engine.hpp"
#include "persist/mpsc_ring.hpp"
#include "persist/ratchet_log.hpp"
#include "persist/store.hpp"

#include <condition_variable>
#include <future>
#include <mutex>
#include <shared_mutex>
#include <thread>

namespace persist {

enum class msg_kind : std::uint8_t { ratchet, forget, paths, known, identity, tunnels, barrier, stop };

/// One ring entry. Ratchets travel inline (no allocation on the packet path); whole tables
/// travel as an owned pointer that the persistence thread deletes.
struct message {
    ratchet_record rec;
    void* payload = nullptr;
    msg_kind kind = msg_kind::ratchet;
};

/// A flush() waiting for the thread to make its records durable.
struct barrier_state {
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
    bool ok = false;
    void finish(bool success) {
        std::lock_guard lock(m);
        done = true;
        ok = success;
        cv.notify_all();
    }
};

struct store::impl {
    config cfg;
    std::string dir;
    mpsc_ring<message> ring;
    live_counters counters;
    unsigned slots_total = 0;

    mutable std::shared_mutex table_mutex; // persistence thread: writes; control plane: reads
    ratchet_map table;

    loaded_state loaded;
    std::thread thread;
    std::atomic<bool> stopped{false};
    std::mutex stop_mutex;

    explicit impl(config c);
    bool push(const message& m) noexcept;
    void run(std::promise<void>& ready);
};

/// Loads the state directory through the ring before the thread's loop starts (synchronous:
/// nothing else is in flight yet). Returns the segment's append position when it is clean.
struct load_outcome {
    bool segment_clean = false;
    std::uint64_t segment_end = 0;
    std::uint64_t dir_inode = 0;
    std::shared_ptr<const rns::bytes> paths_file, known_file, identity_file, tunnels_file;
};
load_outcome load_state_dir(engine& e, ratchet_map& table, loaded_state& out);

/// Runs one operation to completion (load phase only).
int run_sync(uring& ring, const std::function<void(io_client&)>& prep);

} // namespace persist
