// shelf/neighbors/index_file.hpp: an index saved on its own — the parameters that make an empty
// one (family tag, dimension, metric, ...) and then its fields, in the checksummed container of
// core/serialize.hpp, as a model is saved.
#pragma once

#include <istream>
#include <ostream>

#include "shelf/core/model_fields.hpp"

namespace shelf::knn::detail {

/// Writes `index` under the file parameters `file`, then its fields.
template <class IndexT, class FileParams>
void write_index(const IndexT& index, const FileParams& file, std::ostream& out) {
    ModelWriter w(FileParams::family, scalar_type_of<typename IndexT::Scalar>());
    shelf::detail::FieldWriter f(w);
    f.params(file);
    IndexT::fields(index, f, "");
    w.write(out);
}

/// Reads an index written by write_index: `empty(parameters)` makes the index its fields are read
/// into, `finish(index, parameters)` checks what was read. A damaged file or another kind of file
/// throws model_error.
template <class IndexT, class FileParams, class Empty, class Finish>
IndexT read_index(std::istream& in, Empty&& empty, Finish&& finish) {
    const ModelReader r(in);
    r.expect(FileParams::family, scalar_type_of<typename IndexT::Scalar>());
    shelf::detail::FieldReader f(r);
    FileParams p;
    f.params(p);
    IndexT index = empty(p);
    IndexT::fields(index, f, "");
    finish(index, p);
    return index;
}

}  // namespace shelf::knn::detail
