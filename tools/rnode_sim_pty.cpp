#include "tools/rnode_sim_pty.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

namespace rnode_sim {

std::string pty_port::plug(const std::string& link) {
    unplug();
    const int m = ::posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (m < 0) {
        return std::string("posix_openpt: ") + std::strerror(errno);
    }
    char name[128];
    if (::grantpt(m) != 0 || ::unlockpt(m) != 0 || ::ptsname_r(m, name, sizeof(name)) != 0) {
        const std::string e = std::string("pty set-up: ") + std::strerror(errno);
        ::close(m);
        return e;
    }
    const int s = ::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s < 0) {
        const std::string e = std::string(name) + ": " + std::strerror(errno);
        ::close(m);
        return e;
    }
    // Raw from the start: with the default line discipline the slave would echo our own output
    // back to us before the host sets raw mode (§6.4).
    termios t{};
    ::tcgetattr(s, &t);
    ::cfmakeraw(&t);
    ::tcsetattr(s, TCSANOW, &t);
    const std::string tmp = link + ".new";
    ::unlink(tmp.c_str());
    if (::symlink(name, tmp.c_str()) != 0 || ::rename(tmp.c_str(), link.c_str()) != 0) {
        const std::string e = link + ": " + std::strerror(errno);
        ::close(s);
        ::close(m);
        return e;
    }
    _master = m;
    _slave = s;
    _slave_path = name;
    return {};
}

void pty_port::unplug() noexcept {
    if (_master >= 0) {
        ::close(_master);
        _master = -1;
    }
    if (_slave >= 0) {
        ::close(_slave);
        _slave = -1;
    }
}

} // namespace rnode_sim
