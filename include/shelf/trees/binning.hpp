// shelf/trees/binning.hpp: quantile cut points per feature, and the compact bin matrix.
//
// Cut points come from the weighted quantile sketch (sketch.hpp) and are placed as in XGBoost
// 1.7's hist method. Each value is replaced by its bin: the first cut above it. A feature with
// b bins uses codes 0..b-1 and, for a missing value, code b; the whole matrix is uint8 when every
// code fits in a byte (max_bin ≤ 256 and no 256-bin feature with missing values), else uint16.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "shelf/core/parallel.hpp"
#include "shelf/core/types.hpp"
#include "sketch.hpp"

namespace shelf::gbt::detail {

/// Cut points: feature f's bins end at values[ptr[f]] ... values[ptr[f+1]-1] (exclusive upper
/// bounds; the last is above every training value). min_values[f] is below every value.
template <class T>
struct Cuts {
    std::vector<std::uint32_t> ptr{0};
    std::vector<T> values;
    std::vector<T> min_values;

    Index features() const { return static_cast<Index>(min_values.size()); }
    std::uint32_t bins(Index f) const { return ptr[static_cast<std::size_t>(f) + 1] - ptr[static_cast<std::size_t>(f)]; }
    const T* cuts(Index f) const { return values.data() + ptr[static_cast<std::size_t>(f)]; }

    /// The bin of a non-missing x: the first cut above x, clamped to the last bin.
    std::uint32_t bin_of(Index f, T x) const {
        std::uint32_t bin;
        bins_of<1>(f, &x, &bin);
        return bin;
    }

