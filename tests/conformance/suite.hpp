// tests/conformance/suite.hpp: the contract every family is held to, written once.
//
// A family joins with a traits struct (families.hpp) and one line in its own test file:
//
//     TEMPLATE_TEST_CASE("kmeans meets the family contract", "[conformance]", SHELF_CONFORMANCE_SCALARS) {
//         conformance::run<KMeans<TestType>>();
//     }
//
// The traits say how to make small parameters, labels (supervised families) and the
// family's main output; everything else is the contract: the umbrella header alone gives
// the family, fit and predict, a save/load round trip, damaged model files refused,
// NaN and column counts named, determinism, stopping from the progress callback, unknown
// hyperparameters refused with a suggestion, exceptions out of parallel regions, and
// concurrent prediction equal to serial prediction.
#pragma once

// The scalars each family is checked in: both in the release build; under the sanitizers float
// alone (the command line's), since the double instantiation makes the same memory accesses and
// would double the sanitizer build's compile time.
#ifdef SHELF_CONFORMANCE_FLOAT_ONLY
#define SHELF_CONFORMANCE_SCALARS float
#else
#define SHELF_CONFORMANCE_SCALARS float, double
#endif

#include <catch2/catch.hpp>

#include <shelf/shelf.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <new>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "families.hpp"
#include "fault.hpp"

