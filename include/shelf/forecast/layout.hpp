// shelf/forecast/layout.hpp: where each weight of the network lives in its one flat vector
// (category embeddings, each LSTM layer's stacked gate weights and biases, the projection onto
// the likelihood's parameters, the seasonal skip's lag weights), so that Adam, gradient clipping and model files see one array.
#pragma once

#include <vector>

#include "shelf/core/types.hpp"

namespace shelf::deepar::detail {

struct Layout {
    Index covariates = 0;          ///< inputs per step before the embeddings
    Index cells = 0, layers = 0;   ///< LSTM width and depth
    Index outputs = 0;             ///< the likelihood's parameter count
    Index embedding = 0;           ///< embedding_dimension
    std::vector<Index> cardinality;
    Index skips = 0;               ///< the longest lags, each with a weight straight to the location

    Layout() = default;
    Layout(Index covariates_, Index cells_, Index layers_, Index outputs_, Index embedding_, std::vector<Index> cards,
           Index skips_ = 0)
        : covariates(covariates_), cells(cells_), layers(layers_), outputs(outputs_), embedding(embedding_),
          cardinality(std::move(cards)), skips(skips_) {}

    /// Inputs per step of the first layer: covariates, then one embedding per cat feature.
    Index input() const noexcept { return covariates + embedding * static_cast<Index>(cardinality.size()); }
    /// Inputs of layer l (the layer below's cells above the first), before its own recurrent state.
    Index layer_input(Index l) const noexcept { return l == 0 ? input() : cells; }
    Index gates() const noexcept { return 4 * cells; }

    /// Offset of cat feature j's embedding table (cardinality[j] × embedding).
    Index embedding_table(std::size_t j) const noexcept {
        Index at = 0;
        for (std::size_t k = 0; k < j; ++k) at += cardinality[k] * embedding;
        return at;
    }
    /// Offset of layer l's weights ((layer_input(l) + cells) × 4 cells, row-major), its bias after them.
    Index layer_weights(Index l) const noexcept {
        Index at = embedding_table(cardinality.size());
        for (Index k = 0; k < l; ++k) at += (layer_input(k) + cells + 1) * gates();
        return at;
    }
    Index layer_bias(Index l) const noexcept { return layer_weights(l) + (layer_input(l) + cells) * gates(); }
    /// Offset of the projection (cells × outputs, row-major), its bias after it.
    Index projection() const noexcept { return layer_weights(layers); }
    Index projection_bias() const noexcept { return projection() + cells * outputs; }
    /// Offset of the seasonal skip's weights, one per skipped lag.
    Index skip() const noexcept { return projection_bias() + outputs; }
    Index size() const noexcept { return skip() + skips; }
};

}  // namespace shelf::deepar::detail
