// Builds against the installed headers through the umbrella header and runs a little of everything.
#include <iostream>
#include <sstream>

#include <shelf/shelf.hpp>

int main() {
    shelf::Rng rng(1);
    shelf::RowMatrix<float> m(2, 2);
    m << 1, 2, 3, static_cast<float>(rng.uniform());
    shelf::ModelWriter writer("consumer", shelf::ScalarType::float32);
    writer.matrix("m", m);
    std::stringstream buffer;
    writer.write(buffer);
    const shelf::ModelReader reader(buffer);
    if (reader.matrix<float>("m") != m) return 1;
    shelf::Vector<double> y(4), p(4);
    y << 0, 0, 1, 1;
    p << 0.1, 0.4, 0.35, 0.8;
    const double auc = shelf::metrics::roc_auc(y, p);
    std::cout << "consumer: round trip ok, roc_auc = " << auc << "\n";
    return auc == 0.75 ? 0 : 1;
}
