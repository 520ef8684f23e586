// Destination names and hashes (spec §3): the spec's table of well-known names, validation, and
// the hash formulas computed a second way.

#include "crypto/sha256.hpp"
#include "router/rns/destination.hpp"

#include <doctest/doctest.h>

#include <array>
#include <string>

using namespace rns;

TEST_CASE("well-known rnstransport destinations (spec §3 table)") {
    CHECK(to_hex(name_hash("rnstransport", {"path", "request"})) == "7926bbe7dd7f9aba88b0");
    CHECK(to_hex(transport_destinations::path_request()) == "6b9f66014d9853faab220fba47d02761");
    CHECK(to_hex(name_hash("rnstransport", {"tunnel", "synthesize"})) == "324e54e934712b5731af");
    CHECK(to_hex(transport_destinations::tunnel_synthesize()) == "91bf0910267b59b0e864e0d4c91602ca");
    CHECK(to_hex(name_hash("rnstransport", {"remote", "management"})) == "4848a053c16415bed6c8");
    CHECK(to_hex(name_hash("rnstransport", {"probe"})) == "fd68805f2ea383c8d6f6");
    CHECK(to_hex(name_hash("rnstransport", {"info", "blackhole"})) == "9e059549ef49a8c64d18");
    CHECK(to_hex(name_hash("rnstransport", {"discovery", "interface"})) == "55aa39e85c3e045e9cb1");
    CHECK(to_hex(name_hash("rnstransport", {"network"})) == "adfee72eb5fdaae1f30c");
}

TEST_CASE("name hash and destination hash, second code path") {
    const std::array<std::string_view, 2> aspects{"room", "g\xc3\xa9n\xc3\xa9ral"};
    const std::string full = expand_name("chat", aspects);
    CHECK(full == "chat.room.g\xc3\xa9n\xc3\xa9ral");
    const hash10 nh = name_hash("chat", aspects);
    CHECK(equal(nh, byte_view(crypto::sha256(as_bytes(full))).first(10)));
    const auto id = array_from_hex<16>("5d217a8a91037c2416c9ea5504a9b22e").value();
    CHECK(equal(destination_hash(nh, id), byte_view(crypto::sha256(concat({nh, id}))).first(16)));
    CHECK(equal(plain_destination_hash(nh), byte_view(crypto::sha256(nh)).first(16)));
    CHECK(expand_name("chat", aspects, &id) == full + ".5d217a8a91037c2416c9ea5504a9b22e");
    CHECK(expand_name("app", {}) == "app");
    CHECK(to_hex(name_hash("app", {})) == to_hex(byte_view(crypto::sha256(as_bytes("app"))).first(10)));
}

TEST_CASE("destinations.json reference: example_utilities.echo.request") {
    // SINGLE OUT, identity 5d217a8a... (destinations.json cases[0]).
    const hash10 nh = name_hash("example_utilities", {"echo", "request"});
    CHECK(to_hex(nh) == "3bf01989ad00bf2af554");
    const auto id = array_from_hex<16>("5d217a8a91037c2416c9ea5504a9b22e").value();
    CHECK(to_hex(destination_hash(nh, id)) == "e8c992cf345aafd74d526d13da6b4482");
    CHECK(to_hex(plain_destination_hash(nh)) == "74c0680a0daa071831bf6ae73addd94a");
}

TEST_CASE("name validation and constructor rules") {
    const std::array<std::string_view, 1> ok{"x"};
    const std::array<std::string_view, 2> dotted{"fine", "a.b"};
    CHECK(validate_name("app", ok) == destination_error::ok);
    CHECK(validate_name("bad.app", ok) == destination_error::dot_in_app_name);
    CHECK(validate_name("ok", dotted) == destination_error::dot_in_aspect);
    CHECK(validate_destination(destination_type::plain, direction::in, true, "x", ok) ==
          destination_error::plain_with_identity);
    CHECK(validate_destination(destination_type::single, direction::out, false, "x", ok) ==
          destination_error::single_out_without_identity);
    CHECK(validate_destination(destination_type::single, direction::in, false, "x", ok) ==
          destination_error::ok);
    CHECK(validate_destination(destination_type::plain, direction::out, false, "x", ok) ==
          destination_error::ok);
    // The name is checked first, as the reference does.
    CHECK(validate_destination(destination_type::plain, direction::in, true, "a.b", ok) ==
          destination_error::dot_in_app_name);
    CHECK(std::string(to_string(destination_error::dot_in_aspect)) == "Dots can't be used in aspects");
}