namespace conformance {

using shelf::Index;
using shelf::RowMatrix;
using shelf::Vector;

/// Three well-separated Gaussian blobs in `d` dimensions (what every family can learn from),
/// drawn with shelf's own generator.
template <class T>
RowMatrix<T> blobs(Index n, Index d, std::uint64_t seed) {
    shelf::Rng rng(seed);
    RowMatrix<T> X(n, d);
    for (Index i = 0; i < n; ++i)
        for (Index j = 0; j < d; ++j)
            X(i, j) = static_cast<T>(rng.normal(3.0 * static_cast<double>((i % 3) * (j % 2 ? 1 : -1)), 1.0));
    return X;
}

template <class T>
RowMatrix<double> as_double(const T& output) {
    return RowMatrix<double>(output.template cast<double>());
}

template <class F>
RowMatrix<double> output_of(const typename F::Model& model, const RowMatrix<typename F::Scalar>& X) {
    return as_double(F::output(model, X));
}

/// The family's fit on X (and, for a supervised family, the labels its traits give X).
template <class F>
typename F::Model train(const RowMatrix<typename F::Scalar>& X, const typename F::Params& params,
                      const shelf::ProgressCallback& progress = {}) {
    if constexpr (F::supervised)
        return F::fit(X, F::labels(X), params, progress);
    else
        return F::fit(X, params, progress);
}

template <class F>
std::string saved(const typename F::Model& model) {
    std::ostringstream out;
    model.save(out);
    return out.str();
}

template <class F>
typename F::Model loaded(const std::string& bytes) {
    std::istringstream in(bytes);
    return F::Model::load(in);
}

template <class F>
shelf::errc load_error(const std::string& bytes) {
    try {
        (void)conformance::loaded<F>(bytes);
    } catch (const shelf::model_error& e) {
        return e.id();
    }
    return shelf::errc{};  // loaded: the damage went unnoticed
}

template <class F>
void run() {
    using T = typename F::Scalar;
    using Model = typename F::Model;
    constexpr Index n = 240, d = 5;
    const RowMatrix<T> X = blobs<T>(n, d, 11);
    const typename F::Params params = F::params();
    const Model model = conformance::train<F>(X, params);
    const RowMatrix<double> expected = conformance::output_of<F>(model, X);

    SECTION("fit and predict: one output row per input row, all finite") {
        REQUIRE(expected.rows() == n);
        REQUIRE(expected.allFinite());
    }

    SECTION("a saved model loads equal, and predicts the same") {
        const std::string bytes = conformance::saved<F>(model);
        const Model back = conformance::loaded<F>(bytes);
        REQUIRE(back == model);
        REQUIRE(conformance::output_of<F>(back, X) == expected);
        REQUIRE(conformance::saved<F>(back) == bytes);
    }

    SECTION("a truncated model file is refused") {
        const std::string bytes = conformance::saved<F>(model);
        for (std::size_t size : {std::size_t{0}, std::size_t{7}, std::size_t{12}, std::size_t{20}, bytes.size() / 2,
                                 bytes.size() - 4, bytes.size() - 1}) {
            INFO("kept the first " << size << " of " << bytes.size() << " bytes");
            CHECK(conformance::load_error<F>(bytes.substr(0, size)) != shelf::errc{});
        }
    }

    SECTION("a model file with any one byte changed is refused") {
        const std::string bytes = conformance::saved<F>(model);
        const std::size_t step = std::max<std::size_t>(1, bytes.size() / 200);
        for (std::size_t at = 0; at < bytes.size(); at += (at < 24 ? 1 : step)) {
            std::string damaged = bytes;
            damaged[at] = static_cast<char>(damaged[at] ^ 0x5A);
            INFO("byte " << at << " of " << bytes.size());
            CHECK(conformance::load_error<F>(damaged) != shelf::errc{});
        }
    }

    SECTION("another family's model file, or the other scalar type, is refused by name") {
        std::ostringstream other;
        shelf::ModelWriter("not-" + std::string(F::Params::family), shelf::scalar_type_of<T>()).write(other);
        CHECK(conformance::load_error<F>(other.str()) == shelf::errc::wrong_family);
        using Other = typename F::template Rebind<std::conditional_t<std::is_same_v<T, float>, double, float>>;
        const std::string bytes = conformance::saved<F>(model);
        CHECK(conformance::load_error<Other>(bytes) == shelf::errc::wrong_scalar);
    }

    SECTION("NaN in the input is refused naming its row and column, or read as missing") {
        RowMatrix<T> bad = X;
        bad(17, 3) = std::numeric_limits<T>::quiet_NaN();
        if (F::missing == shelf::Missing::refused) {
            REQUIRE_THROWS_WITH(conformance::train<F>(bad, params), Catch::Contains("shelf.data_error.203") &&
                                                        Catch::Contains("X(17, 3) is nan"));
            REQUIRE_THROWS_WITH(F::output(model, bad), Catch::Contains("shelf.data_error.203") &&
                                                           Catch::Contains("X(17, 3) is nan"));
        } else {
            CHECK(conformance::output_of<F>(conformance::train<F>(bad, params), bad).allFinite());
            CHECK(conformance::output_of<F>(model, bad).allFinite());
        }
        bad(17, 3) = std::numeric_limits<T>::infinity();
        REQUIRE_THROWS_WITH(conformance::train<F>(bad, params), Catch::Contains("shelf.data_error.203") &&
                                                    Catch::Contains("X(17, 3) is inf"));
        REQUIRE_THROWS_WITH(F::output(model, bad), Catch::Contains("shelf.data_error.203") &&
                                                       Catch::Contains("X(17, 3) is inf"));
    }

    SECTION("a column count other than the model's is refused naming both counts") {
        const RowMatrix<T> wider = RowMatrix<T>::Zero(4, d + 1), narrower = X.leftCols(d - 1).topRows(4);
        REQUIRE_THROWS_WITH(F::output(model, wider),
                            Catch::Contains("shelf.data_error.202") && Catch::Contains("has 6 columns") &&
                                Catch::Contains("expects 5") && Catch::Contains("label column"));
        REQUIRE_THROWS_WITH(F::output(model, narrower), Catch::Contains("shelf.data_error.202") &&
                                                            Catch::Contains("has 4 columns") &&
                                                            Catch::Contains("expects 5"));
    }

    SECTION("the same seed gives a bit-identical model, on any thread count") {
        REQUIRE(conformance::saved<F>(conformance::train<F>(X, params)) == conformance::saved<F>(model));
        typename F::Params other = params;
        other.num_threads = 3;
        const Model threaded = conformance::train<F>(X, other);
        REQUIRE(conformance::output_of<F>(threaded, X) == expected);
    }

    SECTION("a progress callback that returns false stops training") {
        int calls = 0;
        const Model stopped = conformance::train<F>(X, params, [&](const shelf::Progress& p) {
            ++calls;
            CHECK(p.done <= p.total);
            return false;
        });
        REQUIRE(calls == 1);
        REQUIRE(stopped.report().stopped);
        REQUIRE_FALSE(model.report().stopped);
    }

    SECTION("an unknown hyperparameter is refused with a suggestion") {
        REQUIRE_THROWS_WITH(shelf::from_map<typename F::Params>({{"num_thread", "2"}}),
                            Catch::Contains("shelf.invalid_argument.102") &&
                                Catch::Contains("did you mean 'num_threads'"));
        auto negative_seed = shelf::to_map(params);
        negative_seed["seed"] = "-1";
        REQUIRE_THROWS_WITH(shelf::from_map<typename F::Params>(negative_seed),
                            Catch::Contains("shelf.invalid_argument.101") && Catch::Contains("seed"));
    }

    if constexpr (F::allocates_in_parallel) SECTION("an allocation failing inside a parallel region arrives as std::bad_alloc") {
        const RowMatrix<T> big = blobs<T>(F::parallel_rows, 16, 5);
        typename F::Params threaded = F::parallel_params();
        threaded.num_threads = 2;
        const Model reference = conformance::train<F>(big, threaded);
        for (int skip : {0, 1, 3}) {
            fault::arm(skip);
            bool thrown = false;
            try {
                (void)conformance::train<F>(big, threaded);
            } catch (const std::bad_alloc&) {
                thrown = true;
            }
            const bool injected = fault::disarm();
            INFO("failing the allocation after " << skip << " in parallel regions");
            REQUIRE(injected);
            REQUIRE(thrown);
        }
        (void)reference;
    }

    SECTION("four threads predicting at once get the serial answer") {
        std::vector<RowMatrix<double>> results(4);
        std::vector<std::thread> threads;
        for (std::size_t t = 0; t < results.size(); ++t)
            threads.emplace_back([&, t] {
                for (int repeat = 0; repeat < 5; ++repeat) results[t] = conformance::output_of<F>(model, X);
            });
        for (auto& thread : threads) thread.join();
        for (const auto& result : results) REQUIRE(result == expected);
    }
}

}  // namespace conformance
