// shelf/forecast/calendar.hpp: what the frequency decides — the timestamp of each step, the
// calendar features (scaled to [-0.5, 0.5]) and the lags the network reads.
//
// Lags and features follow GluonTS's choices per frequency (get_lags_for_frequency and
// time_features_from_frequency_str): the first seven steps, then the same season ±1 (±2 for
// minutes) one to several cycles back, up to 1,200 steps. The cycles are computed in whole
// steps here, which is what GluonTS's float floor divisions mean.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "params.hpp"
#include "shelf/core/error.hpp"
#include "shelf/core/series.hpp"

namespace shelf::deepar::detail {

/// Days since 1970-01-01 of a proleptic Gregorian date (the era-based civil calendar count).
inline std::int64_t days_from_civil(std::int64_t y, int m, int d) noexcept {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153u * static_cast<unsigned>(m + (m > 2 ? -3 : 9)) + 2) / 5 + static_cast<unsigned>(d) - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

/// The date of a day count (inverse of days_from_civil).
inline void civil_from_days(std::int64_t z, int& y, int& m, int& d) noexcept {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2));
}

inline bool leap_year(int y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

inline int days_in_month(int y, int m) noexcept {
    static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap_year(y) ? 29 : days[m - 1];
}

/// Whether `ts` is a real date and time of day.
inline bool valid_timestamp(const Timestamp& ts) noexcept {
    return ts.year >= 1 && ts.year <= 9999 && ts.month >= 1 && ts.month <= 12 && ts.day >= 1 &&
           ts.day <= days_in_month(ts.year, ts.month) && ts.hour >= 0 && ts.hour <= 23 && ts.minute >= 0 &&
           ts.minute <= 59 && ts.second >= 0 && ts.second <= 59;
}

/// The timestamp `steps` steps (any sign) after `start`. Months keep the day of the month,
/// clamped to the month's length.
inline Timestamp step_after(const Timestamp& start, TimeFreq freq, std::int64_t steps) noexcept {
    Timestamp out = start;
    if (freq == TimeFreq::month) {
        const std::int64_t months = static_cast<std::int64_t>(start.year) * 12 + (start.month - 1) + steps;
        out.year = static_cast<int>(months >= 0 ? months / 12 : (months - 11) / 12);
        out.month = static_cast<int>(months - static_cast<std::int64_t>(out.year) * 12) + 1;
        out.day = std::min(start.day, days_in_month(out.year, out.month));
        return out;
    }
    const std::int64_t unit = freq == TimeFreq::minute ? 60 : freq == TimeFreq::hour ? 3600 : freq == TimeFreq::day ? 86400 : 604800;
    const std::int64_t seconds = days_from_civil(start.year, start.month, start.day) * 86400 + start.hour * 3600 +
                                 start.minute * 60 + start.second + steps * unit;
    const std::int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
    std::int64_t rest = seconds - days * 86400;
    civil_from_days(days, out.year, out.month, out.day);
    out.hour = static_cast<int>(rest / 3600);
    rest %= 3600;
    out.minute = static_cast<int>(rest / 60);
    out.second = static_cast<int>(rest % 60);
    return out;
}

/// The calendar features of a frequency (GluonTS's time_features_from_frequency_str): minute:
/// minute of hour, hour of day, day of week, day of month, day of year; H: the last four; D:
/// the last three; W: day of month, ISO week of year; M: month of year.
inline std::vector<TimeFeature> frequency_time_features(TimeFreq freq) {
    using F = TimeFeature;
    switch (freq) {
        case TimeFreq::minute: return {F::minute_of_hour, F::hour_of_day, F::day_of_week, F::day_of_month, F::day_of_year};
        case TimeFreq::hour: return {F::hour_of_day, F::day_of_week, F::day_of_month, F::day_of_year};
        case TimeFreq::day: return {F::day_of_week, F::day_of_month, F::day_of_year};
        case TimeFreq::week: return {F::day_of_month, F::week_of_year};
        case TimeFreq::month: return {F::month_of_year};
    }
    return {};
}

/// Steps of `freq` in one whole cycle of `feature` (its longest: 31 days a month, 366 a year).
inline double cycle_steps(TimeFeature feature, TimeFreq freq) noexcept {
    double days = 1;
    switch (feature) {
        case TimeFeature::minute_of_hour: days = 1.0 / 24; break;
        case TimeFeature::hour_of_day: days = 1; break;
        case TimeFeature::day_of_week: days = 7; break;
        case TimeFeature::day_of_month: days = 31; break;
        case TimeFeature::day_of_year:
        case TimeFeature::week_of_year:
        case TimeFeature::month_of_year: days = 366; break;
    }
    switch (freq) {
        case TimeFreq::minute: return days * 1440;
        case TimeFreq::hour: return days * 24;
        case TimeFreq::day: return days;
        case TimeFreq::week: return days / 7;
        case TimeFreq::month: return days * 12 / 366;
    }
    return days;
}

/// Writes `features` of one timestamp, each scaled to [-0.5, 0.5], to out[0 .. features.size()).
template <class T>
void time_features(const Timestamp& ts, const std::vector<TimeFeature>& features, T* out) noexcept {
    const std::int64_t days = days_from_civil(ts.year, ts.month, ts.day);
    const int day_of_week = static_cast<int>(((days % 7) + 7 + 3) % 7);  // 1970-01-01 was a Thursday; Monday = 0
    const auto scaled = [](double value, double top) { return static_cast<T>(value / top - 0.5); };
    for (std::size_t k = 0; k < features.size(); ++k) {
        switch (features[k]) {
            case TimeFeature::minute_of_hour: out[k] = scaled(ts.minute, 59); break;
            case TimeFeature::hour_of_day: out[k] = scaled(ts.hour, 23); break;
            case TimeFeature::day_of_week: out[k] = scaled(day_of_week, 6); break;
            case TimeFeature::day_of_month: out[k] = scaled(ts.day - 1, 30); break;
            case TimeFeature::day_of_year: out[k] = scaled(double(days - days_from_civil(ts.year, 1, 1)), 365); break;
            case TimeFeature::week_of_year: {
                // ISO week: the week (Monday to Sunday) holding the year's first Thursday is week 1.
                const std::int64_t thursday = days - day_of_week + 3;
                int y, m, d;
                civil_from_days(thursday, y, m, d);
                out[k] = scaled(double((thursday - days_from_civil(y, 1, 1)) / 7), 52);  // from week 0
                break;
            }
            case TimeFeature::month_of_year: out[k] = scaled(ts.month - 1, 11); break;
        }
    }
}

/// The lags (in steps, ascending, from 1) the network reads at each step.
inline std::vector<int> lags_for(TimeFreq freq) {
    constexpr int upper = 1200;
    std::vector<int> seasonal;
    const auto around = [&](int middle, int delta) {
        for (int l = middle - delta; l <= middle + delta; ++l) seasonal.push_back(l);
    };
    // Steps per minute, hour, day, week of the frequency (0 when the unit is shorter than a step).
    const int per_hour = freq == TimeFreq::minute ? 60 : freq == TimeFreq::hour ? 1 : 0;
    const int per_day = freq == TimeFreq::minute ? 1440 : freq == TimeFreq::hour ? 24 : freq == TimeFreq::day ? 1 : 0;
    if (freq == TimeFreq::minute)
        for (int k = 1; k <= 3; ++k) around(k * 60, 2);  // the last three hours
    if (per_hour)
        for (int k = 1; k <= 7; ++k) around(k * 24 * per_hour, 1);  // the last seven days
    if (per_day) {
        for (int k = 1; k <= 4; ++k) around(k * 7 * per_day, 1);  // the last four weeks
        around(30 * per_day, 1);                                   // a month back
    }
    if (freq == TimeFreq::week || per_day) {
        const int per_week = freq == TimeFreq::week ? 1 : 7 * per_day;
        for (int k = 1; k <= 3; ++k) around(k * 52 * per_week, 1);  // the last three years
        for (int k : {4, 8, 12}) seasonal.push_back(k * per_week);   // 4, 8 and 12 weeks back
    }
    if (freq == TimeFreq::month)
        for (int k = 1; k <= 3; ++k) around(k * 12, 1);  // the last three years
    std::vector<int> lags{1, 2, 3, 4, 5, 6, 7};
    for (int l : seasonal)
        if (l > 7 && l <= upper) lags.push_back(l);
    std::sort(lags.begin(), lags.end());
    lags.erase(std::unique(lags.begin(), lags.end()), lags.end());
    return lags;
}

/// The seasonal period of a frequency (for seasonal naive and MASE): a day of hours, a week of
/// days, a year of weeks or months, an hour of minutes.
inline int season_length(TimeFreq freq) noexcept {
    switch (freq) {
        case TimeFreq::minute: return 60;
        case TimeFreq::hour: return 24;
        case TimeFreq::day: return 7;
        case TimeFreq::week: return 52;
        case TimeFreq::month: return 12;
    }
    return 1;
}

}  // namespace shelf::deepar::detail
