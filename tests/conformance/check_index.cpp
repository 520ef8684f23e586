// index.json: every listed file exists with the recorded size and SHA-256, and every JSON file's
// top-level lists have the recorded number of entries (so a truncated vector set is caught).

#include "crypto/sha256.hpp"
#include "tests/conformance/registry.hpp"

#include <fstream>
#include <iterator>

namespace rns::conformance {
namespace {

const json* find_path(const json& doc, const std::string& dotted) {
    const json* cur = &doc;
    std::size_t start = 0;
    while (start <= dotted.size()) {
        auto dot = dotted.find('.', start);
        std::string key = dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (!cur->is_object() || !cur->contains(key)) {
            // Keys may themselves contain dots ("endpoint.built"): try the rest as one key.
            std::string rest = dotted.substr(start);
            if (cur->is_object() && cur->contains(rest)) {
                return &(*cur)[rest];
            }
            return nullptr;
        }
        cur = &(*cur)[key];
        if (dot == std::string::npos) {
            break;
        }
        start = dot + 1;
    }
    return cur;
}

void check_index(context& ctx) {
    for (const auto& f : ctx.doc.at("files")) {
        ctx.begin_case();
        const std::string name = f.at("file").get<std::string>();
        std::ifstream in(ctx.dir / name, std::ios::binary);
        if (!ctx.check(static_cast<bool>(in), name + ": listed in index.json but missing")) {
            continue;
        }
        bytes content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        ctx.check(content.size() == f.at("size").get<std::size_t>(), name + ": size differs");
        ctx.check(to_hex(crypto::sha256(content)) == f.at("sha256").get<std::string>(),
                  name + ": sha256 differs");
        if (f.contains("counts") && name.ends_with(".json")) {
            json doc = json::parse(content);
            for (const auto& [key, want] : f.at("counts").items()) {
                const json* v = find_path(doc, key);
                ctx.check(v != nullptr && v->is_array() && v->size() == want.get<std::size_t>(),
                          name + ": count of '" + key + "' differs from index.json");
            }
        }
    }
}

} // namespace

RNS_CONFORMANCE_CHECKER("index.json", check_index);

} // namespace rns::conformance
