#include "router/control/identity_file.hpp"

#include "router/rns/identity.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace rns::control {

namespace {

std::string errno_text(const std::string& what, const std::string& path) {
    return what + " " + path + ": " + std::strerror(errno);
}

bool write_all(int fd, const std::uint8_t* p, std::size_t n) {
    while (n > 0) {
        const ssize_t w = ::write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return false;
        }
        p += w;
        n -= static_cast<std::size_t>(w);
    }
    return true;
}

} // namespace

identity_file_result load_transport_identity(const std::string& path) {
    identity_file_result r;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        r.error = errno_text("cannot open", path);
        return r;
    }
    byte_array<65> buf{};
    std::size_t got = 0;
    while (got < buf.size()) {
        const ssize_t n = ::read(fd, buf.data() + got, buf.size() - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    if (got != 64) {
        r.error = path + ": a transport identity file holds exactly 64 bytes, found " +
                  (got > 64 ? std::string("more") : std::to_string(got));
        return r;
    }
    r.key = take<64>(byte_view(buf).first(64));
    return r;
}

identity_file_result load_or_create_transport_identity(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
        return load_transport_identity(path);
    }
    identity_file_result r;
    if (errno != ENOENT) {
        r.error = errno_text("cannot stat", path);
        return r;
    }
    const identity id = identity::generate();
    byte_array<64> key = id.private_key();
    const std::string tmp = path + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        r.error = errno_text("cannot create", tmp);
        return r;
    }
    const bool ok = write_all(fd, key.data(), key.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
        r.error = errno_text("cannot write", path);
        ::unlink(tmp.c_str());
        return r;
    }
    r.key = key;
    r.created = true;
    return r;
}

} // namespace rns::control
