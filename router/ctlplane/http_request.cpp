#include "router/ctlplane/http_request.hpp"

namespace rns::ctlplane {

std::size_t request_head_size(std::string_view buf) noexcept {
    // The head ends at the first empty line: "\r\n\r\n", or "\n\n" from lenient clients.
    for (std::size_t i = 0; i + 1 < buf.size(); ++i) {
        if (buf[i] != '\n') {
            continue;
        }
        if (buf[i + 1] == '\n') {
            return i + 2;
        }
        if (buf[i + 1] == '\r' && i + 2 < buf.size() && buf[i + 2] == '\n') {
            return i + 3;
        }
    }
    return 0;
}

http_route route_request(std::string_view head) noexcept {
    const std::size_t eol = head.find_first_of("\r\n");
    const std::string_view line = head.substr(0, eol);
    // METHOD SP TARGET SP HTTP/x.y, tokens without spaces (RFC 9112 §3).
    const std::size_t sp1 = line.find(' ');
    if (sp1 == std::string_view::npos || sp1 == 0) {
        return http_route::bad_request;
    }
    const std::size_t sp2 = line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || sp2 == sp1 + 1 || line.find(' ', sp2 + 1) != std::string_view::npos) {
        return http_route::bad_request;
    }
    const std::string_view method = line.substr(0, sp1);
    const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    const std::string_view version = line.substr(sp2 + 1);
    if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.') {
        return http_route::bad_request;
    }
    if (method != "GET") {
        return http_route::bad_method;
    }
    const std::string_view path = target.substr(0, target.find('?'));
    return path == "/metrics" ? http_route::metrics : http_route::not_found;
}

} // namespace rns::ctlplane
