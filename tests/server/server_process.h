#pragma once
// Runs a real crm-server process on 127.0.0.1 with a port of its own choosing, for the
// integration tests. The destructor stops it with SIGTERM.
#include <string>
#include <vector>

struct ServerProcess {
    // Starts the server with the given data and web folders (and any further options); waits
    // until it listens.
    ServerProcess(const std::string& data_dir, const std::string& web_dir, const std::vector<std::string>& extra = {});
    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;

    // Sends SIGTERM and waits; returns the exit status (0 on a clean stop). After `timeout_ms` it sends
    // SIGKILL and returns 128 + 9.
    int stop(int timeout_ms = 10'000);
    // Sends SIGKILL and waits.
    void kill_hard();

    int pid = -1;
    int port = 0;
};
