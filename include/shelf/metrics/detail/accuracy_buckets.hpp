// shelf/metrics/detail/accuracy_buckets.hpp: the best accuracy threshold of unweighted scores
// without sorting them all.
//
// The scores are counted into buckets by the top 16 bits of their order-preserving keys (two
// passes over the data, no sort). Walking the buckets from the top gives the accuracy after
// each whole bucket, which some threshold reaches, and a bound on any threshold inside it: all
// its positives ranked first. Only the buckets whose bound reaches the best whole-bucket
// accuracy can hold the answer; their scores alone are sorted and walked threshold by
// threshold. The answer is the walk over RankedScores' answer, exactly, ties included: the
// linear learner asks it of every model of its sweep, where the full sort was most of the cost.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "shelf/core/types.hpp"
#include "shelf/metrics/detail/radix_sort.hpp"

namespace shelf::metrics::detail {

/// (threshold, accuracy) of the highest accuracy over thresholds "score >= t", the higher
/// threshold on ties, predicting nothing (the highest score + 1) included. The inputs are
/// validated, and hold both classes.
template <class T>
std::pair<double, double> best_accuracy_by_buckets(const VectorView<T>& y_true, const VectorView<T>& y_score,
                                                   T pos_label) {
    using K = key_t<T>;
    constexpr int bucket_bits = 16;
    constexpr int shift = 8 * static_cast<int>(sizeof(K)) - bucket_bits;
    constexpr std::size_t buckets = std::size_t(1) << bucket_bits;
    const Index n = y_true.size();
    std::vector<Index> positives(buckets), negatives(buckets);
    Index total_negatives = 0;
    K top = 0;
    for (Index i = 0; i < n; ++i) {
        const K key = to_key(y_score[i]);
        const bool positive = y_true[i] == pos_label;
        const std::size_t b = key >> shift;
        positives[b] += positive;
        negatives[b] += !positive;
        total_negatives += !positive;
        top = std::max(top, key);
    }
    // Correct predictions above each bucket, and the best count that a whole bucket reaches.
    std::vector<Index> correct_above(buckets);
    Index correct = total_negatives, best_whole = total_negatives;
    for (std::size_t b = buckets; b-- > 0;) {
        correct_above[b] = correct;
        correct += positives[b] - negatives[b];
        best_whole = std::max(best_whole, correct);
    }
    std::vector<char> candidate(buckets);  // the buckets that can hold the answer
    for (std::size_t b = 0; b < buckets; ++b)
        candidate[b] = positives[b] + negatives[b] > 0 && correct_above[b] + positives[b] >= best_whole;
    std::vector<std::pair<K, bool>> kept;  // the candidate buckets' scores, with their labels
    for (Index i = 0; i < n; ++i) {
        const K key = to_key(y_score[i]);
        if (candidate[key >> shift]) kept.emplace_back(key, y_true[i] == pos_label);
    }
    std::sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) { return a.first > b.first; });

    const double all = static_cast<double>(n);
    std::pair<double, double> best{double(from_key<T>(top)) + 1, static_cast<double>(total_negatives) / all};
    std::size_t bucket = buckets;
    for (std::size_t i = 0; i < kept.size();) {  // each distinct score, from the top
        const K key = kept[i].first;
        if ((key >> shift) != bucket) {
            bucket = key >> shift;
            correct = correct_above[bucket];
        }
        for (; i < kept.size() && kept[i].first == key; ++i) correct += kept[i].second ? 1 : -1;
        const double accuracy = static_cast<double>(correct) / all;
        if (accuracy > best.second) best = {double(from_key<T>(key)), accuracy};
    }
    return best;
}

}  // namespace shelf::metrics::detail
