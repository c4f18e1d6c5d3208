// The training progress shown by `shelf train`: a redrawn bar with ETA on a
// terminal, plain lines (at most one per 10 % of the work) otherwise.
#pragma once

#include <chrono>
#include <cstdio>
#include <optional>
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

    /// Ends the bar; in the plain log the last report is printed too (training that stopped
    /// early ends before its total).
    void finish() {
        if (terminal_ && drawn_) std::fputc('\n', stderr);
        if (!terminal_ && last_ && !last_printed_) print_line(*last_);
        drawn_ = false;
    }

private:
    using Clock = std::chrono::steady_clock;

    void show(const Progress& p) {
        const double fraction = p.total > 0 ? static_cast<double>(p.done) / static_cast<double>(p.total) : 0.0;
        const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
        const double eta = fraction > 0 ? elapsed * (1.0 - fraction) / fraction : 0.0;
        if (terminal_) {
            // Redrawn at most ten times a second (and at the end): a metric computed on demand
            // costs a pass over the training data.
            if (drawn_ && p.done != p.total && elapsed - last_drawn_ < 0.1) return;
            last_drawn_ = elapsed;
            std::string metric;
            if (!p.metric_name.empty()) metric = "  " + p.metric_name + " " + std::to_string(p.value());
            const int width = 30, filled = static_cast<int>(fraction * width);
            std::fprintf(stderr, "\r[%s%s] %3d%% %s %lld/%lld  %.1fs, ETA %.1fs%s\033[K",
                         std::string(static_cast<std::size_t>(filled), '#').c_str(),
                         std::string(static_cast<std::size_t>(width - filled), ' ').c_str(),
                         static_cast<int>(fraction * 100), p.stage.c_str(), p.done, p.total, elapsed, eta,
                         metric.c_str());
            drawn_ = true;
        } else {
            last_ = p;
            const int decile = static_cast<int>(fraction * 10);
            last_printed_ = !(decile <= last_decile_ && p.done != p.total);
            if (!last_printed_ && p.compute_metric) last_->metric_name.clear();  // not computable afterwards
            last_->compute_metric = nullptr;
            if (!last_printed_) return;
            last_decile_ = decile;
            print_line(p);
        }
    }

    void print_line(const Progress& p) const {
        const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
        std::string metric;
        if (!p.metric_name.empty()) metric = "  " + p.metric_name + " " + std::to_string(p.value());
        std::fprintf(stderr, "%s %lld/%lld (%.1fs)%s\n", p.stage.c_str(), p.done, p.total, elapsed, metric.c_str());
    }

    bool terminal_;
    Clock::time_point start_;
    bool drawn_ = false;
    double last_drawn_ = 0;  ///< seconds from the start
    int last_decile_ = -1;
    std::optional<Progress> last_;  // the plain log's latest report, and whether it was printed
    bool last_printed_ = false;
};

}  // namespace shelf::cli
