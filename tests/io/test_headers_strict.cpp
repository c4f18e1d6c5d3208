// Instantiates every reader and writer for float and double so the headers stay
// warning-free under the project's full warning set (-Wconversion included).
#include <shelf/io.hpp>

#include <sstream>

#include <catch2/catch.hpp>

namespace {
template <class T>
std::size_t instantiate_all() {
    std::size_t n = 0;
    n += static_cast<std::size_t>(shelf::parse_csv<T>("1,2\n").features.size());
    std::istringstream in("1,2\n");
    shelf::CsvReader<T> reader(in, {}, "x", 4, 2);
    shelf::CsvData<T> batch;
    while (reader.next_batch(batch)) n += static_cast<std::size_t>(batch.features.size());
    const auto s = shelf::parse_libsvm<T>("1 1:2\n");
    n += static_cast<std::size_t>(shelf::densify(s.features).size());
    n += shelf::parse_jsonlines<T>("{\"start\": \"2014-01-01\", \"target\": [1]}").size();
    std::ostringstream os;
    shelf::write_csv(os, shelf::RowMatrix<T>::Ones(2, 2));
    n += os.str().size();
    return n;
}
}  // namespace

TEST_CASE("every reader and writer instantiates for float and double", "[io]") {
    CHECK(instantiate_all<float>() == 1 + 1 + 1 + 1 + 8);
    CHECK(instantiate_all<double>() == 1 + 1 + 1 + 1 + 8);
}
