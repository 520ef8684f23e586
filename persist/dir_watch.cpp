#include "persist/dir_watch.hpp"

#include <cerrno>

namespace persist {

void dir_watch::on_complete(int res) noexcept {
    if (_step == step::statx) {
        _step = step::none;
        if (res == 0 && (_adopt_inode || _stx.stx_ino == _inode)) {
            _inode = _stx.stx_ino;
            _adopt_inode = false;
            return;
        }
        if (res == 0) { // replaced by another directory: our files are gone
            _e.failures.report(ENOENT, "state directory replaced;");
            _inode = _stx.stx_ino;
            _recreated = true;
            return;
        }
        _e.failures.report(-res, "state directory check");
        _step = step::mkdir;
        _e.ring.prep_mkdir(*this, _e.dir.c_str(), 0700);
        return;
    }
    // mkdir done (or failed: try again at the next check)
    _step = step::none;
    if (res == 0 || res == -EEXIST) {
        _next = _e.now; // learn the new inode at the next loop
        _adopt_inode = true;
        _recreated = true;
    } else {
        _e.failures.report(-res, "recreate state directory");
    }
}

} // namespace persist
