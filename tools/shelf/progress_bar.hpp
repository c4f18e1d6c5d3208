// The training progress shown by `shelf train`: a redrawn bar with ETA on a
// terminal, plain lines (at most one per 10 % of the work) otherwise.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

#include <unistd.h>

#include <shelf/core/progress.hpp>

namespace shelf::cli {

class ProgressBar {
public:
    ProgressBar() : terminal_(isatty(fileno(stderr)) != 0), start_(Clock::now()) {}

    ProgressCallback callback() {
        return [this](const Progress& p) {
            show(p);
            return true;
        };
    }

    void finish() {
        if (terminal_ && drawn_) std::fputc('\n', stderr);
        drawn_ = false;
    }

private:
    using Clock = std::chrono::steady_clock;

    void show(const Progress& p) {
        const double fraction = p.total > 0 ? static_cast<double>(p.done) / static_cast<double>(p.total) : 0.0;
        const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
        const double eta = fraction > 0 ? elapsed * (1.0 - fraction) / fraction : 0.0;
        std::string metric;
        if (!p.metric_name.empty()) metric = "  " + p.metric_name + " " + std::to_string(p.metric);
        if (terminal_) {
            const int width = 30, filled = static_cast<int>(fraction * width);
            std::fprintf(stderr, "\r[%s%s] %3d%% %s %lld/%lld  %.1fs, ETA %.1fs%s\033[K",
                         std::string(static_cast<std::size_t>(filled), '#').c_str(),
                         std::string(static_cast<std::size_t>(width - filled), ' ').c_str(),
                         static_cast<int>(fraction * 100), p.stage.c_str(), p.done, p.total, elapsed, eta,
                         metric.c_str());
            drawn_ = true;
        } else {
            const int decile = static_cast<int>(fraction * 10);
            if (decile <= last_decile_ && p.done != p.total) return;
            last_decile_ = decile;
            std::fprintf(stderr, "%s %lld/%lld (%.1fs)%s\n", p.stage.c_str(), p.done, p.total, elapsed,
                         metric.c_str());
        }
    }

    bool terminal_;
    Clock::time_point start_;
    bool drawn_ = false;
    int last_decile_ = -1;
};

}  // namespace shelf::cli
