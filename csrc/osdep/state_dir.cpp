// SPDX-License-Identifier: Apache-2.0
#include "osdep/state_dir.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace zt::osdep {

namespace {

bool mkdirs(const std::string& path) {
    if (path.empty()) return false;
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) return S_ISDIR(st.st_mode);
    const std::size_t slash = path.find_last_of('/');
    if (slash != std::string::npos && slash > 0 && !mkdirs(path.substr(0, slash))) return false;
    return ::mkdir(path.c_str(), 0700) == 0 || errno == EEXIST;
}

bool write_all(int fd, const std::uint8_t* p, std::size_t len) {
    while (len > 0) {
        const ssize_t n = ::write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        p += n;
        len -= static_cast<std::size_t>(n);
    }
    return true;
}

}  // namespace

bool StateDir::ensure_exists() const { return mkdirs(path_); }

StateDir::ReadResult StateDir::read_file(const std::string& name, std::vector<std::uint8_t>* out,
                                         std::size_t max_len, int* error_number) const {
    const std::string full = path_ + "/" + name;
    out->clear();
    const int fd = ::open(full.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return ReadResult::kAbsent;
        *error_number = errno;
        return ReadResult::kFailed;
    }
    std::uint8_t buf[4096];
    ReadResult result = ReadResult::kOk;
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            *error_number = errno;
            result = ReadResult::kFailed;
            break;
        }
        if (n == 0) break;
        if (out->size() + static_cast<std::size_t>(n) > max_len) {
            result = ReadResult::kTooLarge;
            break;
        }
        out->insert(out->end(), buf, buf + n);
    }
    ::close(fd);
    if (result != ReadResult::kOk) out->clear();
    return result;
}

bool StateDir::read(const std::string& name, std::vector<std::uint8_t>* out, std::size_t max_len) const {
    int ignored = 0;
    return read_file(name, out, max_len, &ignored) == ReadResult::kOk;
}

bool StateDir::write(const std::string& name, const void* data, std::size_t len, unsigned mode) const {
    const std::string full = path_ + "/" + name;
    const std::size_t slash = full.find_last_of('/');
    if (!mkdirs(full.substr(0, slash))) return false;
    std::string tmp = full + ".tmpXXXXXX";
    const int fd = ::mkstemp(tmp.data());
    if (fd < 0) return false;
    const bool ok = ::fchmod(fd, static_cast<mode_t>(mode)) == 0 &&
                    write_all(fd, static_cast<const std::uint8_t*>(data), len) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok || ::rename(tmp.c_str(), full.c_str()) != 0) {
        ::unlink(tmp.c_str());
        return false;
    }
    const int dir = ::open(full.substr(0, slash).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
    return true;
}

std::vector<std::string> StateDir::list(const std::string& subdir) const {
    std::vector<std::string> names;
    DIR* d = ::opendir((path_ + "/" + subdir).c_str());
    if (d == nullptr) return names;
    while (const dirent* e = ::readdir(d)) {
        if (e->d_name[0] != '.') names.emplace_back(e->d_name);
    }
    ::closedir(d);
    return names;
}

bool StateDir::remove(const std::string& name) const { return ::unlink((path_ + "/" + name).c_str()) == 0; }

}  // namespace zt::osdep
