// msgpack codec against encodings taken from the msgpack specification's format table
// (independent truth), plus malformed input that must be rejected without reading past the buffer.

#include "router/rns/msgpack.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>

using namespace rns;
namespace mp = rns::msgpack;

namespace {

bytes hx(std::string_view s) { return *from_hex(s); }

bytes enc(const mp::value& v) { return mp::encode(v); }

// Round trip: encoding of v is exactly `hex`, and decoding `hex` gives v back.
void check_both(const mp::value& v, std::string_view hex) {
    CHECK(to_hex(enc(v)) == hex);
    auto d = mp::decode(hx(hex));
    REQUIRE(d);
    CHECK(d.val == v);
}

} // namespace

TEST_CASE("msgpack: scalars encode to the spec's bytes") {
    check_both(mp::nil_t{}, "c0");
    check_both(false, "c2");
    check_both(true, "c3");
    // positive fixint, uint8/16/32/64 boundaries
    check_both(0, "00");
    check_both(127, "7f");
    check_both(128, "cc80");
    check_both(255, "ccff");
    check_both(256, "cd0100");
    check_both(65535, "cdffff");
    check_both(65536, "ce00010000");
    check_both(std::uint64_t{4294967295u}, "ceffffffff");
    check_both(std::uint64_t{4294967296u}, "cf0000000100000000");
    check_both(std::numeric_limits<std::uint64_t>::max(), "cfffffffffffffffff");
    // negative fixint, int8/16/32/64 boundaries
    check_both(-1, "ff");
    check_both(-32, "e0");
    check_both(-33, "d0df");
    check_both(-128, "d080");
    check_both(-129, "d1ff7f");
    check_both(-32768, "d18000");
    check_both(-32769, "d2ffff7fff");
    check_both(std::int64_t{-2147483648LL}, "d280000000");
    check_both(std::int64_t{-2147483649LL}, "d3ffffffff7fffffff");
    check_both(std::numeric_limits<std::int64_t>::min(), "d38000000000000000");
    // floats: IEEE 754 big-endian
    check_both(1.5, "cb3ff8000000000000");
    check_both(1.5f, "ca3fc00000");
    check_both(1700000000.25, "cb41d954fc40100000");
}

TEST_CASE("msgpack: strings and binaries pick the smallest header") {
    check_both("", "a0");
    check_both("a", "a161");
    check_both(std::string(31, 'x'), "bf" + to_hex(as_bytes(std::string(31, 'x'))));
    check_both(std::string(32, 'x'), "d920" + to_hex(as_bytes(std::string(32, 'x'))));
    check_both(std::string(256, 'y'), "da0100" + to_hex(as_bytes(std::string(256, 'y'))));
    check_both(std::string(65536, 'z'), "db00010000" + to_hex(as_bytes(std::string(65536, 'z'))));
    check_both(bytes{}, "c400");
    check_both(bytes{1, 2, 3}, "c403010203");
    check_both(bytes(256, 0xab), "c50100" + to_hex(bytes(256, 0xab)));
    check_both(bytes(65536, 0xcd), "c600010000" + to_hex(bytes(65536, 0xcd)));
}

TEST_CASE("msgpack: arrays and maps of every width") {
    check_both(mp::array{}, "90");
    check_both(mp::array{1, 2, 3}, "93010203");
    mp::array a15(15, mp::value(0));
    check_both(a15, "9f" + std::string(30, '0'));
    mp::array a16(16, mp::value(0));
    check_both(a16, "dc0010" + std::string(32, '0'));
    mp::array a65536(65536, mp::value(mp::nil_t{}));
    std::string h = "dd00010000";
    for (int i = 0; i < 65536; ++i) {
        h += "c0";
    }
    check_both(a65536, h);

    check_both(mp::map{}, "80");
    check_both(mp::map{{"a", 1}}, "81a16101");
    mp::map m16;
    std::string mh = "de0010";
    for (int i = 0; i < 16; ++i) {
        m16.emplace_back(i, true);
        mh += to_hex(bytes{static_cast<std::uint8_t>(i)}) + "c3";
    }
    check_both(m16, mh);
    mp::map m65536;
    std::string mh2 = "df00010000";
    for (int i = 0; i < 65536; ++i) {
        m65536.emplace_back(mp::nil_t{}, mp::nil_t{});
        mh2 += "c0c0";
    }
    check_both(m65536, mh2);
}

