#pragma once
// Literal models of the reference's HDLC and KISS read loops (spec §10.1, §10.2), written the way
// the reference is (growing buffer, find, whole-frame replacements; byte-wise KISS state), shared
// by the framing fuzzers and unit tests (tests/unit/test_framing.cpp) as a second code path the
// deframers must agree with.

#include "router/rns/hdlc.hpp"
#include "router/rns/kiss.hpp"

#include <algorithm>
#include <vector>

namespace rns::fuzz {

struct hdlc_model {
    std::size_t hw_mtu;
    std::size_t ifac_size;
    std::size_t min_exclusive;
    bytes buffer;
    std::vector<bytes> frames;

    static bytes replace(const bytes& in, std::uint8_t a, std::uint8_t b, std::uint8_t to) {
        bytes out;
        for (std::size_t i = 0; i < in.size(); ++i) {
            if (i + 1 < in.size() && in[i] == a && in[i + 1] == b) {
                out.push_back(to);
                ++i;
            } else {
                out.push_back(in[i]);
            }
        }
        return out;
    }

    void feed(byte_view chunk) {
        buffer.insert(buffer.end(), chunk.begin(), chunk.end());
        for (;;) {
            auto start = std::find(buffer.begin(), buffer.end(), hdlc::flag);
            if (start == buffer.end()) {
                buffer.clear();
                return;
            }
            auto end = std::find(start + 1, buffer.end(), hdlc::flag);
            if (end == buffer.end()) {
                if (buffer.size() > hw_mtu * 2) {
                    buffer.clear();
                }
                return;
            }
            bytes frame(start + 1, end);
            frame = replace(frame, 0x7d, 0x5e, 0x7e);
            frame = replace(frame, 0x7d, 0x5d, 0x7d);
            if (!frame.empty() && frame.size() > min_exclusive && frame.size() <= hw_mtu + ifac_size) {
                frames.push_back(frame);
            }
            buffer.erase(buffer.begin(), end);
        }
    }
};

struct kiss_model {
    std::size_t hw_mtu;
    bool in_frame = false;
    bool escape = false;
    int command = kiss::cmd_unknown;
    bytes data;
    std::vector<bytes> frames;

    explicit kiss_model(std::size_t mtu) : hw_mtu(mtu) {}

    void feed(byte_view chunk) {
        for (std::uint8_t byte : chunk) {
            if (in_frame && byte == kiss::fend && command == kiss::cmd_data) {
                in_frame = false;
                frames.push_back(data);
            } else if (byte == kiss::fend) {
                in_frame = true;
                command = kiss::cmd_unknown;
                data.clear();
            } else if (in_frame && data.size() < hw_mtu) {
                if (data.empty() && command == kiss::cmd_unknown) {
                    command = byte & 0x0f;
                } else if (command == kiss::cmd_data) {
                    if (byte == kiss::fesc) {
                        escape = true;
                    } else {
                        if (escape) {
                            if (byte == kiss::tfend) {
                                byte = kiss::fend;
                            }
                            if (byte == kiss::tfesc) {
                                byte = kiss::fesc;
                            }
                            escape = false;
                        }
                        data.push_back(byte);
                    }
                }
            }
        }
    }
};

/// Splits data into chunks whose sizes come from a tiny generator seeded by `seed`.
template <class F> void for_each_chunk(byte_view data, std::uint8_t seed, F&& f) {
    std::uint32_t s = seed * 2654435761u + 1;
    std::size_t pos = 0;
    while (pos < data.size()) {
        s = s * 1103515245u + 12345u;
        std::size_t n = 1 + (s >> 16) % 97;
        n = std::min(n, data.size() - pos);
        f(data.subspan(pos, n));
        pos += n;
    }
}

} // namespace rns::fuzz
