// framing.json: HDLC and KISS encoders byte-exact against what the reference wrote to its sockets
// and serial port (build direction), and the incremental deframers against the frames the
// reference's read loops delivered for the same streams (parse direction), spec §10.1, §10.2.

#include "router/rns/hdlc.hpp"
#include "router/rns/kiss.hpp"
#include "tests/conformance/registry.hpp"

#include <vector>

namespace rns::conformance {
namespace {

std::vector<bytes> hex_list(context& ctx, const json& arr) {
    std::vector<bytes> out;
    for (const auto& v : arr) {
        out.push_back(hex(ctx, v));
    }
    return out;
}

bool same_frames(const std::vector<bytes>& got, const std::vector<bytes>& want) {
    if (got.size() != want.size()) {
        return false;
    }
    for (std::size_t i = 0; i < got.size(); ++i) {
        if (!equal(got[i], want[i])) {
            return false;
        }
    }
    return true;
}

template <class Deframer> std::vector<bytes> run(Deframer& d, const std::vector<bytes>& chunks) {
    std::vector<bytes> frames;
    for (const auto& c : chunks) {
        d.feed(c, [&frames](byte_view f) { frames.emplace_back(f.begin(), f.end()); });
    }
    return frames;
}

// Feeds the concatenated stream one byte at a time: chunking must not change the result.
template <class Deframer> std::vector<bytes> run_bytewise(Deframer& d, const std::vector<bytes>& chunks) {
    std::vector<bytes> frames;
    for (const auto& c : chunks) {
        for (std::size_t i = 0; i < c.size(); ++i) {
            d.feed(byte_view(c).subspan(i, 1),
                   [&frames](byte_view f) { frames.emplace_back(f.begin(), f.end()); });
        }
    }
    return frames;
}

void check_framing(context& ctx) {
    const auto& doc = ctx.doc;
    for (const auto& c : doc.at("encode")) {
        ctx.begin_case();
        const std::string what = "encode '" + c.at("what").get<std::string>() + "'";
        bytes payload = hex(ctx, c.at("payload"));
        bytes want_hdlc = hex(ctx, c.at("hdlc_tcp"));
        ctx.check(equal(hdlc::encode(payload), want_hdlc), what + ": HDLC bytes differ");
        ctx.check(equal(kiss::encode(payload), hex(ctx, c.at("kiss_tcp"))), what + ": KISS (TCP) bytes differ");
        ctx.check(equal(kiss::encode(payload), hex(ctx, c.at("kiss_serial"))),
                  what + ": KISS (serial) bytes differ");
        // The non-allocating form writes the same bytes and refuses a buffer one byte short.
        bytes buf(hdlc::max_encoded_size(payload.size()));
        std::size_t n = hdlc::encode(payload, buf);
        ctx.check(n == want_hdlc.size() && equal(byte_view(buf).first(n), want_hdlc),
                  what + ": HDLC span encoder differs");
        ctx.check(hdlc::encode(payload, std::span<std::uint8_t>(buf).first(want_hdlc.size() - 1)) == 0,
                  what + ": HDLC encoder wrote into a too small buffer");
        // Parse direction: the reference's encoding deframes back to the payload (the KISS reader
        // has no minimum; an HDLC reader without the TCP minimum delivers every non-empty payload).
        kiss::deframer kd(kiss::tcp_hw_mtu);
        auto kf = run(kd, {hex(ctx, c.at("kiss_tcp"))});
        ctx.check(kf.size() == 1 && equal(kf[0], payload), what + ": KISS frame does not deframe back");
        hdlc::deframer hd(hdlc::tcp_hw_mtu, 0, 0);
        auto hf = run(hd, {want_hdlc});
        ctx.check(payload.empty() ? hf.empty() : (hf.size() == 1 && equal(hf[0], payload)),
                  what + ": HDLC frame does not deframe back");
    }
    for (const auto& c : doc.at("decode_hdlc")) {
        ctx.begin_case();
        const std::string what = "decode_hdlc '" + c.at("what").get<std::string>() + "'";
        auto chunks = hex_list(ctx, c.at("stream_chunks"));
        auto want = hex_list(ctx, c.at("frames_delivered"));
        // TCP interfaces: no IFAC here, so the limit is HW_MTU + 0.
        hdlc::deframer d1(hdlc::tcp_hw_mtu, 0, hdlc::tcp_min_exclusive);
        ctx.check(same_frames(run(d1, chunks), want), what + ": frames differ (chunks as recorded)");
        ctx.check(d1.counters().frames == want.size(), what + ": frame counter differs");
        hdlc::deframer d2(hdlc::tcp_hw_mtu, 0, hdlc::tcp_min_exclusive);
        ctx.check(same_frames(run_bytewise(d2, chunks), want), what + ": frames differ (byte by byte)");
    }
    for (const auto& c : doc.at("decode_kiss_tcp")) {
        ctx.begin_case();
        const std::string what = "decode_kiss_tcp '" + c.at("what").get<std::string>() + "'";
        auto chunks = hex_list(ctx, c.at("stream_chunks"));
        auto want = hex_list(ctx, c.at("frames_delivered"));
        kiss::deframer d1(kiss::tcp_hw_mtu);
        ctx.check(same_frames(run(d1, chunks), want), what + ": frames differ (chunks as recorded)");
        kiss::deframer d2(kiss::tcp_hw_mtu);
        ctx.check(same_frames(run_bytewise(d2, chunks), want), what + ": frames differ (byte by byte)");
    }
    for (const auto& c : doc.at("decode_kiss_serial")) {
        ctx.begin_case();
        const std::string what = "decode_kiss_serial '" + c.at("what").get<std::string>() + "'";
        std::vector<bytes> chunks{hex(ctx, c.at("stream"))};
        auto want = hex_list(ctx, c.at("frames_delivered"));
        kiss::deframer d(kiss::serial_hw_mtu);
        ctx.check(same_frames(run(d, chunks), want), what + ": frames differ");
    }
}

} // namespace

RNS_CONFORMANCE_CHECKER("framing.json", check_framing);

} // namespace rns::conformance