TEST_CASE("msgpack: a reference ratchet file shape round-trips") {
    // {"ratchet": bin32, "received": float64} as umsgpack writes it.
    bytes key(32);
    for (std::size_t i = 0; i < key.size(); ++i) {
        key[i] = static_cast<std::uint8_t>(i);
    }
    mp::map m{{"ratchet", key}, {"received", 1700000000.5}};
    bytes e = enc(m);
    CHECK(to_hex(e) == "82a7" + to_hex(as_bytes("ratchet")) + "c420" + to_hex(key) + "a8" +
                           to_hex(as_bytes("received")) + "cb41d954fc40200000");
    auto d = mp::decode(e);
    REQUIRE(d);
    REQUIRE(d.val.find("ratchet") != nullptr);
    CHECK(*d.val.find("ratchet")->as_bin() == key);
    double t = 0;
    CHECK(d.val.find("received")->get_number(t));
    CHECK(t == 1700000000.5);
    CHECK(d.val.find("missing") == nullptr);
}

TEST_CASE("msgpack: decoder accepts non-minimal encodings and normalises integers") {
    auto d = mp::decode(hx("cd0005")); // uint16 holding 5
    REQUIRE(d);
    CHECK(d.val == mp::value(5));
    d = mp::decode(hx("d305")); // truncated int64
    CHECK(d.err == mp::error::truncated);
    d = mp::decode(hx("d00005"));
    CHECK(d.err == mp::error::trailing_data);
    d = mp::decode(hx("d005")); // int8 holding +5 -> uint
    REQUIRE(d);
    CHECK(std::holds_alternative<std::uint64_t>(d.val.v));
}

TEST_CASE("msgpack: malformed input is rejected with a reason") {
    CHECK(mp::decode(bytes{}).err == mp::error::truncated);
    CHECK(mp::decode(hx("c1")).err == mp::error::unsupported_type);
    for (auto ext : {"c70100", "c8000100", "c900000001", "d40000", "d5000000", "d6", "d7", "d8"}) {
        CHECK(mp::decode(hx(ext)).err == mp::error::unsupported_type);
    }
    CHECK(mp::decode(hx("a2")).err == mp::error::truncated);       // fixstr missing its bytes
    CHECK(mp::decode(hx("d9")).err == mp::error::truncated);       // str8 missing its length
    CHECK(mp::decode(hx("dbffffffff")).err == mp::error::truncated);
    CHECK(mp::decode(hx("c6ffffffff00")).err == mp::error::truncated);
    CHECK(mp::decode(hx("cb000000")).err == mp::error::truncated);
    CHECK(mp::decode(hx("ca00")).err == mp::error::truncated);
    CHECK(mp::decode(hx("92c0")).err == mp::error::truncated);     // array of 2 with 1 element
    CHECK(mp::decode(hx("ddffffffff")).err == mp::error::truncated); // huge claim, no elements
    CHECK(mp::decode(hx("dfffffffff")).err == mp::error::truncated);
    CHECK(mp::decode(hx("81c0")).err == mp::error::truncated);
    CHECK(mp::decode(hx("c0c0")).err == mp::error::trailing_data);
}

TEST_CASE("msgpack: nesting depth is bounded") {
    bytes deep(100, 0x91);
    deep.push_back(0xc0);
    CHECK(mp::decode(deep).err == mp::error::too_deep);
    CHECK(mp::decode(deep, 200));
    bytes ok(32, 0x91);
    ok.push_back(0xc0);
    CHECK(mp::decode(ok));
    ok.insert(ok.begin(), 0x91);
    CHECK(mp::decode(ok).err == mp::error::too_deep);
    mp::reader r(deep);
    CHECK_FALSE(r.skip());
    CHECK(r.last_error() == mp::error::too_deep);
}

