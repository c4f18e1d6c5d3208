#include <catch2/catch.hpp>

#include <new>
#include <stdexcept>
#include <vector>

#include <shelf/core/parallel.hpp>

TEST_CASE("parallel_for visits every index once and merges per-thread results in thread order", "[core][parallel]") {
    for (int team : {1, 2, 4}) {
        std::vector<int> visits(1000, 0);
        std::vector<long> partial(static_cast<std::size_t>(team), 0);
        shelf::parallel_for(team, 1000, shelf::Schedule::dynamic, [&](int t) { return &partial[static_cast<std::size_t>(t)]; },
                            [&](shelf::Index i, long* sum) {
                                ++visits[static_cast<std::size_t>(i)];
                                *sum += i;
                            });
        long total = 0;
        for (long s : partial) total += s;
        REQUIRE(total == 999 * 1000 / 2);
        for (int v : visits) REQUIRE(v == 1);
    }
}

TEST_CASE("an exception inside a parallel region arrives in the caller", "[core][parallel]") {
    for (int team : {1, 2, 4}) {
        INFO(team << " threads");
        REQUIRE_THROWS_AS(shelf::parallel_for(team, 100, shelf::Schedule::even, [](shelf::Index i) {
                              if (i == 57) throw std::bad_alloc();
                          }),
                          std::bad_alloc);
        REQUIRE_THROWS_WITH(shelf::parallel_for(team, 100, shelf::Schedule::dynamic,
                                                [](int t) -> int {
                                                    if (t == 0) throw std::runtime_error("no buffer for thread 0");
                                                    return t;
                                                },
                                                [](shelf::Index, int) {}),
                            "no buffer for thread 0");
        REQUIRE_THROWS_AS(shelf::parallel_team(team, [](int t, int) {
                              if (t == 0) throw std::bad_alloc();
                          }),
                          std::bad_alloc);
    }
}

TEST_CASE("team sizes follow the work", "[core][parallel]") {
    REQUIRE(shelf::team_size(8, 100, 1.0) == 1);            // too little work for a second thread
    REQUIRE(shelf::team_size(8, 3, 1e12) == 3);             // no more threads than blocks
    REQUIRE(shelf::team_size(2, 100, 1e12) == 2);           // no more than asked
    REQUIRE(shelf::team_for(4, 100.0) == 1);
    REQUIRE(shelf::team_for(4, 1e7) == 4);
}

TEST_CASE("parallel_lockstep: each step's work sees every thread's part of that step, never the next", "[core][parallel]") {
    // The linear learner's pattern: each step the team fills one of two shared buffers, each
    // thread its part, then every thread reads the whole buffer.
    constexpr int width = 64;
    constexpr shelf::Index steps = 300;
    for (int team : {1, 2, 4}) {
        std::vector<long> buffers[2] = {std::vector<long>(width), std::vector<long>(width)};
        std::vector<int> wrong(static_cast<std::size_t>(team), 0);
        shelf::parallel_lockstep(
            team, steps,
            [&](shelf::Index s, int t, int size) {
                for (int i = width * t / size; i < width * (t + 1) / size; ++i) buffers[s % 2][static_cast<std::size_t>(i)] = s * width + i;
            },
            [&](shelf::Index s, int t, int) {
                for (int i = 0; i < width; ++i)
                    if (buffers[s % 2][static_cast<std::size_t>(i)] != s * width + i) ++wrong[static_cast<std::size_t>(t)];
            });
        INFO("team " << team);
        for (int w : wrong) REQUIRE(w == 0);
    }
}

TEST_CASE("parallel_lockstep: an exception on one thread reaches the caller without a hang", "[core][parallel]") {
    for (int team : {1, 2, 4}) {
        int works = 0;
        REQUIRE_THROWS_AS(shelf::parallel_lockstep(
                              team, 50,
                              [&](shelf::Index s, int t, int size) {
                                  if (s == 7 && t == size - 1) throw std::bad_alloc();
                              },
                              [&](shelf::Index s, int t, int) {
                                  if (t == 0 && s > 7) ++works;
                              }),
                          std::bad_alloc);
        REQUIRE(works == 0);  // after the failure no thread works on
    }
}
