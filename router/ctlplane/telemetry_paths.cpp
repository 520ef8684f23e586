#include "router/ctlplane/telemetry_paths.hpp"

#include <rte_telemetry.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace rns::ctlplane {

namespace {

// What a page shows of a path entry (not its random blobs: no allocation per candidate).
struct path_row {
    hash16 dest{};
    hash16 next_hop{};
    std::uint8_t hops = 0;
    control::iface_id iface = control::no_iface;
    double timestamp = 0;
    double expires = 0;
};

struct exchange {
    std::mutex mutex;
    std::condition_variable cv;
    std::mutex one_at_a_time; ///< telemetry clients each have a thread: one request in flight
    std::atomic<bool> pending{false};
    hash16 start{};
    bool answered = false;
    std::vector<path_row> rows;
    std::optional<hash16> next;
    std::size_t total = 0;
};

exchange g_x;
bool g_registered = false;

std::optional<hash16> parse_hash(const char* s) {
    hash16 h{};
    if (s == nullptr || std::strlen(s) != 2 * h.size()) {
        return std::nullopt;
    }
    for (std::size_t i = 0; i < h.size(); ++i) {
        unsigned v = 0;
        for (int k = 0; k < 2; ++k) {
            const char c = s[2 * i + static_cast<std::size_t>(k)];
            unsigned d = 0;
            if (c >= '0' && c <= '9') {
                d = static_cast<unsigned>(c - '0');
            } else if (c >= 'a' && c <= 'f') {
                d = static_cast<unsigned>(c - 'a' + 10);
            } else if (c >= 'A' && c <= 'F') {
                d = static_cast<unsigned>(c - 'A' + 10);
            } else {
                return std::nullopt;
            }
            v = v * 16 + d;
        }
        h[i] = static_cast<std::uint8_t>(v);
    }
    return h;
}

int cmd_paths(const char*, const char* params, rte_tel_data* d) {
    hash16 start{};
    if (params != nullptr && *params != '\0') {
        const auto h = parse_hash(params);
        if (!h) {
            return -EINVAL; // telemetry answers null
        }
        start = *h;
    }
    std::lock_guard one(g_x.one_at_a_time);
    std::unique_lock lock(g_x.mutex);
    g_x.start = start;
    g_x.answered = false;
    g_x.pending.store(true, std::memory_order_release);
    if (!g_x.cv.wait_for(lock, std::chrono::seconds(1), [] { return g_x.answered; })) {
        g_x.pending.store(false, std::memory_order_relaxed);
        return -EAGAIN; // the control loop is not running (stopping)
    }
    rte_tel_data_start_dict(d);
    rte_tel_data_add_dict_u64(d, "total", g_x.total);
    if (g_x.next) {
        rte_tel_data_add_dict_string(d, "next", to_hex(*g_x.next).c_str());
    }
    for (const path_row& r : g_x.rows) {
        rte_tel_data* n = rte_tel_data_alloc();
        if (n == nullptr) {
            break;
        }
        rte_tel_data_start_dict(n);
        rte_tel_data_add_dict_string(n, "next_hop", to_hex(r.next_hop).c_str());
        rte_tel_data_add_dict_u64(n, "hops", r.hops);
        rte_tel_data_add_dict_u64(n, "iface", r.iface);
        rte_tel_data_add_dict_u64(n, "timestamp", static_cast<std::uint64_t>(r.timestamp));
        rte_tel_data_add_dict_u64(n, "expires", static_cast<std::uint64_t>(r.expires));
        if (rte_tel_data_add_dict_container(d, to_hex(r.dest).c_str(), n, 0) != 0) {
            rte_tel_data_free(n);
        }
    }
    g_x.rows.clear();
    return 0;
}

} // namespace

path_listing::path_listing() {
    if (!g_registered) {
        (void)rte_telemetry_register_cmd("/rns/paths", cmd_paths,
                                         "Path table, a page from destination START: /rns/paths[,START]");
        g_registered = true;
    }
}

void path_listing::serve(const control::transport& t) {
    if (!g_x.pending.load(std::memory_order_acquire)) {
        return;
    }
    std::lock_guard lock(g_x.mutex);
    if (!g_x.pending.load(std::memory_order_relaxed)) {
        return; // the requester gave up meanwhile
    }
    // The page_size + 1 smallest destinations >= start: a max-heap of that size over one pass.
    const auto by_dest = [](const path_row& a, const path_row& b) { return a.dest < b.dest; };
    std::vector<path_row> heap;
    heap.reserve(page_size + 2);
    for (const auto& [dest, e] : t.paths()) {
        if (dest < g_x.start) {
            continue;
        }
        if (heap.size() == page_size + 1 && !(dest < heap.front().dest)) {
            continue;
        }
        heap.push_back({dest, e.next_hop, e.hops, e.iface, e.timestamp, e.expires});
        std::push_heap(heap.begin(), heap.end(), by_dest);
        if (heap.size() > page_size + 1) {
            std::pop_heap(heap.begin(), heap.end(), by_dest);
            heap.pop_back();
        }
    }
    std::sort_heap(heap.begin(), heap.end(), by_dest);
    g_x.next.reset();
    if (heap.size() > page_size) {
        g_x.next = heap.back().dest;
        heap.pop_back();
    }
    g_x.rows = std::move(heap);
    g_x.total = t.path_count();
    g_x.answered = true;
    g_x.pending.store(false, std::memory_order_relaxed);
    g_x.cv.notify_all();
}

} // namespace rns::ctlplane
