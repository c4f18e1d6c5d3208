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
