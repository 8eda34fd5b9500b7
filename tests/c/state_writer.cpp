// SPDX-License-Identifier: Apache-2.0
// osdep::StateWriter against a disk that is frozen while the operations are queued (the test
// freezes it before it starts this program and thaws it when this prints "QUEUED"): what a read
// answers meanwhile, which operation wins per file, what reaches the disk once it thaws, and how
// a failed write shows.
//
// Usage: state_writer <directory on the frozen filesystem> <scratch directory elsewhere>
// Prints "QUEUED", then waits for a line on stdin (the disk has thawed); then "PASS <case>" or
// "FAIL <case>" per case; exit status 1 if any failed. Built and run by tests/c/test_state_writer.py.
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "core_test_check.hpp"
#include "osdep/state_dir.hpp"
#include "osdep/state_writer.hpp"

namespace {

using zt::osdep::StateDir;
using zt::osdep::StateWriter;

std::vector<std::uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

std::string read_back(const StateWriter& w, const std::string& name) {
    std::vector<std::uint8_t> out;
    return w.read(name, &out, 1 << 20) ? std::string(out.begin(), out.end()) : std::string("<none>");
}

bool exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

std::string file_text(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

void queued_while_the_disk_is_frozen(const std::string& dir) {
    StateWriter w{StateDir(dir)};
    w.write("networks.d/a.conf", bytes("first"), 0600);
    w.write("networks.d/a.conf", bytes("second"), 0600);
    w.write("peers.d/b.peer", bytes("gone soon"), 0600);
    w.remove("peers.d/b.peer");
    w.remove("moons.d/never-written.moon");
    w.write("roots", bytes("0123456789"), 0644);
    // Reads answer as the disk will be, long before it is.
    CHECK(read_back(w, "networks.d/a.conf") == "second");
    CHECK(read_back(w, "peers.d/b.peer") == "<none>");
    CHECK(read_back(w, "moons.d/never-written.moon") == "<none>");
    std::vector<std::uint8_t> small;
    CHECK(!w.read("roots", &small, 4) && small.empty());  // longer than the caller takes
    std::printf("QUEUED\n");
    std::fflush(stdout);
    std::string thawed;
    std::getline(std::cin, thawed);
    w.flush();
    CHECK(file_text(dir + "/networks.d/a.conf") == "second");
    CHECK(!exists(dir + "/peers.d/b.peer"));
    CHECK(!exists(dir + "/moons.d/never-written.moon"));
    CHECK(file_text(dir + "/roots") == "0123456789");
    CHECK(w.failures() == 0);  // removing what was never written is no failure
}

void a_write_that_fails_is_counted(const std::string& scratch) {
    const std::string not_a_directory = scratch + "/plain-file";
    std::ofstream(not_a_directory) << "x";
    StateWriter w{StateDir(not_a_directory + "/storage")};
    w.write("peers.d/c.peer", bytes("nowhere to go"), 0600);
    w.flush();
    CHECK(w.failures() == 1);
    CHECK(read_back(w, "peers.d/c.peer") == "<none>");  // not pending any more, and not on disk
}

void destruction_finishes_the_queue(const std::string& scratch) {
    {
        StateWriter w{StateDir(scratch + "/storage")};
        for (int i = 0; i < 50; ++i) w.write("peers.d/" + std::to_string(i) + ".peer", bytes(std::to_string(i)), 0600);
    }
    for (int i = 0; i < 50; ++i) {
        CHECK(file_text(scratch + "/storage/peers.d/" + std::to_string(i) + ".peer") == std::to_string(i));
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s <directory on the frozen filesystem> <scratch directory>\n", argv[0]);
        return 2;
    }
    const std::string frozen = argv[1];
    const std::string scratch = argv[2];
    bool ok = core_test::run_case("queued_while_the_disk_is_frozen", [&] { queued_while_the_disk_is_frozen(frozen); });
    ok &= core_test::run_case("a_write_that_fails_is_counted", [&] { a_write_that_fails_is_counted(scratch); });
    ok &= core_test::run_case("destruction_finishes_the_queue", [&] { destruction_finishes_the_queue(scratch); });
    return ok ? 0 : 1;
}
