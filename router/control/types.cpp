#include "router/control/types.hpp"

namespace rns::control {

std::optional<iface_mode> parse_iface_mode(std::string_view s) noexcept {
    if (s == "full") {
        return iface_mode::full;
    }
    if (s == "gateway" || s == "gw") {
        return iface_mode::gateway;
    }
    if (s == "access_point" || s == "accesspoint" || s == "ap") {
        return iface_mode::access_point;
    }
    if (s == "pointtopoint" || s == "ptp" || s == "point_to_point") {
        return iface_mode::point_to_point;
    }
    if (s == "roaming") {
        return iface_mode::roaming;
    }
    if (s == "boundary") {
        return iface_mode::boundary;
    }
    if (s == "internal") {
        return iface_mode::internal;
    }
    return std::nullopt;
}

const char* to_string(iface_mode m) noexcept {
    switch (m) {
    case iface_mode::full:
        return "full";
    case iface_mode::point_to_point:
        return "point_to_point";
    case iface_mode::access_point:
        return "access_point";
    case iface_mode::roaming:
        return "roaming";
    case iface_mode::boundary:
        return "boundary";
    case iface_mode::gateway:
        return "gateway";
    case iface_mode::internal:
        return "internal";
    }
    return "unknown";
}

} // namespace rns::control
