// tools/bench/run persist: sustained ratchet updates per second, our way and the reference's way, in the
// same run on the same disk (not a test).
//   ours:       store::submit_ratchet -> MPSC ring -> persistence thread -> append-only segment,
//               group commit (one fsync per interval), registered-file slots (no descriptors).
//   reference:  per update, like Identity._remember_ratchet (spec §5.4): open <hex>.out, write the
//               msgpack {"ratchet", "received"}, close, rename over <hex>; ordinary descriptors,
//               no fsync. A second run adds an fsync per file, to compare at equal durability.
// Usage: bench_persist [seconds per mode, default 5] [parent dir, default TMPDIR or /var/tmp]

#include "persist/reference_codec.hpp"
#include "persist/stats.hpp"
#include "persist/store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>

namespace {

using clock_type = std::chrono::steady_clock;
constexpr std::uint64_t destinations = 100000;

rns::hash16 dest_of(std::uint64_t i) {
    rns::hash16 h{};
    std::uint64_t x = i * 0x9E3779B97F4A7C15ULL + 1;
    for (auto& b : h) {
        x ^= x >> 31;
        x *= 0xBF58476D1CE4E5B9ULL;
        b = static_cast<std::uint8_t>(x >> 56);
    }
    return h;
}

/// Samples the process descriptor count while a mode runs; keeps the maximum.
class fd_sampler {
  public:
    fd_sampler() : _t([this] {
          while (!_stop.load()) {
              int n = persist::count_process_fds();
              if (n > _max.load()) {
                  _max.store(n);
              }
              std::this_thread::sleep_for(std::chrono::microseconds(200));
          }
      }) {}
    int stop() {
        _stop.store(true);
        _t.join();
        return _max.load();
    }

  private:
    std::atomic<bool> _stop{false};
    std::atomic<int> _max{0};
    std::thread _t;
};

struct result {
    double rate = 0;
    std::uint64_t updates = 0;
    int fds_peak = 0;
    std::uint64_t opens = 0;
    std::uint64_t fsyncs = 0;
    std::uint64_t p50 = 0, p99 = 0;
};

/// rate_per_s == 0: as fast as the writer takes them; otherwise paced (latency at a normal load).
result run_ours(const std::filesystem::path& dir, double seconds, double rate_per_s = 0) {
    persist::config cfg;
    cfg.dir = dir;
    auto s = persist::store::open(cfg);
    std::mt19937_64 rng(1);
    rns::hash32 ratchet{};
    fd_sampler fds;
    auto t0 = clock_type::now();
    auto end = t0 + std::chrono::duration<double>(seconds);
    std::uint64_t n = 0;
    while (clock_type::now() < end) {
        if (rate_per_s > 0) {
            auto due = t0 + std::chrono::duration<double>(static_cast<double>(n) / rate_per_s);
            std::this_thread::sleep_until(std::chrono::time_point_cast<clock_type::duration>(due));
        }
        for (int k = 0; k < (rate_per_s > 0 ? 16 : 256); ++k) {
            ratchet[0] = static_cast<std::uint8_t>(n);
            ratchet[1] = static_cast<std::uint8_t>(n >> 8);
            if (s->submit_ratchet(dest_of(rng() % destinations), ratchet, 1702000000.0 + static_cast<double>(n))) {
                ++n;
            } else {
                std::this_thread::yield(); // ring full: the writer is the bottleneck
            }
        }
    }
    bool flushed = s->flush(std::chrono::milliseconds(120000));
    double elapsed = std::chrono::duration<double>(clock_type::now() - t0).count();
    result r;
    r.fds_peak = fds.stop(); // before snapshot_stats(), which reads /proc/self/fd itself
    persist::stats st = s->snapshot_stats();
    r.updates = flushed ? st.records_durable : 0;
    r.rate = static_cast<double>(r.updates) / elapsed;
    r.opens = 0;
    r.fsyncs = st.fsyncs;
    r.p50 = st.write_latency_p50_us;
    r.p99 = st.write_latency_p99_us;
    return r;
}

result run_reference(const std::filesystem::path& dir, double seconds, bool with_fsync) {
    std::filesystem::create_directories(dir);
    std::mt19937_64 rng(1);
    persist::ratchet_record rec;
    std::string d = dir.string() + "/";
    fd_sampler fds;
    auto t0 = clock_type::now();
    auto end = t0 + std::chrono::duration<double>(seconds);
    result r;
    while (clock_type::now() < end) {
        for (int k = 0; k < 16; ++k) {
            rec.destination = dest_of(rng() % destinations);
            rec.ratchet[0] = static_cast<std::uint8_t>(r.updates);
            rec.received = 1702000000.0 + static_cast<double>(r.updates);
            rns::bytes content = persist::reference::encode_ratchet(rec);
            std::string final_path = d + rns::to_hex(rec.destination);
            std::string out_path = final_path + ".out";
            int fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
            if (fd < 0) {
                std::perror("open");
                std::exit(1);
            }
            ++r.opens;
            if (::write(fd, content.data(), content.size()) != static_cast<ssize_t>(content.size())) {
                std::perror("write");
                std::exit(1);
            }
            if (with_fsync) {
                ::fsync(fd);
                ++r.fsyncs;
            }
            ::close(fd);
            if (::rename(out_path.c_str(), final_path.c_str()) != 0) {
                std::perror("rename");
                std::exit(1);
            }
            ++r.updates;
        }
    }
    double elapsed = std::chrono::duration<double>(clock_type::now() - t0).count();
    r.fds_peak = fds.stop();
    r.rate = static_cast<double>(r.updates) / elapsed;
    return r;
}

} // namespace

