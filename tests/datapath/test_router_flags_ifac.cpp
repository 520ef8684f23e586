// --port netname= / netkey= / ifac_size= (router_flags): what is accepted, the reference's bits
// to bytes rule (spec §9.1) and every refusal, with the message naming the flag.

#include "router/config.hpp"
#include "router/rns/ifac.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

using namespace rns::router;

namespace {

router_flags parse(std::vector<std::string> args) {
    std::vector<char*> argv;
    for (auto& a : args) {
        argv.push_back(a.data());
    }
    return parse_router_flags(static_cast<int>(argv.size()), argv.data());
}

std::string error_of(const std::string& port_spec) {
    try {
        (void)parse({"--port", port_spec});
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "";
}

const std::string base = "0,addr=10.0.0.1/24,udp=4242,forward=10.0.0.2:4242";

} // namespace

TEST_CASE("router flags: IFAC options on --port") {
    SUBCASE("none: no IFAC") {
        const auto f = parse({"--port", base});
        CHECK_FALSE(f.ports.at(0).has_ifac());
    }
    SUBCASE("both secrets, default size: 16 bytes like the reference's UDPInterface (spec §9.4)") {
        const auto f = parse({"--port", base + ",netname=mesh,netkey=pass phrase"});
        const port_flag& p = f.ports.at(0);
        REQUIRE(p.has_ifac());
        CHECK(*p.netname == "mesh");
        CHECK(*p.netkey == "pass phrase");
        CHECK(p.ifac_size_bits == 0);
        CHECK(rns::ifac::size_from_config_bits(p.ifac_size_bits, rns::ifac::default_size_stream) == 16);
    }
    SUBCASE("one secret is enough; ifac_size in bits, bytes = bits / 8") {
        const auto f = parse({"--port", base + ",netkey=k,ifac_size=68"});
        const port_flag& p = f.ports.at(0);
        REQUIRE(p.has_ifac());
        CHECK_FALSE(p.netname.has_value());
        CHECK(rns::ifac::size_from_config_bits(p.ifac_size_bits, rns::ifac::default_size_stream) == 8);
        const auto g = parse({"--port", base + ",netname=n,ifac_size=512"});
        CHECK(rns::ifac::size_from_config_bits(g.ports.at(0).ifac_size_bits, 16) == 64);
    }
    SUBCASE("refusals") {
        CHECK(error_of(base + ",netname=").find("netname= needs a value") != std::string::npos);
        CHECK(error_of(base + ",netkey=").find("netkey= needs a value") != std::string::npos);
        CHECK(error_of(base + ",netname=a,ifac_size=7").find("at least 8") != std::string::npos);
        CHECK(error_of(base + ",netname=a,ifac_size=520").find("bad number") != std::string::npos);
        CHECK(error_of(base + ",ifac_size=64").find("without netname") != std::string::npos);
        CHECK(error_of(base + ",learn,netname=a").find("learn cannot") != std::string::npos);
    }
}

TEST_CASE("router flags: the help text documents the IFAC options") {
    const std::string usage = router_usage();
    for (const char* opt : {"netname=", "netkey=", "ifac_size="}) {
        CHECK(usage.find(opt) != std::string::npos);
    }
}
