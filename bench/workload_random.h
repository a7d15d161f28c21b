/* workload_random.h: the workload generator's random numbers, the same bits on every
 * machine: splitmix64 for the stream, and a logarithm of our own (frexp and a series,
 * + - * / only) rather than libm's, whose last bits may differ between versions. */
#ifndef WORKLOAD_RANDOM_H
#define WORKLOAD_RANDOM_H
#include <math.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct workload_random {
    uint64_t state;
} workload_random;

/* The splitmix64 finaliser: a bijection of 64-bit numbers that mixes every bit. */
static inline uint64_t workload_mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static inline uint64_t workload_next(workload_random *random)
{
    random->state += 0x9e3779b97f4a7c15ull;
    return workload_mix(random->state);
}

/* A stream of its own for each (seed, stream) pair. */
static inline workload_random workload_random_for(uint64_t seed, uint64_t stream)
{
    return (workload_random){ workload_mix(seed ^ workload_mix(stream + 0x632be59bd9b4e019ull)) };
}

/* Uniform in [0, 1), 53 bits. */
static inline double workload_uniform(workload_random *random)
{
    return (double)(workload_next(random) >> 11) * 0x1p-53;
}

/* Uniform in [0, limit); limit > 0. */
static inline uint64_t workload_below(workload_random *random, uint64_t limit)
{
    return workload_next(random) % limit;
}

/* Uniform in [low, high]. */
static inline int64_t workload_between(workload_random *random, int64_t low, int64_t high)
{
    return low + (int64_t)workload_below(random, (uint64_t)(high - low) + 1);
}

static inline bool workload_chance(workload_random *random, double probability)
{
    return workload_uniform(random) < probability;
}

/* ln(x) for x > 0: x = m 2^k with m in [sqrt(1/2), sqrt(2)), ln(m) = 2 atanh(s). */
static inline double workload_log(double x)
{
    int k;
    double m = frexp(x, &k);
    if (m < 0.70710678118654752440) {
        m *= 2;
        k--;
    }
    double s = (m - 1) / (m + 1), s2 = s * s, series = 0;
    for (int i = 14; i >= 1; i--) series = s2 * (1.0 / (2 * i + 1) + series);
    return k * 0.69314718055994530942 + 2 * s * (1 + series);
}

/* Exponentially distributed with the given mean (the gaps of a Poisson process). */
static inline double workload_exponential(workload_random *random, double mean)
{
    return -mean * workload_log(1 - workload_uniform(random));
}

#endif
