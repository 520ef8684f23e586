#pragma once
// Conformance checkers register themselves per vector file; the runner (main.cpp) walks VECTORS_DIR,
// hands each JSON document to its checker and fails loudly on unknown files or files with no cases.

#include "router/rns/bytes.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

namespace rns::conformance {

using json = nlohmann::json;

/// State of one vector file's check: the document, its folder, and the running tallies.
struct context {
    std::filesystem::path dir;  ///< VECTORS_DIR
    std::string file;           ///< file name inside dir
    json doc;
    int cases = 0;
    int failures = 0;

    /// Counts one case; records a failure with a message when ok is false. Returns ok.
    bool check(bool ok, const std::string& what);
    /// Records a failure that is not tied to a single case count.
    void fail(const std::string& what);
    /// Starts a new case (a case may make several checks; it counts once).
    void begin_case() { ++cases; }
};

/// Hex string field → bytes (empty for null). Records a failure on malformed hex.
bytes hex(context& ctx, const json& v);

using checker_fn = void (*)(context&);

struct registration {
    registration(const char* pattern, checker_fn fn);
};

} // namespace rns::conformance

/// Registers fn for vector files whose name matches pattern ("name.json", or "prefix*.json").
#define RNS_CONFORMANCE_CHECKER(pattern, fn)                                                       \
    static const ::rns::conformance::registration rns_conformance_reg_##fn{pattern, fn}
