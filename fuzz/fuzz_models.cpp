// libFuzzer harness for every family's model loader (Model<T>::load over core/serialize.hpp).
//
// Input: byte 0 = family (bits 0-2: kmeans, pca, linear, gbt, knn, randomcutforest,
// factorization-machines, deepar), scalar (bit 3: double),
// whether to rewrite the checksum (bit 4), so that mutations get past the CRC into the
// container's structure and the family's own shape checks, and with randomcutforest, a
// streaming forest (bit 5: rcf::Stream); the rest is the model file.
// Checks, beyond "no crash and no sanitizer report": a load either succeeds or throws
// shelf::model_error; a loaded model saves to a file that loads back equal, and predicts
// on rows of its own width without failing.
// With SHELF_FUZZ_WRITE_SEEDS=DIR set, the harness first writes a small model of every
// family and scalar to DIR (fuzz/run.sh makes the seed corpus so).
#include <shelf/shelf.hpp>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace {

template <class T>
shelf::RowMatrix<T> rows(shelf::Index n, shelf::Index d) {
    shelf::Rng rng(3);
    shelf::RowMatrix<T> X(n, d);
    for (shelf::Index i = 0; i < X.size(); ++i) X.data()[i] = static_cast<T>(rng.normal(double(i % 3), 1.0));
    return X;
}

template <class T>
shelf::Vector<T> labels(shelf::Index n) {
    shelf::Vector<T> y(n);
    for (shelf::Index i = 0; i < n; ++i) y[i] = T(i % 3 == 0);
    return y;
}

/// Three points of a series the model can read: its categories all 0, its dynamic features 0.
template <class T, class Model>
shelf::Series<T> short_series(const Model& m) {
    shelf::Series<T> s;
    s.start = {2020, 1, 1, 0, 0, 0};
    s.target = shelf::Vector<T>::Constant(3, T(1));
    s.cat.assign(m.params().cardinality->size(), 0);
    s.dynamic_feat = shelf::RowMatrix<T>::Zero(*m.params().num_dynamic_feat, 3 + *m.params().prediction_length);
    return s;
}

template <class Model>
Model reload(const Model& model) {
    std::stringstream bytes;
    model.save(bytes);
    return Model::load(bytes);
}

/// Loads `bytes` as a Model; a loaded model must round-trip and predict.
template <class Model, class T, class Width, class Predict>
void check(const std::string& bytes, Width width_of, Predict predict) {
    std::istringstream in(bytes);
    try {
        const Model model = Model::load(in);
        if (!(reload(model) == model)) std::abort();
        if (width_of(model) <= (1 << 16)) predict(model, rows<T>(3, width_of(model)));  // else too wide to try
    } catch (const shelf::model_error&) {
    }
}

template <class T>
void load_as(int family, bool stream, const std::string& bytes) {
    if (family == 5 && stream)  // a stream goes on through rows of its width, on a copy
        return check<shelf::rcf::Stream<T>, T>(bytes, [](const auto& m) { return m.input_dim(); },
                                                [](const auto& m, const auto& X) { auto going_on = m; (void)going_on.update(X); });
    switch (family) {
        case 0:
            return check<shelf::kmeans::Model<T>, T>(bytes, [](const auto& m) { return m.feature_dim(); },
                                                  [](const auto& m, const auto& X) { (void)m.predict(X); });
        case 1:
            return check<shelf::pca::Model<T>, T>(bytes, [](const auto& m) { return m.feature_dim(); },
                                               [](const auto& m, const auto& X) { (void)m.transform(X); });
        case 2:
            return check<shelf::linear::Model<T>, T>(bytes, [](const auto& m) { return m.feature_dim(); },
                                                  [](const auto& m, const auto& X) { (void)m.predict(X); });
        case 4:
            return check<shelf::knn::Model<T>, T>(bytes, [](const auto& m) { return m.feature_dim(); },
                                               [](const auto& m, const auto& X) { (void)m.predict(X); });
        case 5:
            return check<shelf::rcf::Model<T>, T>(bytes, [](const auto& m) { return m.feature_dim(); },
                                               [](const auto& m, const auto& X) { (void)m.score(X); });
        case 6:
            return check<shelf::fm::Model<T>, T>(bytes, [](const auto& m) { return m.feature_dim(); },
                                              [](const auto& m, const auto& X) { (void)m.predict(X); });
        case 7:  // "width": the steps a forecast unrolls; it forecasts one short series
            return check<shelf::deepar::Model<T>, T>(
                bytes, [](const auto& m) { return shelf::Index(*m.params().context_length) + *m.params().prediction_length; },
                [](const auto& m, const auto&) { (void)m.forecast({short_series<T>(m)}, {3, {0.5}, false}); });
        case 3:
            return check<shelf::gbt::Model<T>, T>(bytes, [](const auto& m) { return m.num_features(); },
                                               [](const auto& m, const auto& X) { (void)m.predict(X); });
    }
}

