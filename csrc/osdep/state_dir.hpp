// SPDX-License-Identifier: Apache-2.0
// The node's storage directory, with ZeroTier's file names (identity.public, identity.secret,
// roots, peers.d/, networks.d/), written atomically: temp file, fsync, rename, fsync directory.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace zt::osdep {

class StateDir {
  public:
    explicit StateDir(std::string path) : path_(std::move(path)) {}
    const std::string& path() const { return path_; }

    // What reading a file found. Callers that would create a missing file must tell "absent" from
    // the rest: a file that exists but cannot be read is never theirs to replace.
    enum class ReadResult { kOk, kAbsent, kTooLarge, kFailed };

    bool ensure_exists() const;
    // kFailed sets *error_number to the errno of the failing open/read.
    ReadResult read_file(const std::string& name, std::vector<std::uint8_t>* out, std::size_t max_len,
                         int* error_number) const;
    // true only for kOk: for caches, where any other outcome means "not there".
    bool read(const std::string& name, std::vector<std::uint8_t>* out, std::size_t max_len = 1 << 20) const;
    bool write(const std::string& name, const void* data, std::size_t len, unsigned mode) const;
    bool remove(const std::string& name) const;
    // File names in a subdirectory (empty if it does not exist).
    std::vector<std::string> list(const std::string& subdir) const;

  private:
    std::string path_;
};

}  // namespace zt::osdep
