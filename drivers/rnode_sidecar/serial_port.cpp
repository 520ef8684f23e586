#include "drivers/rnode_sidecar/serial_port.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

namespace rnode {

std::string serial_port::open(const std::string& path) {
    close();
    _error.clear();
    const int fd = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        return path + ": " + std::strerror(errno);
    }
    termios t{};
    if (::tcgetattr(fd, &t) != 0) {
        const std::string e = path + ": not a serial port (" + std::strerror(errno) + ")";
        ::close(fd);
        return e;
    }
    // §6.4: raw mode, or binary frames get mangled and echoed back.
    ::cfmakeraw(&t);
    t.c_cflag &= ~static_cast<tcflag_t>(CSTOPB | PARENB | CRTSCTS | CSIZE);
    t.c_cflag |= CS8 | CLOCAL | CREAD;
    t.c_iflag &= ~static_cast<tcflag_t>(IXON | IXOFF | IXANY);
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    ::cfsetispeed(&t, B115200);
    ::cfsetospeed(&t, B115200);
    if (::tcsetattr(fd, TCSANOW, &t) != 0 && errno != EINVAL && errno != ENOTTY) {
        const std::string e = path + ": tcsetattr: " + std::strerror(errno);
        ::close(fd);
        return e;
    }
    // §1.1: assert DTR and RTS like pyserial; PTYs refuse these ioctls, which is fine.
    int lines = TIOCM_DTR | TIOCM_RTS;
    if (::ioctl(fd, TIOCMBIS, &lines) != 0 && errno != EINVAL && errno != ENOTTY) {
        const std::string e = path + ": setting DTR/RTS: " + std::strerror(errno);
        ::close(fd);
        return e;
    }
    _fd = fd;
    _out.clear();
    return {};
}

void serial_port::close() noexcept {
    if (_fd >= 0) {
        ::close(_fd);
        _fd = -1;
    }
    _out.clear();
}

bool serial_port::write(rns::byte_view b) {
    if (_fd < 0 || _out.size() + b.size() > max_pending) {
        return false;
    }
    _out.insert(_out.end(), b.begin(), b.end());
    return flush();
}

bool serial_port::flush() {
    while (_fd >= 0 && !_out.empty()) {
        const ssize_t n = ::write(_fd, _out.data(), _out.size());
        if (n > 0) {
            _out.erase(_out.begin(), _out.begin() + n);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            return true;
        }
        _error = std::string("write: ") + (n < 0 ? std::strerror(errno) : "no progress");
        return false;
    }
    return _fd >= 0;
}

long serial_port::read(std::uint8_t* buf, std::size_t cap) {
    if (_fd < 0) {
        return -1;
    }
    const ssize_t n = ::read(_fd, buf, cap);
    if (n > 0) {
        return n;
    }
    // A raw tty with VMIN = VTIME = 0 returns 0 when nothing is waiting: not an end of file. A
    // vanished device shows as EIO (or POLLHUP).
    if (n == 0 || errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        return 0;
    }
    _error = std::string("read: ") + std::strerror(errno);
    return -1;
}

void serial_port::drain_input() noexcept {
    if (_fd < 0) {
        return;
    }
    ::tcflush(_fd, TCIFLUSH);
    std::uint8_t buf[512];
    while (::read(_fd, buf, sizeof(buf)) > 0) {
    }
}

void serial_port::flush_blocking(int timeout_ms) noexcept {
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (_fd >= 0 && !_out.empty() && std::chrono::steady_clock::now() < end) {
        pollfd p{_fd, POLLOUT, 0};
        if (::poll(&p, 1, 50) < 0 || !flush()) {
            return;
        }
    }
}

} // namespace rnode