    /// bin_of() for `Lanes` values of feature f at once: their searches are independent chains
    /// of loads, which the core overlaps (one search alone waits on each load in turn).
    template <int Lanes>
    void bins_of(Index f, const T* x, std::uint32_t* bin) const {
        const T* c = cuts(f);
        std::uint32_t n = bins(f), at[Lanes] = {};
        const std::uint32_t last = n - 1;
        while (n > 1) {  // upper_bound without branches: the comparison feeds a multiply
            const std::uint32_t half = n / 2;
            for (int i = 0; i < Lanes; ++i) at[i] += half * static_cast<std::uint32_t>(c[at[i] + half - 1] <= x[i]);
            n -= half;
        }
        for (int i = 0; i < Lanes; ++i) bin[i] = std::min(at[i] + static_cast<std::uint32_t>(c[at[i]] <= x[i]), last);
    }
};

/// Sketches every feature of X (NaN = missing; `weight` may be null) and places at most
/// `max_bin` bins per feature. `present[f]` receives the number of non-missing values.
template <class T>
Cuts<T> make_cuts(const MatrixView<T>& X, const T* weight, int max_bin, int threads, std::vector<Index>& present) {
    const Index n = X.rows(), d = X.cols();
    present.assign(static_cast<std::size_t>(d), 0);
    std::vector<Summary<T>> finals(static_cast<std::size_t>(d));
    std::vector<std::size_t> max_bins(static_cast<std::size_t>(d), 0);
    // Each chunk of features scans the rows once; a feature's stream is in row order whatever
    // the chunking, so the cuts do not depend on the thread count.
    const Index chunks = std::max<Index>(1, std::min<Index>(threads, d));
    parallel_for(team_for(threads, static_cast<double>(n * d)), chunks, Schedule::even, [&](Index c) {
        const Index f0 = d * c / chunks, f1 = d * (c + 1) / chunks;
        for (Index r = 0; r < n; ++r)
            for (Index f = f0; f < f1; ++f) present[static_cast<std::size_t>(f)] += std::isnan(X(r, f)) ? 0 : 1;
        SketchWorkspace<T> work;  // one thread feeds this chunk's sketches, one at a time
        std::vector<QuantileSketch<T>> sketches;
        for (Index f = f0; f < f1; ++f) {
            const auto count = static_cast<std::size_t>(present[static_cast<std::size_t>(f)]);
            const std::size_t bins = std::max<std::size_t>(1, std::min<std::size_t>(static_cast<std::size_t>(max_bin), count));
            sketches.emplace_back(std::max<std::size_t>(count, 1), 1.0 / (static_cast<float>(bins) * 8.0f), work);
        }
        for (Index r = 0; r < n; ++r) {
            const float w = weight ? static_cast<float>(weight[r]) : 1.0f;
            for (Index f = f0; f < f1; ++f) {
                const T x = X(r, f);
                if (!std::isnan(x)) sketches[static_cast<std::size_t>(f - f0)].push(x, w);
            }
        }
        Summary<T> reduced;
        for (Index f = f0; f < f1; ++f) {
            const auto fi = static_cast<std::size_t>(f);
            const auto count = static_cast<std::size_t>(present[fi]);
            if (count == 0) continue;
            // XGBoost prunes to 8·max_bin entries (its cross-worker exchange size), then to max_bin + 1.
            const std::size_t intermediate = std::min(count, static_cast<std::size_t>(static_cast<float>(max_bin) * 8.0f));
            prune(sketches[static_cast<std::size_t>(f - f0)].summary(), intermediate, reduced);
            max_bins[fi] = std::min(intermediate, static_cast<std::size_t>(max_bin));
            prune(reduced, max_bins[fi] + 1, finals[fi]);
        }
    });

    Cuts<T> cuts;
    const T tiny = static_cast<T>(1e-5f);
    for (Index f = 0; f < d; ++f) {
        const auto& s = finals[static_cast<std::size_t>(f)];
        T top = tiny;  // an empty feature gets one bin
        if (s.empty()) {
            cuts.min_values.push_back(tiny);
        } else {
            cuts.min_values.push_back(s.front().value - (std::abs(s.front().value) + tiny));
            // The smallest value opens bin 0; the next max_bin - 1 summary values close bins.
            const std::size_t required = std::min(s.size(), max_bins[static_cast<std::size_t>(f)]);
            for (std::size_t i = 1; i < required; ++i)
                if (i == 1 || s[i].value > cuts.values.back()) cuts.values.push_back(s[i].value);
            top = s.back().value;
        }
        cuts.values.push_back(top + (std::abs(top) + tiny));
        cuts.ptr.push_back(static_cast<std::uint32_t>(cuts.values.size()));
    }
    return cuts;
}

/// Bin codes; feature f's missing code is cuts.bins(f). Kept twice: row-major for histograms
/// (a row's codes together) and column-major for partitioning (a feature's codes together).
template <class B>
struct BinMatrix {
    std::vector<B> codes;    ///< rows × cols, row-major
    std::vector<B> columns;  ///< cols × rows, column-major
    Index rows = 0;
    Index cols = 0;
    const B* row(Index r) const { return codes.data() + r * cols; }
    const B* column(Index f) const { return columns.data() + f * rows; }
};

/// Whether every code (bins, plus the missing code of features that have missing values) fits in B.
template <class B, class T>
bool codes_fit(const Cuts<T>& cuts, const std::vector<Index>& present, Index rows) {
    for (Index f = 0; f < cuts.features(); ++f) {
        const std::uint64_t top = cuts.bins(f) - (present[static_cast<std::size_t>(f)] == rows ? 1u : 0u);
        if (top > std::numeric_limits<B>::max()) return false;
    }
    return true;
}

template <class B, class T>
BinMatrix<B> bin_rows(const MatrixView<T>& X, const Cuts<T>& cuts, int threads) {
    BinMatrix<B> m;
    m.rows = X.rows();
    m.cols = X.cols();
    m.codes.resize(static_cast<std::size_t>(m.rows * m.cols));
    m.columns.resize(m.codes.size());
    constexpr int lanes = 8;  // rows searched together
    const Index groups = (m.rows + lanes - 1) / lanes;
    parallel_for(team_for(threads, static_cast<double>(m.codes.size())), groups, Schedule::even, [&](Index g) {
        const Index r0 = g * lanes;
        const int count = static_cast<int>(std::min<Index>(lanes, m.rows - r0));
        for (Index f = 0; f < m.cols; ++f) {
            T x[lanes];
            std::uint32_t bin[lanes];
            for (int i = 0; i < lanes; ++i) x[i] = X(r0 + std::min(i, count - 1), f);
            cuts.template bins_of<lanes>(f, x, bin);
            for (int i = 0; i < count; ++i) {
                const auto code = static_cast<B>(std::isnan(x[i]) ? cuts.bins(f) : bin[i]);
                m.codes[static_cast<std::size_t>((r0 + i) * m.cols + f)] = code;
                m.columns[static_cast<std::size_t>(f * m.rows + r0 + i)] = code;
            }
        }
    });
    return m;
}

}  // namespace shelf::gbt::detail
