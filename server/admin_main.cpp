// crm-admin: maintenance on a workspace database file, without a server: run the migrations,
// fill a database with a generated data set, print the field reference for the docs; and on a
// server's data folder: clear a sign-in lockout, set a new password.
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "accounts.h"
#include "field_reference.h"
#include "generator.h"
#include "local_store.h"
#include "records.h"
#include "schema.h"

namespace {

using crm::Error;

constexpr int kBadArguments = 2;
constexpr int kFailed = 1;

void usage(FILE* out) {
    std::fprintf(out,
                 "usage: crm-admin <command> [options]\n"
                 "\n"
                 "commands:\n"
                 "  migrate --db PATH      create the database if needed and run every migration\n"
                 "  generate --db PATH [--seed N] [--companies N] [--contacts N] [--deals N]\n"
                 "           [--activities N] [--cases N] [--leads N]\n"
                 "                         migrate, then add a generated data set; the same seed gives\n"
                 "                         the same records. With no counts: 20000 companies, 100000\n"
                 "                         contacts, 50000 deals, 300000 activities, 10000 cases and\n"
                 "                         5000 leads; with some counts, the others are 0.\n"
                 "  fields                 print every record type's fields as a Markdown table\n"
                 "  unlock --data DIR (--email E | --address A)\n"
                 "                         forget the failed sign-ins counted for an account's email (a\n"
                 "                         lockout ends at once), or every attempt counted for a client\n"
                 "                         address; works while the server runs\n"
                 "  reset-password --data DIR --email E\n"
                 "                         set the account's password to the first line of stdin (checked\n"
                 "                         like a sign-up's); ends its sessions and clears its lockout\n"
                 "  help                   print this text\n");
}

// A bad command line: said on stderr with the usage, exit status 2.
int bad_arguments(const std::string& message) {
    std::fprintf(stderr, "crm-admin: %s\n\n", message.c_str());
    usage(stderr);
    return kBadArguments;
}

int failed(const Error& error) {
    std::fprintf(stderr, "crm-admin: %s\n", error.to_string().c_str());
    return kFailed;
}

// "--name value" or "--name=value" for every option; a repeated option keeps the last value.
struct Options {
    std::map<std::string, std::string> values;
};

std::optional<std::string> parse_options(int argc, char** argv, const std::vector<std::string>& allowed,
                                         const std::string& command, Options& out) {
    for (int i = 2; i < argc; ++i) {
        std::string arg = argv[i], value;
        const size_t eq = arg.find('=');
        const bool inline_value = arg.rfind("--", 0) == 0 && eq != std::string::npos;
        if (inline_value) {
            value = arg.substr(eq + 1);
            arg = arg.substr(0, eq);
        }
        if (std::find(allowed.begin(), allowed.end(), arg) == allowed.end())
            return allowed.empty() ? command + " takes no options, got '" + arg + "'"
                                   : "unknown option '" + arg + "' for " + command;
        if (!inline_value) {
            if (i + 1 >= argc) return arg + " needs a value";
            value = argv[++i];
            // "--db --seed 5" is a forgotten path, not a file named "--seed".
            if (value.rfind("--", 0) == 0) return arg + " needs a value, got the option '" + value + "'";
        }
        out.values[arg] = value;
    }
    return std::nullopt;
}

// A whole number from 0 to `max`, digits only: "1e5", "-3" and "12abc" are refused, not guessed at.
std::optional<uint64_t> parse_count(const std::string& text, uint64_t max) {
    if (text.empty() || text.size() > 20 || text.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    errno = 0;
    const unsigned long long v = std::strtoull(text.c_str(), nullptr, 10);
    if (errno == ERANGE || v > max) return std::nullopt;
    return v;
}

std::optional<std::string> require_db(const Options& options, const std::string& command, std::string& db) {
    auto it = options.values.find("--db");
    if (it == options.values.end()) return command + " needs --db PATH (the database file; it is created if missing)";
    if (it->second.empty()) return "--db needs a file path, got ''";
    db = it->second;
    return std::nullopt;
}

crm::Result<int> schema_version(crm::Db& db) {
    auto st = db.prepare("PRAGMA user_version");
    if (!st) return st.error();
    if (auto row = st->step(); !row) return row.error();
    return static_cast<int>(st->integer(0));
}

// Opens (creating) the database and runs what it has not had yet; prints the version before and after.
crm::Status migrate_database(const std::string& path) {
    auto db = crm::Db::open(path);
    if (!db) return db.error();
    auto before = schema_version(*db);
    if (!before) return before.error();
    std::printf("schema version before: %d\n", *before);
    auto after = crm::migrate(*db);
    if (!after) return after.error();
    std::printf("schema version after:  %d%s\n", *after, *after == *before ? " (already up to date)" : "");
    return crm::ok();
}

int run_migrate(int argc, char** argv) {
    Options options;
    if (auto e = parse_options(argc, argv, {"--db"}, "migrate", options)) return bad_arguments(*e);
    std::string path;
    if (auto e = require_db(options, "migrate", path)) return bad_arguments(*e);
    if (auto s = migrate_database(path); !s) return failed(s.error());
    return 0;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Rows per table, to report what a run added whatever the database held before.
crm::Result<std::map<std::string, int64_t>> row_counts(crm::Db& db) {
    std::map<std::string, int64_t> out;
    for (const auto& spec : crm::record_specs()) {
        auto st = db.prepare("SELECT count(*) FROM " + spec.table);
        if (!st) return st.error();
        if (auto row = st->step(); !row) return row.error();
        out[spec.table] = st->integer(0);
    }
    return out;
}

int run_generate(int argc, char** argv) {
    Options options;
    const std::vector<std::string> allowed = {"--db",    "--seed",       "--companies", "--contacts",
                                              "--deals", "--activities", "--cases",     "--leads"};
    if (auto e = parse_options(argc, argv, allowed, "generate", options)) return bad_arguments(*e);
    std::string path;
    if (auto e = require_db(options, "generate", path)) return bad_arguments(*e);

    crm::GeneratorSpec spec;
    if (auto it = options.values.find("--seed"); it != options.values.end()) {
        auto seed = parse_count(it->second, UINT64_MAX);
        if (!seed)
            return bad_arguments("--seed must be a whole number from 0 to 18446744073709551615, got '" + it->second +
                                 "'");
        spec.seed = *seed;
    }
    const std::pair<const char*, int64_t crm::GeneratorSpec::*> counts[] = {
        {"--companies", &crm::GeneratorSpec::companies}, {"--contacts", &crm::GeneratorSpec::contacts},
        {"--deals", &crm::GeneratorSpec::deals},         {"--activities", &crm::GeneratorSpec::activities},
        {"--cases", &crm::GeneratorSpec::cases},         {"--leads", &crm::GeneratorSpec::leads},
    };
    bool any_count = false;
    for (const auto& [name, member] : counts) {
        auto it = options.values.find(name);
        if (it == options.values.end()) continue;
        // A billion records would take days; a larger number is a typo.
        auto n = parse_count(it->second, 1'000'000'000);
        if (!n)
            return bad_arguments(std::string(name) + " must be a whole number from 0 to 1000000000, got '" +
                                 it->second + "'");
        spec.*member = static_cast<int64_t>(*n);
        any_count = true;
    }
    if (!any_count) {
        spec.companies = 20'000;
        spec.contacts = 100'000;
        spec.deals = 50'000;
        spec.activities = 300'000;
        spec.cases = 10'000;
        spec.leads = 5'000;
    }

    if (auto s = migrate_database(path); !s) return failed(s.error());
    auto store = crm::LocalStore::open(path);
    if (!store) return failed(store.error());
    // A bulk load touches far more index pages than SQLite's default 2 MB cache holds; without
    // room they are spilled mid-transaction and read back (the full data set: 67 s -> 50 s).
    if (auto s = store->db().exec("PRAGMA cache_size = -262144"); !s) return failed(s.error());
    auto before = row_counts(store->db());
    if (!before) return failed(before.error());

    std::printf("generating with seed %" PRIu64 " into %s\n", spec.seed, path.c_str());
    std::fflush(stdout);
    const bool terminal = isatty(fileno(stdout)) != 0;
    const auto start = std::chrono::steady_clock::now();
    auto stage_start = start;
    auto status = crm::generate(*store, spec, [&](std::string_view stage, int64_t done, int64_t total) {
        const double took = seconds_since(stage_start);
        // A terminal sees the line grow chunk by chunk; a log gets one line per finished stage.
        if (done < total && !terminal) return;
        std::printf("%s  %-10.*s %9" PRId64 " / %-9" PRId64 " %7.1f s %9.0f/s%s", terminal ? "\r" : "",
                    static_cast<int>(stage.size()), stage.data(), done, total, took, took > 0 ? done / took : 0.0,
                    done == total ? "\n" : "");
        std::fflush(stdout);
        if (done == total) stage_start = std::chrono::steady_clock::now();
    });
    const double took = seconds_since(start);
    if (!status) {
        if (terminal) std::printf("\n");
        return failed(status.error());
    }

    auto after = row_counts(store->db());
    if (!after) return failed(after.error());
    int64_t added = 0;
    std::printf("added:\n");
    for (const auto& [table, n] : *after) {
        const int64_t d = n - (*before)[table];
        if (d == 0) continue;
        std::printf("  %-14s %9" PRId64 "\n", table.c_str(), d);
        added += d;
    }
    std::error_code ec;
    const auto bytes = std::filesystem::file_size(path, ec);
    std::printf("total: %" PRId64 " rows in %.1f s, %.0f rows/s; database %.1f MB\n", added, took,
                took > 0 ? added / took : 0.0, ec ? 0.0 : static_cast<double>(bytes) / (1024.0 * 1024.0));
    return 0;
}

int run_fields(int argc, char** argv) {
    Options options;
    if (auto e = parse_options(argc, argv, {}, "fields", options)) return bad_arguments(*e);
    std::fputs(crm::field_reference_markdown().c_str(), stdout);
    return 0;
}

// The accounts database of a server's data folder; it must exist already (a typo in --data
// must not create an empty one).
std::optional<std::string> open_accounts(const Options& options, const std::string& command,
                                         std::unique_ptr<crm::AccountStore>& out, int& status) {
    auto it = options.values.find("--data");
    if (it == options.values.end() || it->second.empty()) {
        status = kBadArguments;
        return command + " needs --data DIR (the server's data folder, which holds accounts.db)";
    }
    const std::string path = it->second + "/accounts.db";
    if (!std::filesystem::is_regular_file(path)) {
        status = kFailed;
        return "no accounts database at " + path + " (is --data the server's data folder?)";
    }
    auto store = crm::AccountStore::open(path);
    if (auto* r = std::get_if<crm::Refusal>(&store)) {
        status = kFailed;
        return r->message;
    }
    out = std::move(std::get<std::unique_ptr<crm::AccountStore>>(store));
    return std::nullopt;
}

int run_unlock(int argc, char** argv) {
    Options options;
    if (auto e = parse_options(argc, argv, {"--data", "--email", "--address"}, "unlock", options)) return bad_arguments(*e);
    const bool by_email = options.values.count("--email") > 0, by_address = options.values.count("--address") > 0;
    if (by_email == by_address) return bad_arguments("unlock needs either --email E or --address A");
    std::unique_ptr<crm::AccountStore> accounts;
    int status = 0;
    if (auto e = open_accounts(options, "unlock", accounts, status)) {
        if (status == kBadArguments) return bad_arguments(*e);
        std::fprintf(stderr, "crm-admin: %s\n", e->c_str());
        return status;
    }
    if (by_email) {
        const std::string email = options.values["--email"];
        auto done = accounts->unlock_email(email);
        if (auto* r = std::get_if<crm::Refusal>(&done)) {
            std::fprintf(stderr, "crm-admin: %s\n", r->message.c_str());
            return kFailed;
        }
        const auto& u = std::get<crm::Unlocked>(done);
        if (!u.account_exists) {
            std::fprintf(stderr, "crm-admin: email: no account has the email %s (cleared %lld failed sign-ins counted for it)\n",
                         email.c_str(), static_cast<long long>(u.attempts_cleared));
            return kFailed;
        }
        std::printf("unlocked %s: cleared %lld failed sign-ins; it can sign in at once\n", email.c_str(),
                    static_cast<long long>(u.attempts_cleared));
        return 0;
    }
    const std::string address = options.values["--address"];
    auto done = accounts->unlock_address(address);
    if (auto* r = std::get_if<crm::Refusal>(&done)) {
        std::fprintf(stderr, "crm-admin: %s\n", r->message.c_str());
        return kFailed;
    }
    std::printf("unlocked address %s: cleared %lld counted attempts\n", address.c_str(),
                static_cast<long long>(std::get<crm::Unlocked>(done).attempts_cleared));
    return 0;
}

// The first line of stdin, without its line end. On a terminal, asks for it without echoing it.
std::optional<std::string> read_password_line(const std::string& email) {
    const bool terminal = isatty(STDIN_FILENO) != 0;
    termios saved{};
    if (terminal) {
        std::fprintf(stderr, "New password for %s: ", email.c_str());
        std::fflush(stderr);
        tcgetattr(STDIN_FILENO, &saved);
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    std::string line;
    const bool got = static_cast<bool>(std::getline(std::cin, line)) || !line.empty();
    if (terminal) {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        std::fprintf(stderr, "\n");
    }
    if (!got) return std::nullopt;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

int run_reset_password(int argc, char** argv) {
    Options options;
    if (auto e = parse_options(argc, argv, {"--data", "--email"}, "reset-password", options)) return bad_arguments(*e);
    auto it = options.values.find("--email");
    if (it == options.values.end() || it->second.empty()) return bad_arguments("reset-password needs --email E (the account's email)");
    const std::string email = it->second;
    std::unique_ptr<crm::AccountStore> accounts;
    int status = 0;
    if (auto e = open_accounts(options, "reset-password", accounts, status)) {
        if (status == kBadArguments) return bad_arguments(*e);
        std::fprintf(stderr, "crm-admin: %s\n", e->c_str());
        return status;
    }
    auto password = read_password_line(email);
    if (!password || password->empty()) {
        std::fprintf(stderr, "crm-admin: password: is required, as the first line of stdin\n");
        return kFailed;
    }
    auto done = accounts->set_password(email, *password);
    if (auto* r = std::get_if<crm::Refusal>(&done)) {
        std::fprintf(stderr, "crm-admin: %s\n", r->message.c_str());
        return kFailed;
    }
    std::printf("password of %s changed; %lld sessions ended, sign-in lockout cleared\n", email.c_str(),
                static_cast<long long>(std::get<int64_t>(done)));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        usage(stderr);
        return kBadArguments;
    }
    const std::string command = argv[1];
    if (command == "migrate") return run_migrate(argc, argv);
    if (command == "generate") return run_generate(argc, argv);
    if (command == "fields") return run_fields(argc, argv);
    if (command == "unlock") return run_unlock(argc, argv);
    if (command == "reset-password") return run_reset_password(argc, argv);
    if (command == "help" || command == "--help" || command == "-h") {
        usage(stdout);
        return 0;
    }
    return bad_arguments("unknown command '" + command + "'");
}
