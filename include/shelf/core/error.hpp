// shelf/core/error.hpp: the three exception categories every shelf function throws.
//
// Each error carries a stable numeric id (documented in docs/errors.md) and a
// message of the form "[shelf.<category>.<id>] <what happened and what to do>".
#pragma once

#include <stdexcept>
#include <string>

namespace shelf {

/// Stable error ids. The hundreds digit is the category.
enum class errc : int {
    // invalid_argument: hyperparameters and API arguments
    out_of_range = 101,      ///< a parameter outside its allowed range
    unknown_parameter = 102, ///< a hyperparameter name that does not exist
    bad_value = 103,         ///< a hyperparameter string that does not parse
    missing_parameter = 104, ///< a required hyperparameter was not given
    inconsistent = 105,      ///< parameters that contradict each other
    // data_error: the data handed to fit / predict / a reader
    empty_data = 201,        ///< no rows, or no columns
    shape_mismatch = 202,    ///< dimensions that do not agree
    not_finite = 203,        ///< NaN or infinity where none is allowed
    bad_label = 204,         ///< a label outside the allowed set
    parse_error = 205,       ///< malformed text in an input file
    io_failure = 206,        ///< a file that cannot be opened or read
    degenerate = 207,        ///< a row the method cannot use (a zero vector under cosine similarity)
    // model_error: model files
    not_a_model = 301,       ///< wrong magic number
    truncated = 302,         ///< the file ends early
    checksum = 303,          ///< the checksum does not match the content
    wrong_family = 304,      ///< a model of another family
    version = 305,           ///< written by a newer format version
    wrong_scalar = 306,      ///< float model loaded as double or the reverse
    malformed = 307,         ///< structurally invalid content
};

/// Base of every exception shelf throws.
class error : public std::runtime_error {
public:
    error(const char* category, errc id, const std::string& what)
        : std::runtime_error("[shelf." + std::string(category) + "." +
                             std::to_string(static_cast<int>(id)) + "] " + what),
          id_(id),
          message_(what) {}
    errc id() const noexcept { return id_; }
    /// what() without the "[shelf.category.id] " prefix, for a caller that rewords or prefixes it.
    const std::string& message() const noexcept { return message_; }

private:
    errc id_;
    std::string message_;
};

/// A hyperparameter or API argument is invalid (wrong range, unknown name, unparsable).
class invalid_argument : public error {
public:
    invalid_argument(errc id, const std::string& what) : error("invalid_argument", id, what) {}
};

/// The data is unusable: empty, wrong shape, non-finite, bad labels, malformed text.
class data_error : public error {
public:
    data_error(errc id, const std::string& what) : error("data_error", id, what) {}
};

/// A model file is not a valid shelf model of the expected family and version.
class model_error : public error {
public:
    model_error(errc id, const std::string& what) : error("model_error", id, what) {}
};

}  // namespace shelf
