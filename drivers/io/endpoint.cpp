#include "drivers/io/endpoint.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>

namespace rns::io {

std::uint16_t endpoint::port() const noexcept {
    if (addr.ss_family == AF_INET) {
        return ntohs(reinterpret_cast<const sockaddr_in*>(&addr)->sin_port);
    }
    if (addr.ss_family == AF_INET6) {
        return ntohs(reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_port);
    }
    return 0;
}

std::optional<endpoint> parse_endpoint(std::string_view text, bool resolve, std::string* error) {
    auto fail = [&](const std::string& why) -> std::optional<endpoint> {
        if (error != nullptr) {
            *error = "'" + std::string(text) + "': " + why;
        }
        return std::nullopt;
    };
    std::string host;
    std::string_view port_text;
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
            return fail("expected [IPv6]:PORT");
        }
        host = std::string(text.substr(1, close - 1));
        port_text = text.substr(close + 2);
    } else {
        auto colon = text.rfind(':');
        if (colon == std::string_view::npos || colon == 0) {
            return fail("expected ADDR:PORT");
        }
        host = std::string(text.substr(0, colon));
        if (host.find(':') != std::string::npos) {
            return fail("IPv6 addresses need brackets: [ADDR]:PORT");
        }
        port_text = text.substr(colon + 1);
    }
    unsigned port = 0;
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port == 0 || port > 65535) {
        return fail("port must be 1..65535");
    }
    endpoint e;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&e.addr);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&e.addr);
    if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(static_cast<std::uint16_t>(port));
        e.len = sizeof(sockaddr_in);
        return e;
    }
    if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(static_cast<std::uint16_t>(port));
        e.len = sizeof(sockaddr_in6);
        return e;
    }
    if (!resolve) {
        return fail("not an IPv4 or IPv6 address");
    }
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (int rc = getaddrinfo(host.c_str(), nullptr, &hints, &res); rc != 0 || res == nullptr) {
        return fail(std::string("cannot resolve: ") + gai_strerror(rc));
    }
    std::memcpy(&e.addr, res->ai_addr, res->ai_addrlen);
    e.len = res->ai_addrlen;
    freeaddrinfo(res);
    if (e.addr.ss_family == AF_INET) {
        v4->sin_port = htons(static_cast<std::uint16_t>(port));
    } else if (e.addr.ss_family == AF_INET6) {
        v6->sin6_port = htons(static_cast<std::uint16_t>(port));
    } else {
        return fail("resolved to an unsupported address family");
    }
    return e;
}

std::string to_string(const sockaddr_storage& a) {
    char buf[INET6_ADDRSTRLEN] = {};
    if (a.ss_family == AF_INET) {
        const auto* v4 = reinterpret_cast<const sockaddr_in*>(&a);
        inet_ntop(AF_INET, &v4->sin_addr, buf, sizeof buf);
        return std::string(buf) + ":" + std::to_string(ntohs(v4->sin_port));
    }
    if (a.ss_family == AF_INET6) {
        const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&a);
        inet_ntop(AF_INET6, &v6->sin6_addr, buf, sizeof buf);
        return "[" + std::string(buf) + "]:" + std::to_string(ntohs(v6->sin6_port));
    }
    return "?";
}

std::string to_string(const endpoint& e) { return to_string(e.addr); }

std::array<std::uint8_t, 16> address_key(const sockaddr_storage& a) noexcept {
    std::array<std::uint8_t, 16> k{};
    if (a.ss_family == AF_INET) {
        const auto* v4 = reinterpret_cast<const sockaddr_in*>(&a);
        k[10] = 0xff;
        k[11] = 0xff;
        std::memcpy(k.data() + 12, &v4->sin_addr, 4);
    } else if (a.ss_family == AF_INET6) {
        std::memcpy(k.data(), &reinterpret_cast<const sockaddr_in6*>(&a)->sin6_addr, 16);
    }
    return k;
}

} // namespace rns::io
