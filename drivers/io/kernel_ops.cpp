#include "drivers/io/kernel_ops.hpp"

#include "drivers/io/ring.hpp"

#include <netinet/in.h>

#include <cstring>
#include <utility>

namespace rns::io {

namespace {

// Submits what is queued and collects `n` completions, returning the first failure.
std::string run_chain(ring& r, unsigned n, const char* const* names) {
    r.enter(n, std::chrono::seconds(2));
    std::string problem;
    unsigned seen = 0;
    while (seen < n) {
        unsigned got = r.drain([&](const io_uring_cqe& c) {
            auto i = static_cast<unsigned>(c.user_data);
            if (c.res < 0 && problem.empty() && i < n) {
                problem = std::string(names[i]) + " on a direct descriptor fails: " + std::strerror(-c.res);
            }
        });
        if (got == 0) {
            if (!r.enter(1, std::chrono::seconds(2))) {
                return "io_uring: no completion within 2 s during the start-up check";
            }
        }
        seen += got;
    }
    return problem;
}

} // namespace

std::string kernel_support_problem() {
    io_uring_probe* probe = io_uring_get_probe();
    if (probe == nullptr) {
        return "io_uring is not available (io_uring_get_probe failed)";
    }
    std::string missing;
    const std::pair<int, const char*> ops[] = {
        {IORING_OP_SOCKET, "SOCKET"}, {IORING_OP_ACCEPT, "ACCEPT"},     {IORING_OP_CONNECT, "CONNECT"},
        {IORING_OP_RECV, "RECV"},     {IORING_OP_SEND, "SEND"},         {IORING_OP_SENDMSG, "SENDMSG"},
        {IORING_OP_CLOSE, "CLOSE"},   {IORING_OP_SHUTDOWN, "SHUTDOWN"}, {IORING_OP_URING_CMD, "URING_CMD"},
        {op_bind, "BIND"},            {op_listen, "LISTEN"},
    };
    for (const auto& [op, name] : ops) {
        if (io_uring_opcode_supported(probe, op) == 0) {
            missing += std::string(missing.empty() ? "" : ", ") + "IORING_OP_" + name;
        }
    }
    io_uring_free_probe(probe);
    if (!missing.empty()) {
        return "kernel lacks " + missing + " (the io thread needs Linux 6.11 or later)";
    }
    try {
        ring r(16, 2, 2);
        // A provided buffer ring (Linux 5.19) and an allocation range for accept-direct (6.0).
        provided_buffers bufs(r, 0, 8, 64);
        if (int rc = io_uring_register_file_alloc_range(r.raw(), 1, 1); rc < 0) {
            return std::string("io_uring_register_file_alloc_range: ") + std::strerror(-rc);
        }
        // socket → setsockopt → bind → listen → getsockopt, all on slot 0, never an fd.
        int one = 1;
        int accepting = 0;
        sockaddr_in sin{};
        sin.sin_family = AF_INET;
        sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        const char* names[] = {"socket", "setsockopt", "bind", "listen", "getsockopt"};
        io_uring_sqe* s = r.sqe();
        io_uring_prep_socket_direct(s, AF_INET, SOCK_STREAM, 0, 0, 0);
        s->flags |= IOSQE_IO_LINK;
        s->user_data = 0;
        s = r.sqe();
        prep_sockopt_direct(s, sock_cmd_setsockopt, 0, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        s->flags |= IOSQE_IO_LINK;
        s->user_data = 1;
        s = r.sqe();
        prep_bind_direct(s, 0, reinterpret_cast<const sockaddr*>(&sin), sizeof sin);
        s->flags |= IOSQE_IO_LINK;
        s->user_data = 2;
        s = r.sqe();
        prep_listen_direct(s, 0, 4);
        s->flags |= IOSQE_IO_LINK;
        s->user_data = 3;
        s = r.sqe();
        prep_sockopt_direct(s, sock_cmd_getsockopt, 0, SOL_SOCKET, SO_ACCEPTCONN, &accepting, sizeof accepting);
        s->user_data = 4;
        std::string problem = run_chain(r, 5, names);
        if (problem.empty() && accepting != 1) {
            problem = "getsockopt(SO_ACCEPTCONN) on a direct listening socket does not report it listening";
        }
        const char* close_name[] = {"close"};
        s = r.sqe();
        io_uring_prep_close_direct(s, 0);
        s->user_data = 0;
        std::string close_problem = run_chain(r, 1, close_name);
        return problem.empty() ? close_problem : problem;
    } catch (const std::exception& e) {
        return e.what();
    }
}

} // namespace rns::io
