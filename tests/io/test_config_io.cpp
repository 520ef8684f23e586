// Flags of the kernel interfaces: values land where the io thread and the router read them, and
// bad values are refused with the flag named.

#include "router/config_io.hpp"

#include <doctest/doctest.h>

#include <netinet/in.h>

#include <stdexcept>
#include <string>
#include <utility>

using rns::kernel_iface_flags;
using rns::parse_kernel_iface_flag;

TEST_CASE("kernel interface flags: listener, client, udp, limits") {
    kernel_iface_flags f;
    CHECK(!parse_kernel_iface_flag(f, "--port", "0,addr=1.2.3.4/24,udp=1"));
    REQUIRE(parse_kernel_iface_flag(f, "--tcp-listen",
                                    "[::]:4242,name=backbone,mode=gateway,bitrate=1000000000,netname=n,netkey=k,"
                                    "ifac_size=64,ingress=off,max_clients=100,flap_seconds=10,flap_limit=3,flap_block=60"));
    REQUIRE(f.io.listeners.size() == 1);
    const auto& l = f.io.listeners[0];
    CHECK(l.listen.family() == AF_INET6);
    CHECK(l.listen.port() == 4242);
    CHECK(l.max_clients == 100);
    CHECK(l.flap_seconds == 10.0);
    CHECK(l.flap_limit == 3);
    CHECK(l.flap_block_seconds == 60.0);
    const auto& ls = f.listener_settings[0];
    CHECK(ls.name == "backbone");
    CHECK(ls.mode == "gateway");
    CHECK(ls.bitrate == 1000000000ULL);
    CHECK(!ls.ingress_control);
    CHECK(ls.netname == "n");
    CHECK(ls.netkey == "k");
    CHECK(ls.ifac_size_bits == 64);

    REQUIRE(parse_kernel_iface_flag(f, "--tcp-connect", "127.0.0.1:4965,reconnect=1,reconnect_max=8"));
    CHECK(f.io.clients[0].reconnect_min_seconds == 1.0);
    CHECK(f.io.clients[0].reconnect_max_seconds == 8.0);
    CHECK(f.client_settings[0].bitrate == 10000000ULL); // spec §10.5 TCP default
    CHECK(f.client_settings[0].ingress_control);
    // spec §10.1 defaults for dead-peer detection.
    CHECK(f.io.clients[0].timeouts.keepalive_idle_s == 5);
    CHECK(f.io.clients[0].timeouts.keepalive_interval_s == 2);
    CHECK(f.io.clients[0].timeouts.keepalive_probes == 12);
    CHECK(f.io.clients[0].timeouts.user_timeout_ms == 24000);

    REQUIRE(parse_kernel_iface_flag(f, "--udp-listen", "0.0.0.0:4242,forward=255.255.255.255:4242,broadcast"));
    CHECK(f.io.udps[0].broadcast);
    REQUIRE(f.io.udps[0].forward.has_value());
    CHECK(f.io.udps[0].forward->port() == 4242);

    REQUIRE(parse_kernel_iface_flag(f, "--max-connections", "128"));
    CHECK(f.io.max_connections == 128);
    CHECK(f.any());
}

TEST_CASE("kernel interface flags: bad values name the flag") {
    kernel_iface_flags f;
    const std::pair<const char*, const char*> bad[] = {
        {"--tcp-listen", "4242"},
        {"--tcp-listen", "::1:4242"},
        {"--tcp-listen", "127.0.0.1:4242,ifac_size=64"},
        {"--tcp-listen", "127.0.0.1:4242,ifac_size=4,netname=x"},
        {"--tcp-listen", "127.0.0.1:4242,bogus=1"},
        {"--tcp-listen", "127.0.0.1:4242,netname="},
        {"--tcp-connect", "127.0.0.1:4242,reconnect=0"},
        {"--tcp-connect", "127.0.0.1:99999"},
        {"--udp-listen", "127.0.0.1:4242,forward=[::1]:4242"},
        {"--udp-listen", "127.0.0.1:4242,ingress=maybe"},
        {"--max-connections", "1"},
        {"--max-connections", "lots"},
    };
    for (const auto& entry : bad) {
        // Named copies: clang 14 does not let CAPTURE's lambda refer to a structured binding.
        const auto& flag = entry.first;
        const auto& value = entry.second;
        CAPTURE(value);
        try {
            parse_kernel_iface_flag(f, flag, value);
            FAIL("accepted");
        } catch (const std::invalid_argument& e) {
            CHECK(std::string(e.what()).find(flag) == 0);
        }
    }
}
