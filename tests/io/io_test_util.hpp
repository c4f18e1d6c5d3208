// Helpers shared by the shelf/io tests.
#pragma once

#include <catch2/catch.hpp>

#include <shelf/core/error.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

namespace Catch {
template <>
struct StringMaker<shelf::data_error> {
    static std::string convert(const shelf::data_error& e) { return e.what(); }
};
template <>
struct StringMaker<shelf::invalid_argument> {
    static std::string convert(const shelf::invalid_argument& e) { return e.what(); }
};
}  // namespace Catch

namespace io_test {

/// Matches a shelf::error with the given id whose message contains `fragment`.
class ErrorMatcher : public Catch::MatcherBase<shelf::error> {
public:
    ErrorMatcher(shelf::errc id, std::string fragment) : id_(id), fragment_(std::move(fragment)) {}
    bool match(const shelf::error& e) const override {
        return e.id() == id_ && std::string(e.what()).find(fragment_) != std::string::npos;
    }
    std::string describe() const override {
        return "has id " + std::to_string(static_cast<int>(id_)) + " and a message containing \"" +
               fragment_ + "\"";
    }

private:
    shelf::errc id_;
    std::string fragment_;
};

inline ErrorMatcher Fails(shelf::errc id, std::string fragment) {
    return ErrorMatcher(id, std::move(fragment));
}

/// A file in the temporary directory, removed when the object goes away.
class TempFile {
public:
    explicit TempFile(const std::string& content, const std::string& name = "shelf_io_test.txt") {
        static int counter = 0;
        path_ = (std::filesystem::temp_directory_path() /
                 (std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" + name))
                    .string();
        std::ofstream(path_, std::ios::binary) << content;
    }
    ~TempFile() { std::remove(path_.c_str()); }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

}  // namespace io_test
