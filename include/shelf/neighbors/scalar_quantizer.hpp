// shelf/neighbors/scalar_quantizer.hpp: vectors as 8-bit codes — each dimension's range over
// the rows it was trained on, in 255 steps, later values clamped to it. What the flat and HNSW
// indexes keep with vector_storage = sq8 (a quarter of the float memory) and walk with
// sq8_rerank. The code kernels (simd/kernels.hpp: squared_l2_codes, inner_product_codes) measure
// a float query against codes without decoding them.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include <Eigen/Core>

#include "params.hpp"
#include "shelf/core/types.hpp"

namespace shelf::knn {

struct ScalarQuantizer {
    Vector<float> low, scale;  ///< x[j] ≈ low[j] + scale[j]·code[j]; empty until trained

    bool trained() const noexcept { return low.size() != 0; }

    /// Each dimension's range over `rows`.
    template <class T>
    void train(const RowMatrix<T>& rows) {
        const Vector<T> lo = rows.colwise().minCoeff().transpose(), hi = rows.colwise().maxCoeff().transpose();
        low = lo.template cast<float>();
        scale = ((hi - lo) / T(255)).template cast<float>();
    }

    template <class T>
    void encode(const T* x, std::uint8_t* code, Index dim) const noexcept {
        for (Index j = 0; j < dim; ++j) {
            const float s = scale[j];
            const float v = s > 0.0f ? std::round((static_cast<float>(x[j]) - low[j]) / s) : 0.0f;
            code[j] = static_cast<std::uint8_t>(std::clamp(v, 0.0f, 255.0f));
        }
    }

    template <class T>
    void decode(const std::uint8_t* code, T* x, Index dim) const noexcept {
        for (Index j = 0; j < dim; ++j) x[j] = static_cast<T>(low[j] + scale[j] * static_cast<float>(code[j]));
    }

    /// A query as the code kernels take it: less the low ends (L2), times the scales (inner
    /// products, which then lack the constant <query, low>: see inner_product_offset).
    template <class T>
    void prepare_query(const T* query, Metric metric, float* out, Index dim) const noexcept {
        for (Index j = 0; j < dim; ++j)
            out[j] = metric == Metric::l2 ? static_cast<float>(query[j]) - low[j] : static_cast<float>(query[j]) * scale[j];
    }
    template <class T>
    T inner_product_offset(const T* query, Index dim) const noexcept {
        T sum = 0;
        for (Index j = 0; j < dim; ++j) sum += query[j] * static_cast<T>(low[j]);
        return sum;
    }

    /// Whether a quantizer read from a file can code vectors of `dim` dimensions.
    bool valid(Index dim) const {
        return low.size() == dim && scale.size() == dim && low.allFinite() && scale.allFinite() &&
               !(scale.array() < 0.0f).any();
    }
};

}  // namespace shelf::knn
