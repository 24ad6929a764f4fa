#include "server_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

ServerProcess::ServerProcess(const std::string& data_dir, const std::string& web_dir, const std::vector<std::string>& extra) {
    std::vector<std::string> args = {CRM_SERVER_BINARY, "--port", "0", "--data", data_dir, "--web", web_dir};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int out[2];
    if (pipe(out) != 0) throw std::runtime_error("pipe failed");
    pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        // Only async-signal-safe calls here: the test may have other threads running.
        dup2(out[1], STDOUT_FILENO);
        // Nothing else of the test's leaks into the server: not the pipe, and not the sockets
        // of client threads (a server holding a copy of a client's socket keeps it open).
        close_range(3, ~0U, 0);
        // A test that ignores SIGPIPE for itself must not change how the server handles it.
        signal(SIGPIPE, SIG_DFL);
        execv(CRM_SERVER_BINARY, argv.data());
        _exit(127);
    }
    close(out[1]);
    // The first line says where it listens: "crm-server listening on http://127.0.0.1:PORT/ ...".
    std::string line;
    char c;
    while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
    close(out[0]);
    auto at = line.find("127.0.0.1:");
    if (at == std::string::npos) {
        kill_hard();
        throw std::runtime_error("server did not start: '" + line + "'");
    }
    port = std::stoi(line.substr(at + 10));
}

int ServerProcess::stop(int timeout_ms) {
    if (pid <= 0) return -1;
    kill(pid, SIGTERM);
    int status = 0;
    // A server that has not stopped after `timeout_ms` gets SIGKILL (and the caller sees 128 + 9), so a
    // lost SIGTERM fails a test instead of hanging it.
    for (int waited_ms = 0; waitpid(pid, &status, WNOHANG) == 0; waited_ms += 10) {
        if (waited_ms >= timeout_ms) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            break;
        }
        usleep(10'000);
    }
    pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void ServerProcess::kill_hard() {
    if (pid <= 0) return;
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    pid = -1;
}

ServerProcess::~ServerProcess() {
    if (pid > 0) stop();
}
