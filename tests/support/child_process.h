// Running the built `strata` binary as a child process in tests, its stderr read as it comes:
// for commands that must be signalled (Ctrl-C) or talked to while they run.
#pragma once

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "support/test_support.h"

extern char** environ;

namespace strata::testing {

// A child process whose stderr is read line by line.
class Child {
 public:
  explicit Child(const std::vector<std::string>& args) {
    int fds[2];
    EXPECT_EQ(pipe(fds), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::vector<char*> argv;
    std::string binary = STRATA_CLI_PATH;
    argv.push_back(binary.data());
    std::vector<std::string> copy = args;
    for (std::string& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    EXPECT_EQ(posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    err_ = fds[0];
  }
  ~Child() {
    if (pid_ > 0 && !waited_) {
      kill(pid_, SIGKILL);
      Wait();
    }
    close(err_);
  }
  // Reads stderr until it contains `text` (false after 60 s or at end of output).
  bool WaitForStderr(const std::string& text) {
    for (int i = 0; i < 600 && stderr_.find(text) == std::string::npos; ++i) {
      pollfd p{err_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      char buffer[4096];
      ssize_t n = read(err_, buffer, sizeof buffer);
      if (n <= 0) break;
      stderr_.append(buffer, static_cast<size_t>(n));
    }
    return stderr_.find(text) != std::string::npos;
  }
  int Wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    waited_ = true;
    WaitForStderr("\x01");  // drain what is left
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  pid_t pid() const { return pid_; }
  const std::string& err() const { return stderr_; }

 private:
  pid_t pid_ = -1;
  int err_ = -1;
  bool waited_ = false;
  std::string stderr_;
};

}  // namespace strata::testing
