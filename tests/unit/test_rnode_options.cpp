// rnode-sidecar's flags: the reference's RNodeInterface limits (spec/rnode.md §3.1, §7).
#include "drivers/rnode_sidecar/options.hpp"

#include <doctest/doctest.h>

namespace {

std::vector<std::string> base() {
    return {"--port", "/dev/ttyUSB0", "--frequency", "867200000", "--bandwidth", "125000", "--spreadingfactor",
            "8",      "--codingrate", "5",         "--router",    "/run/rns.sock"};
}

std::string error_for(std::vector<std::string> extra, bool drop_base_flag = false, const std::string& drop = "") {
    auto a = base();
    if (drop_base_flag) {
        for (std::size_t i = 0; i < a.size(); i += 2) {
            if (a[i] == drop) {
                a.erase(a.begin() + static_cast<std::ptrdiff_t>(i), a.begin() + static_cast<std::ptrdiff_t>(i + 2));
                break;
            }
        }
    }
    a.insert(a.end(), extra.begin(), extra.end());
    auto r = rnode::parse_options(a);
    const auto* e = std::get_if<std::string>(&r);
    return e ? *e : std::string();
}

} // namespace

TEST_CASE("rnode-sidecar options: defaults and a full configuration") {
    auto r = rnode::parse_options(base());
    REQUIRE(std::holds_alternative<rnode::sidecar_options>(r));
    const auto& o = std::get<rnode::sidecar_options>(r);
    CHECK(o.txpower == 0); // §7: 0 when missing
    CHECK_FALSE(o.airtime_limit_short);
    CHECK_FALSE(o.flow_control);
    CHECK(o.name == "RNodeInterface[/dev/ttyUSB0]");
    CHECK(rnode::airtime_limit_wire(33) == 0x0ce4);  // Appendix A
    CHECK(rnode::airtime_limit_wire(1.5) == 0x0096); // Appendix A
}

TEST_CASE("rnode-sidecar options: out-of-range values name the flag and its range") {
    CHECK(error_for({"--frequency", "136999999"}) ==
          "--frequency: '136999999' is not valid; the valid range is 137000000..3000000000 Hz (an integer)");
    CHECK(error_for({"--frequency", "867.2e6"}).rfind("--frequency:", 0) == 0); // §7: int() refuses it
    CHECK(error_for({"--bandwidth", "7799"}).find("7800..1625000") != std::string::npos);
    CHECK(error_for({"--txpower", "38"}) == "--txpower: '38' is not valid; the valid range is 0..37 dBm");
    CHECK(error_for({"--spreadingfactor", "4"}).find("5..12") != std::string::npos);
    CHECK(error_for({"--codingrate", "9"}).find("5..8") != std::string::npos);
    CHECK(error_for({"--airtime-limit-short", "100.5"}).find("0..100 percent") != std::string::npos);
    CHECK(error_for({"--id-callsign", std::string(33, 'x'), "--id-interval", "600"}).find("1..32 bytes") !=
          std::string::npos);
    CHECK(error_for({"--id-callsign", "N0CALL"}) == "--id-callsign: needs --id-interval too");
    CHECK(error_for({"--ifac-size", "4", "--netname", "x"}).find("8..512 bits") != std::string::npos);
    CHECK(error_for({"--ifac-size", "64"}) == "--ifac-size: needs --netname or --netkey");
    CHECK(error_for({"--mode", "fast"}).rfind("--mode:", 0) == 0);
    CHECK(error_for({}, true, "--frequency") == "--frequency: required, 137000000..3000000000 Hz");
    CHECK(error_for({}, true, "--router").rfind("--router: required", 0) == 0);
    CHECK(error_for({"--bogus", "1"}) == "unknown flag '--bogus'");
}
