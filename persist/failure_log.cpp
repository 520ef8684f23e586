#include "persist/engine.hpp"

#include <cstring>
#include <string>

namespace persist {

void failure_log::report(int err, std::string_view what) {
    failure_kind k = classify_errno(err);
    auto i = static_cast<std::size_t>(k);
    _c.failures[i].fetch_add(1, std::memory_order_relaxed);
    _failing = true;
    if (!_logged[i]) {
        _logged[i] = true;
        std::string line = "persist: " + std::string(what) + " failed: " + std::strerror(err) + " (" +
                           std::string(to_string(k)) + "); counting further failures of this kind, retrying";
        _cfg.log(line);
    }
}

void failure_log::resumed() {
    if (_failing) {
        _failing = false;
        _logged = {};
        _cfg.log("persist: writing resumed");
    }
}

} // namespace persist
