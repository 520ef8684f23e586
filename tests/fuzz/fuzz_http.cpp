// libFuzzer target: the /metrics listener's request head reader (router/ctlplane/http_request.hpp)
// on arbitrary bytes. Never reads past the input (ASan); a head it finds ends with an empty line
// (LF LF or LF CR LF) and contains no earlier one; /metrics is routed only for a request line that
// starts "GET /metrics" followed by a space or '?'.
#include "router/ctlplane/http_request.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rns::ctlplane;
    const std::string_view buf(reinterpret_cast<const char*>(data), size);
    const std::size_t head = request_head_size(buf);
    if (head > size) {
        std::abort();
    }
    if (head != 0) {
        const std::string_view h = buf.substr(0, head);
        if (!(h.ends_with("\n\n") || h.ends_with("\n\r\n"))) {
            std::abort();
        }
        const std::string_view before = h.substr(0, h.size() - 2);
        if (before.find("\n\n") != std::string_view::npos || before.find("\n\r\n") != std::string_view::npos) {
            std::abort();
        }
    }
    if (route_request(buf) == http_route::metrics &&
        !(buf.starts_with("GET /metrics ") || buf.starts_with("GET /metrics?"))) {
        std::abort();
    }
    return 0;
}