template <class T>
void write_seeds(const std::string& dir, const char* scalar) {
    const auto X = rows<T>(60, 4);
    const auto y = labels<T>(60);
    const auto write = [&](const std::string& name, std::uint8_t selector, const auto& model) {
        std::ofstream out(dir + "/" + name + "-" + scalar);
        out.put(static_cast<char>(selector | (sizeof(T) == 8 ? 8 : 0)));
        model.save(out);
    };
    shelf::kmeans::Params k;
    k.k = 3;
    write("kmeans", 0, shelf::kmeans::fit(X, k));
    shelf::pca::Params p;
    p.num_components = 2;
    write("pca", 1, shelf::pca::fit(X, p));
    shelf::linear::Params l;
    l.predictor_type = shelf::linear::PredictorType::binary_classifier;
    l.epochs = 2;
    write("linear", 2, shelf::linear::fit(X, y, l));
    shelf::gbt::Params g;
    g.num_round = 3;
    g.objective = "binary:logistic";
    g.max_depth = 2;
    write("gbt", 3, shelf::gbt::fit(X, y, g));
    shelf::knn::Params n;
    n.k = 3;
    n.sample_size = 40;
    n.predictor_type = shelf::knn::PredictorType::classifier;
    n.dimension_reduction_type = shelf::knn::Reduction::fjlt;
    n.dimension_reduction_target = 3;
    write("knn", 4, shelf::knn::fit(X, y, n));
    shelf::rcf::Params r;
    r.num_trees = 50;
    r.num_samples_per_tree = 16;
    write("rcf", 5, shelf::rcf::fit(X, r));
    r.streaming = true;
    r.shingle_size = 2;
    shelf::rcf::Stream<T> stream(r, X.cols());
    stream.update(X);
    write("rcf-stream", 5 | 32, stream);
    shelf::fm::Params f;
    f.predictor_type = shelf::fm::PredictorType::binary_classifier;
    f.num_factors = 2;
    write("fm", 6, shelf::fm::fit(X, y, f));
    f.solver = shelf::fm::Solver::mcmc;  // a model with samples, scored as a probit classifier
    f.epochs = 8;
    write("fm-mcmc", 6, shelf::fm::fit(X, y, f));
    shelf::deepar::Params d;
    d.time_freq = shelf::deepar::TimeFreq::day;
    d.prediction_length = 3;
    d.context_length = 5;
    d.epochs = 1;
    d.num_batches_per_epoch = 2;
    d.mini_batch_size = 8;
    d.num_cells = 4;
    d.embedding_dimension = 2;
    std::vector<shelf::Series<T>> series(4);
    for (std::size_t i = 0; i < series.size(); ++i) {
        series[i].start = {2020, 1, 1, 0, 0, 0};
        series[i].target = X.col(static_cast<shelf::Index>(i)).head(30);
        series[i].cat = {static_cast<int>(i % 2)};
    }
    write("deepar", 7, shelf::deepar::fit(series, d));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    if (const char* dir = std::getenv("SHELF_FUZZ_WRITE_SEEDS")) {
        write_seeds<float>(dir, "float");
        write_seeds<double>(dir, "double");
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::uint8_t selector = data[0];
    std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
    const std::size_t head = 8 + 4 + 8;
    if ((selector & 16) && bytes.size() >= head + 4) {  // a checksum that matches the (mutated) body
        const std::string body = bytes.substr(head, bytes.size() - head - 4);
        const std::uint32_t crc = shelf::detail::crc32(body.data(), body.size());
        for (int i = 0; i < 4; ++i) bytes[bytes.size() - 4 + i] = static_cast<char>((crc >> (8 * i)) & 0xFFu);
    }
    const int family = selector & 7;
    const bool stream = (selector & 32) != 0;
    if (selector & 8)
        load_as<double>(family, stream, bytes);
    else
        load_as<float>(family, stream, bytes);
    return 0;
}
