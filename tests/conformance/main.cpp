// Conformance runner: every *.json vector file in VECTORS_DIR is checked by its registered checker.
// Fails (exit 1) if the folder is missing, a file has no checker (kind not understood), a file
// yields no cases, or any case fails.

#include "crypto/random.hpp"
#include "tests/conformance/registry.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <vector>

namespace rns::conformance {
namespace {

struct entry {
    std::string pattern;
    checker_fn fn;
};

std::vector<entry>& registry() {
    static std::vector<entry> r;
    return r;
}

bool matches(const std::string& pattern, const std::string& name) {
    if (!pattern.empty() && pattern.find('*') != std::string::npos) {
        auto star = pattern.find('*');
        std::string pre = pattern.substr(0, star);
        std::string post = pattern.substr(star + 1);
        return name.size() >= pre.size() + post.size() && name.starts_with(pre) &&
               name.ends_with(post);
    }
    return pattern == name;
}

} // namespace

registration::registration(const char* pattern, checker_fn fn) {
    registry().push_back({pattern, fn});
}

bool context::check(bool ok, const std::string& what) {
    if (!ok) {
        fail(what);
    }
    return ok;
}

void context::fail(const std::string& what) {
    ++failures;
    if (failures <= 20) {
        std::cerr << "  FAIL " << file << ": " << what << "\n";
    } else if (failures == 21) {
        std::cerr << "  (further failures in " << file << " not shown)\n";
    }
}

bytes hex(context& ctx, const json& v) {
    if (v.is_null()) {
        return {};
    }
    if (!v.is_string()) {
        ctx.fail("expected a hex string, got " + v.dump());
        return {};
    }
    auto b = from_hex(v.get<std::string>());
    if (!b) {
        ctx.fail("malformed hex: " + v.get<std::string>().substr(0, 40));
        return {};
    }
    return *b;
}

} // namespace rns::conformance

int main() {
    using namespace rns::conformance;
    namespace fs = std::filesystem;
    if (!rns::crypto::init()) {
        std::cerr << "conformance: libsodium failed to initialise\n";
        return 1;
    }
    const char* env = std::getenv("VECTORS_DIR");
    fs::path dir = env != nullptr && *env != '\0' ? fs::path(env) : fs::path(RNS_DEFAULT_VECTORS_DIR);
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        std::cerr << "conformance: VECTORS_DIR " << dir << " is not a folder\n";
        return 1;
    }
    std::vector<std::string> files;
    for (const auto& de : fs::directory_iterator(dir)) {
        if (de.is_regular_file() && de.path().extension() == ".json") {
            files.push_back(de.path().filename().string());
        }
    }
    std::sort(files.begin(), files.end());
    std::cout << "conformance: vectors from " << fs::absolute(dir).string()
              << (env != nullptr && *env != '\0' ? " (VECTORS_DIR)" : " (default)") << "\n";
    if (files.empty()) {
        std::cerr << "conformance: no vector files in " << dir << "\n";
        return 1;
    }

    int bad_files = 0;
    long total_cases = 0;
    for (const auto& name : files) {
        auto it = std::find_if(registry().begin(), registry().end(),
                               [&](const auto& e) { return matches(e.pattern, name); });
        if (it == registry().end()) {
            std::cout << name << ": FAILED, kind not understood (no checker)\n";
            ++bad_files;
            continue;
        }
        context ctx;
        ctx.dir = dir;
        ctx.file = name;
        try {
            std::ifstream in(dir / name);
            ctx.doc = json::parse(in);
        } catch (const std::exception& e) {
            std::cout << name << ": FAILED, not valid JSON: " << e.what() << "\n";
            ++bad_files;
            continue;
        }
        try {
            it->fn(ctx);
        } catch (const std::exception& e) {
            ctx.fail(std::string("checker threw: ") + e.what());
        }
        total_cases += ctx.cases;
        if (ctx.cases == 0) {
            std::cout << name << ": FAILED, no cases checked\n";
            ++bad_files;
        } else if (ctx.failures > 0) {
            std::cout << name << ": " << ctx.cases << " cases checked, " << ctx.failures
                      << " FAILED\n";
            ++bad_files;
        } else {
            std::cout << name << ": " << ctx.cases << " cases checked, all passed\n";
        }
    }
    std::cout << "conformance: " << files.size() << " files, " << total_cases << " cases, "
              << bad_files << " files failed\n";
    return bad_files == 0 ? 0 : 1;
}