TEST_CASE("msgpack: reader pulls values as views") {
    bytes b = hx("93c403010203a3616263cb3ff8000000000000");
    mp::reader r(b);
    std::uint32_t n = 0;
    REQUIRE(r.read_array_header(n));
    CHECK(n == 3);
    byte_view bin;
    REQUIRE(r.read_bin(bin));
    CHECK(to_hex(bin) == "010203");
    CHECK(bin.data() == b.data() + 3); // a view, not a copy
    std::string_view s;
    REQUIRE(r.read_str(s));
    CHECK(s == "abc");
    double d = 0;
    REQUIRE(r.read_number(d));
    CHECK(d == 1.5);
    CHECK(r.at_end());
    CHECK_FALSE(r.read_nil());
    CHECK(r.last_error() == mp::error::truncated);

    bytes b_r2 = hx("ff");
    mp::reader r2(b_r2);
    std::uint64_t u = 0;
    CHECK_FALSE(r2.read_uint(u));
    CHECK(r2.last_error() == mp::error::out_of_range);
    bytes b_r3 = hx("cfffffffffffffffff");
    mp::reader r3(b_r3);
    std::int64_t i = 0;
    CHECK_FALSE(r3.read_int(i));
    CHECK(r3.last_error() == mp::error::out_of_range);
    bytes b_r4 = hx("a161");
    mp::reader r4(b_r4);
    CHECK_FALSE(r4.read_bin(bin));
    CHECK(r4.last_error() == mp::error::type_mismatch);
    bytes b_r5 = hx("82a161c0a162920102c3");
    mp::reader r5(b_r5);
    CHECK(r5.skip());
    CHECK(r5.position() == 9);
    bytes b_r6 = hx("2a");
    mp::reader r6(b_r6);
    REQUIRE(r6.read_number(d));
    CHECK(d == 42.0);
}

TEST_CASE("msgpack: writer into a fixed buffer flags overflow instead of writing past it") {
    std::array<std::uint8_t, 4> buf{};
    mp::writer w(std::span<std::uint8_t>(buf.data(), buf.size()));
    w.array_header(2).uint(1);
    CHECK_FALSE(w.overflow());
    CHECK(w.size() == 2);
    w.bin(bytes{9, 9, 9});
    CHECK(w.overflow());
    CHECK(w.size() == 2);
    CHECK(buf[0] == 0x92);
    CHECK(buf[1] == 0x01);
}

TEST_CASE("msgpack: NaN and infinities keep their bits") {
    double inf = std::numeric_limits<double>::infinity();
    CHECK(to_hex(enc(inf)) == "cb7ff0000000000000");
    CHECK(to_hex(enc(-inf)) == "cbfff0000000000000");
    auto d = mp::decode(hx("cb7ff8000000000000"));
    REQUIRE(d);
    double x = 0;
    CHECK(d.val.get_number(x));
    CHECK(std::isnan(x));
}

#ifdef RNS_DEFAULT_VECTORS_DIR
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

TEST_CASE("msgpack: the reference's storage files decode and re-encode byte-identically") {
    // umsgpack wrote these (ratchet_storage/, spec §11); our writer must pick the same encodings.
    const char* env = std::getenv("VECTORS_DIR");
    std::filesystem::path dir = std::filesystem::path(env != nullptr ? env : RNS_DEFAULT_VECTORS_DIR) / "ratchet_storage";
    REQUIRE_MESSAGE(std::filesystem::is_directory(dir), "missing " << dir.string());
    int checked = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
        const auto name = e.path().filename().string();
        // raw (not msgpack) files: the 64-byte private key and the packet hash list
        if (!e.is_regular_file() || name == "transport_identity" || name.ends_with(".raw")) {
            continue;
        }
        std::ifstream in(e.path(), std::ios::binary);
        bytes b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        auto d = mp::decode(b);
        INFO(e.path().string());
        REQUIRE(d);
        CHECK(mp::encode(d.val) == b);
        ++checked;
    }
    CHECK(checked >= 8);
}
#endif
