// The io thread with the DPDK seam (EAL without hugepages or PCI): a TCP peer's frame arrives as
// an mbuf on the rx ring carrying the interface id; an mbuf enqueued on the tx ring with that id
// reaches the peer framed (spec §10.1); interface events reach the control side; every mbuf
// returns to the pool. Exit 77 (skip) without root or without the kernel features.

#include "drivers/io/kernel_ops.hpp"
#include "drivers/io/mbuf_seam.hpp"
#include "io_test_util.hpp"

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_mempool.h>

#include <cstdio>
#include <cstring>
#include <string>

using namespace io_test;
using namespace std::chrono_literals;

namespace {

int failures = 0;

void check(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "FAIL: %s\n", what);
        ++failures;
    }
}

template <class F> bool eventually(F f, std::chrono::milliseconds limit = 5s) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (f()) {
            return true;
        }
        std::this_thread::sleep_for(1ms);
    }
    return f();
}

} // namespace

int main() {
    if (geteuid() != 0) {
        std::fprintf(stderr, "SKIP: EAL needs root\n");
        return 77;
    }
    if (std::string problem = rns::io::kernel_support_problem(); !problem.empty()) {
        std::fprintf(stderr, "SKIP: %s\n", problem.c_str());
        return 77;
    }
    std::string prefix = "--file-prefix=io-mbuf-" + std::to_string(getpid());
    const char* args[] = {"io_mbuf_seam", "-l", "0", "--no-huge", "--no-pci", "-m", "256", prefix.c_str(),
                          "--log-level=error"};
    if (rte_eal_init(static_cast<int>(std::size(args)), const_cast<char**>(args)) < 0) {
        std::fprintf(stderr, "FAIL: rte_eal_init\n");
        return 1;
    }
    rte_mempool* pool = rte_pktmbuf_pool_create("io_test_pool", 1023, 32, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
    check(pool != nullptr, "mempool");
    const unsigned pool_size = rte_mempool_avail_count(pool);
    {
        rns::io::mbuf_seam seam(pool, "io_test");
        rns::io::io_config cfg;
        cfg.max_connections = 16;
        cfg.rx_buffers = 16;
        const std::uint16_t port = free_port();
        cfg.listeners.push_back({});
        cfg.listeners[0].listen = ep("127.0.0.1:" + std::to_string(port));
        rns::io::io_thread io(std::move(cfg), seam);

        int fd = tcp_connect(port);
        check(fd >= 0, "connect");
        rns::io::iface_event ev;
        check(eventually([&] { return seam.next_event(ev); }), "up event");
        check(ev.what == rns::io::iface_event::type::up && ev.iface == io.eng().first_spawned_iface(), "up event content");

        // Peer → rx ring, one frame with FLAG and ESC inside, sent one byte at a time.
        bytes p = test_packet(300, 11);
        for (std::uint8_t b : spec_frame(p)) {
            write_all(fd, byte_view(&b, 1));
        }
        rte_mbuf* m = nullptr;
        check(eventually([&] { return rte_ring_dequeue(seam.rx_ring(), reinterpret_cast<void**>(&m)) == 0; }),
              "mbuf on the rx ring");
        if (m != nullptr) {
            check(m->port == ev.iface, "rx mbuf carries the interface id");
            check(m->data_len == p.size() && m->pkt_len == p.size(), "rx mbuf length");
            check(std::memcmp(rte_pktmbuf_mtod(m, const void*), p.data(), p.size()) == 0, "rx mbuf bytes");
            rte_pktmbuf_free(m);
        }

        // tx ring → peer.
        for (int i = 0; i < 3; ++i) {
            rte_mbuf* t = rte_pktmbuf_alloc(pool);
            bytes q = test_packet(50 + i, static_cast<std::uint8_t>(i));
            std::memcpy(rte_pktmbuf_append(t, static_cast<std::uint16_t>(q.size())), q.data(), q.size());
            t->port = ev.iface;
            check(rte_ring_enqueue(seam.tx_ring(), t) == 0, "tx enqueue");
        }
        bytes expect;
        for (int i = 0; i < 3; ++i) {
            bytes f = spec_frame(test_packet(50 + i, static_cast<std::uint8_t>(i)));
            expect.insert(expect.end(), f.begin(), f.end());
        }
        check(read_some(fd, expect.size(), 3s) == expect, "peer receives the tx frames");
        // A packet for an interface that does not exist is dropped and freed.
        rte_mbuf* t = rte_pktmbuf_alloc(pool);
        std::memset(rte_pktmbuf_append(t, 30), 1, 30);
        t->port = 4000;
        check(rte_ring_enqueue(seam.tx_ring(), t) == 0, "tx enqueue (unknown iface)");
        ::close(fd);
        check(eventually([&] { return seam.next_event(ev); }), "down event");
        check(ev.what == rns::io::iface_event::type::down && ev.reason == rns::io::close_reason::peer_closed,
              "down event content");
        check(eventually([&] { return rte_ring_count(seam.tx_ring()) == 0; }), "tx ring drained");
        io.stop();
    }
    check(eventually([&] { return rte_mempool_avail_count(pool) == pool_size; }), "every mbuf back in the pool");
    rte_mempool_free(pool);
    rte_eal_cleanup();
    if (failures == 0) {
        std::printf("io_mbuf_seam: ok\n");
    }
    return failures == 0 ? 0 : 1;
}
