#include "router/control/counters.hpp"

namespace rns::control {

const char* to_string(drop_reason r) noexcept {
    switch (r) {
    case drop_reason::too_short: return "too_short";
    case drop_reason::ifac_flag: return "ifac_flag";
    case drop_reason::malformed: return "malformed";
    case drop_reason::hop_limit: return "hop_limit";
    case drop_reason::unknown_interface: return "unknown_interface";
    case drop_reason::foreign_transport: return "foreign_transport";
    case drop_reason::plain_announce: return "plain_announce";
    case drop_reason::plain_hops: return "plain_hops";
    case drop_reason::duplicate: return "duplicate";
    case drop_reason::no_path: return "no_path";
    case drop_reason::lr_mtu_unclampable: return "lr_mtu_unclampable";
    case drop_reason::link_hops_mismatch: return "link_hops_mismatch";
    case drop_reason::announce_bad_signature: return "announce_bad_signature";
    case drop_reason::announce_invalid: return "announce_invalid";
    case drop_reason::announce_key_collision: return "announce_key_collision";
    case drop_reason::announce_local: return "announce_local";
    case drop_reason::announce_not_newer: return "announce_not_newer";
    case drop_reason::announce_held: return "announce_held";
    case drop_reason::announce_held_dropped: return "announce_held_dropped";
    case drop_reason::announce_overload: return "announce_overload";
    case drop_reason::control_overload: return "control_overload";
    case drop_reason::announce_too_large: return "announce_too_large";
    case drop_reason::announce_queue_full: return "announce_queue_full";
    case drop_reason::announce_queue_expired: return "announce_queue_expired";
    case drop_reason::announce_forgotten: return "announce_forgotten";
    case drop_reason::path_request_malformed: return "path_request_malformed";
    case drop_reason::path_request_duplicate: return "path_request_duplicate";
    case drop_reason::path_request_ignored: return "path_request_ignored";
    case drop_reason::lrproof_unknown_link: return "lrproof_unknown_link";
    case drop_reason::lrproof_invalid: return "lrproof_invalid";
    case drop_reason::lrproof_mismatch: return "lrproof_mismatch";
    case drop_reason::proof_wrong_interface: return "proof_wrong_interface";
    case drop_reason::proof_unknown: return "proof_unknown";
    case drop_reason::not_for_us: return "not_for_us";
    case drop_reason::tunnel_malformed: return "tunnel_malformed";
    case drop_reason::tunnel_bad_signature: return "tunnel_bad_signature";
    case drop_reason::tunnel_unknown: return "tunnel_unknown";
    case drop_reason::tunnel_table_full: return "tunnel_table_full";
    case drop_reason::count_: break;
    }
    return "unknown";
}

} // namespace rns::control
