// The /metrics listener's request head (router/ctlplane/http_request.hpp) against RFC 9112 §2-§3:
// a head ends at the first empty line (CRLF CRLF, or LF LF from lenient clients); the request
// line is METHOD SP TARGET SP HTTP-version, and only GET of /metrics (any query) is served.
#include "router/ctlplane/http_request.hpp"

#include <doctest/doctest.h>

#include <string_view>

using namespace rns::ctlplane;

TEST_CASE("http request head: where it ends") {
    const struct {
        std::string_view buf;
        std::size_t size;
    } cases[] = {
        {"", 0},
        {"GET /metrics HTTP/1.1\r\n", 0},
        {"GET /metrics HTTP/1.1\r\nHost: x\r\n", 0},
        {"GET /metrics HTTP/1.1\r\n\r\n", 25},
        {"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\nbody", 34},
        {"GET /metrics HTTP/1.0\n\n", 23},
        {"\n\n", 2},
    };
    for (const auto& c : cases) {
        CAPTURE(c.buf);
        CHECK(request_head_size(c.buf) == c.size);
    }
}

TEST_CASE("http request line: routes") {
    const struct {
        std::string_view head;
        http_route route;
    } cases[] = {
        {"GET /metrics HTTP/1.1\r\n\r\n", http_route::metrics},
        {"GET /metrics?x=1 HTTP/1.0\r\n\r\n", http_route::metrics},
        {"GET /metrics HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n", http_route::metrics},
        {"GET / HTTP/1.1\r\n\r\n", http_route::not_found},
        {"GET /metricsx HTTP/1.1\r\n\r\n", http_route::not_found},
        {"GET /other/metrics HTTP/1.1\r\n\r\n", http_route::not_found},
        {"POST /metrics HTTP/1.1\r\n\r\n", http_route::bad_method},
        {"get /metrics HTTP/1.1\r\n\r\n", http_route::bad_method}, // methods are case-sensitive
        {"GET /metrics\r\n\r\n", http_route::bad_request},         // HTTP/0.9 style: no version
        {"GET  /metrics HTTP/1.1\r\n\r\n", http_route::bad_request},
        {"GET /metrics HTTP/1.1 x\r\n\r\n", http_route::bad_request},
        {"GET /metrics FTP/1.1\r\n\r\n", http_route::bad_request},
        {" /metrics HTTP/1.1\r\n\r\n", http_route::bad_request},
        {"\r\n\r\n", http_route::bad_request},
    };
    for (const auto& c : cases) {
        CAPTURE(c.head);
        CHECK(route_request(c.head) == c.route);
    }
}
