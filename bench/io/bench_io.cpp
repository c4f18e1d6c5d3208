// Numeric CSV parse throughput of shelf::parse_csv (and the chunked reader)
// against a plain std::strtod loop over the same bytes.
//
// The strtod loop is the floor any CSV reader pays: it converts every field
// and skips one separator after it, with no validation of the structure, no
// error positions and no output matrix. The "MB/s" counter is input bytes per
// second.
#include <shelf/io/csv.hpp>

#include <benchmark/benchmark.h>

#include <charconv>
#include <cstdlib>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

constexpr int kRows = 50000;
constexpr int kCols = 20;  // label + 19 features

/// kind 0: short values as most data sets hold them (e.g. "-12.375", "0.0831");
/// kind 1: full precision doubles (shortest round-trip form, ~17 digits).
const std::string& csv_text(int kind) {
    static std::string texts[2];
    std::string& t = texts[kind];
    if (!t.empty()) return t;
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> u(-1, 1);
    std::uniform_int_distribution<int> e(-3, 4);
    char buf[64];
    for (int i = 0; i < kRows; ++i) {
        t += std::to_string(i % 2);
        for (int j = 1; j < kCols; ++j) {
            t += ',';
            const double v = u(rng) * std::pow(10.0, e(rng));
            const auto r = kind == 0 ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 5)
                                     : std::to_chars(buf, buf + sizeof buf, v);
            t.append(buf, r.ptr);
        }
        t += '\n';
    }
    return t;
}

void set_rate(benchmark::State& state, std::size_t bytes) {
    const double total = static_cast<double>(bytes) * static_cast<double>(state.iterations());
    state.SetBytesProcessed(static_cast<std::int64_t>(total));
    state.counters["MB/s"] = benchmark::Counter(total / 1e6, benchmark::Counter::kIsRate);
}

template <class T>
void BM_shelf_parse_csv(benchmark::State& state) {
    const std::string& text = csv_text(static_cast<int>(state.range(0)));
    for (auto _ : state) {
        auto d = shelf::parse_csv<T>(text, {}, "bench.csv");
        benchmark::DoNotOptimize(d.features.data());
        benchmark::ClobberMemory();
    }
    set_rate(state, text.size());
}

void BM_strtod_loop(benchmark::State& state) {
    const std::string& text = csv_text(static_cast<int>(state.range(0)));
    std::vector<double> out(static_cast<std::size_t>(kRows) * kCols);
    for (auto _ : state) {
        const char* p = text.c_str();
        const char* const end = p + text.size();
        std::size_t k = 0;
        while (p < end) {
            char* q = nullptr;
            const double v = std::strtod(p, &q);
            if (q == p) {  // cannot happen on this data; keeps the loop total
                ++p;
                continue;
            }
            out[k++] = v;
            p = q + 1;  // the ',' or '\n' after the number
        }
        benchmark::DoNotOptimize(out.data());
        benchmark::DoNotOptimize(k);
        benchmark::ClobberMemory();
    }
    set_rate(state, text.size());
}

void BM_shelf_csv_reader_stream(benchmark::State& state) {
    const std::string& text = csv_text(static_cast<int>(state.range(0)));
    for (auto _ : state) {
        std::istringstream in(text);
        shelf::CsvReader<double> reader(in, {}, "bench.csv", 4096, std::size_t(1) << 20);
        shelf::CsvData<double> batch;
        std::int64_t rows = 0;
        while (reader.next_batch(batch)) rows += batch.features.rows();
        benchmark::DoNotOptimize(rows);
    }
    set_rate(state, text.size());
}

}  // namespace

BENCHMARK(BM_shelf_parse_csv<double>)
    ->ArgName("full_precision")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_shelf_parse_csv<float>)
    ->ArgName("full_precision")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_strtod_loop)->ArgName("full_precision")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_shelf_csv_reader_stream)
    ->ArgName("full_precision")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
