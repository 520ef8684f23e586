#pragma once
// Helpers shared by the persistence tests: scratch directories, deterministic records, and a
// check that no state file is in the process descriptor table.

#include "persist/records.hpp"

#include <dirent.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace persist::test {

/// A fresh directory under TMPDIR (or /tmp), removed at scope exit.
struct scratch_dir {
    std::filesystem::path path;
    explicit scratch_dir(const std::string& tag) {
        const char* t = std::getenv("TMPDIR");
        std::string tmpl = std::string(t != nullptr ? t : "/tmp") + "/rns-persist-" + tag + "-XXXXXX";
        char* p = mkdtemp(tmpl.data());
        if (p == nullptr) {
            throw std::runtime_error("mkdtemp failed");
        }
        path = p;
    }
    ~scratch_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

/// Destination i's hash (distinct for distinct i, uniform bytes).
inline rns::hash16 dest_of(std::uint64_t i) {
    rns::hash16 h{};
    std::uint64_t x = i * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL;
    for (std::size_t k = 0; k < 16; ++k) {
        x ^= x >> 29;
        x *= 0xBF58476D1CE4E5B9ULL;
        x ^= x >> 32;
        h[k] = static_cast<std::uint8_t>(x);
    }
    // keep i recoverable in the last 8 bytes
    for (std::size_t k = 0; k < 8; ++k) {
        h[8 + k] = static_cast<std::uint8_t>(i >> (8 * k));
    }
    return h;
}

/// The ratchet of update number n (a function of n, so a reader can check it).
inline rns::hash32 ratchet_of(std::uint64_t n) {
    rns::hash32 r{};
    std::uint64_t x = n ^ 0xD6E8FEB86659FD93ULL;
    for (std::size_t k = 0; k < 32; ++k) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        r[k] = static_cast<std::uint8_t>(x >> 56);
    }
    return r;
}

/// Entries of /proc/self/fd that point into dir (must always be zero).
inline int fds_pointing_into(const std::filesystem::path& dir) {
    int n = 0;
    std::string prefix = std::filesystem::canonical(dir).string();
    for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
        std::error_code ec;
        auto target = std::filesystem::read_symlink(e.path(), ec);
        if (!ec && target.string().rfind(prefix, 0) == 0) {
            ++n;
        }
    }
    return n;
}

} // namespace persist::test