int main(int argc, char** argv) {
    double seconds = argc > 1 ? std::atof(argv[1]) : 5.0;
    const char* tmp = std::getenv("TMPDIR");
    std::filesystem::path parent = argc > 2 ? argv[2] : (tmp != nullptr ? tmp : "/var/tmp");
    std::string tmpl = (parent / "rns-bench-persist-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) {
        std::perror("mkdtemp");
        return 1;
    }
    std::filesystem::path base = tmpl;
    int fds_idle = persist::count_process_fds();
    std::printf("persist benchmark: %g s per mode, %llu destinations, random updates, in %s\n", seconds,
                static_cast<unsigned long long>(destinations), base.c_str());
    std::printf("process descriptors before: %d\n", fds_idle);

    result ours = run_ours(base / "ours", seconds);
    result ref = run_reference(base / "reference", seconds, false);
    result ref_sync = run_reference(base / "reference-fsync", seconds / 2, true);
    result paced = run_ours(base / "ours-paced", seconds / 2, 10000);

    std::printf("\n%-34s %14s %10s %12s %10s %10s\n", "mode", "updates/s", "durable", "fd peak", "opens", "fsyncs");
    auto row = [&](const char* name, const result& r, const char* durable) {
        std::printf("%-34s %14.0f %10s %5d (+%d) %10llu %10llu\n", name, r.rate, durable, r.fds_peak,
                    r.fds_peak - fds_idle, static_cast<unsigned long long>(r.opens),
                    static_cast<unsigned long long>(r.fsyncs));
    };
    row("rnsrouter (segment, group commit)", ours, "yes");
    row("reference way (open/write/close)", ref, "no");
    row("reference way + fsync per file", ref_sync, "yes");
    std::printf("\nrnsrouter write latency (accepted -> durable, fsync interval 50 ms):\n"
                "  saturated: p50 %llu us, p99 %llu us;  paced at 10000 updates/s: p50 %llu us, p99 %llu us\n",
                static_cast<unsigned long long>(ours.p50), static_cast<unsigned long long>(ours.p99),
                static_cast<unsigned long long>(paced.p50), static_cast<unsigned long long>(paced.p99));
    std::printf("ratio rnsrouter / reference way: %.1fx; / reference way + fsync: %.1fx\n",
                ours.rate / ref.rate, ours.rate / ref_sync.rate);
    std::printf("descriptors: rnsrouter holds no state file in its descriptor table (+1 = the io_uring "
                "itself); the reference way opens one descriptor per update\n");
    std::error_code ec;
    std::filesystem::remove_all(base, ec);
    return 0;
}
