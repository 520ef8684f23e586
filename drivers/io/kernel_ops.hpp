#pragma once
// io_uring operations on sockets that liburing 2.3 (Debian 12) has no helper for, prepared by
// hand from the kernel's SQE layout, plus the start-up check that the running kernel has every
// operation the io thread uses. All of them work on direct descriptors (IOSQE_FIXED_FILE), so a
// socket never needs a slot in the process descriptor table:
//   IORING_OP_BIND / IORING_OP_LISTEN        (Linux 6.11)
//   IORING_OP_URING_CMD SOCKET_URING_OP_SETSOCKOPT / GETSOCKOPT (Linux 6.7)

#include <liburing.h>

#include <cstdint>
#include <string>
#include <sys/socket.h>

namespace rns::io {

// Opcode numbers of the kernel ABI (include/uapi/linux/io_uring.h); liburing 2.3 stops at 48.
inline constexpr std::uint8_t op_bind = 56;
inline constexpr std::uint8_t op_listen = 57;
// SOCKET_URING_OP_* command numbers for IORING_OP_URING_CMD on a socket.
inline constexpr std::uint32_t sock_cmd_getsockopt = 2;
inline constexpr std::uint32_t sock_cmd_setsockopt = 3;

/// bind(slot, addr, len) on a direct descriptor. addr must stay valid until submission.
inline void prep_bind_direct(io_uring_sqe* sqe, unsigned slot, const sockaddr* addr, socklen_t len) noexcept {
    io_uring_prep_rw(op_bind, sqe, static_cast<int>(slot), addr, 0, len);
    sqe->flags |= IOSQE_FIXED_FILE;
}

/// listen(slot, backlog) on a direct descriptor.
inline void prep_listen_direct(io_uring_sqe* sqe, unsigned slot, unsigned backlog) noexcept {
    io_uring_prep_rw(op_listen, sqe, static_cast<int>(slot), nullptr, backlog, 0);
    sqe->flags |= IOSQE_FIXED_FILE;
}

/// setsockopt / getsockopt (cmd = sock_cmd_*) on a direct descriptor. The kernel copies optval
/// from (or to) user memory when the operation runs: it must stay valid until completion.
inline void prep_sockopt_direct(io_uring_sqe* sqe, std::uint32_t cmd, unsigned slot, int level, int optname,
                                void* optval, unsigned optlen) noexcept {
    io_uring_prep_rw(IORING_OP_URING_CMD, sqe, static_cast<int>(slot), nullptr, 0, 0);
    sqe->flags |= IOSQE_FIXED_FILE;
    sqe->cmd_op = cmd;
    // The kernel reads level and optname from the two halves of `addr`, optlen from the word
    // shared with file_index, and optval from the word shared with addr3.
    sqe->addr = static_cast<std::uint32_t>(level) | (static_cast<std::uint64_t>(static_cast<std::uint32_t>(optname)) << 32);
    sqe->file_index = optlen;
    sqe->addr3 = reinterpret_cast<std::uint64_t>(optval);
}

/// Checks that this kernel runs everything the io thread needs (opcodes, multishot accept into
/// allocated direct slots, socket commands, provided buffer rings). Empty when it does, else what
/// is missing.
[[nodiscard]] std::string kernel_support_problem();

} // namespace rns::io
