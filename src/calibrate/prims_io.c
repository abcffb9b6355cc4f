/* prims_io.c - what writing the result costs: primes_write, the writer every primes program
 * ends with, replacing the file the last run left as the bench's runs do. Two rows: a file
 * of the primes up to 10, what any write costs (create, rename over the old file, free it);
 * and the file of the primes up to PRIMS_WRITE_LIMIT, per prime. The model takes the first
 * for the file and the second, less the first spread over its primes, for each prime. */
#include "primes.h"
#include "prims.h"
#include "timer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* 78,498 primes, the lab's default N: as long a file as the report's headline runs write;
 * and the start-up runs' N, whose file holds 4. */
#define PRIMS_WRITE_LIMIT 1000000u
#define PRIMS_WRITE_SMALL 10u

struct prims_write {
    struct primes_bitmap bm, small;
    char path[4096], small_path[4096];
};

/* The primes below the limit, by a sieve: the bitmap primes_write reads, filled in a few
 * milliseconds rather than the kernel's seconds. Returns how many. */
static uint64_t prims_sieve(struct primes_bitmap *bm)
{
    uint64_t n = bm->limit, found = 0;
    for (uint64_t i = 2; i <= n; i++)
        bm->words[i / 64] |= 1ull << (i % 64);
    for (uint64_t i = 2; i * i <= n; i++)
        if (bm->words[i / 64] >> (i % 64) & 1)
            for (uint64_t j = i * i; j <= n; j += i)
                bm->words[j / 64] &= ~(1ull << (j % 64));
    for (size_t w = 0; w <= n / 64; w++)
        found += (uint64_t)__builtin_popcountll(bm->words[w]);
    return found;
}

/* What one operation writes: a bitmap's primes to a path. */
struct prims_file {
    const struct primes_bitmap *bm;
    const char *path;
};

static int prims_write_run(void *ctx, uint64_t n, uint64_t *ns, char *err, size_t errlen)
{
    const struct prims_file *f = ctx;
    uint64_t t0 = timer_wall_ns();
    for (uint64_t i = 0; i < n; i++)
        if (primes_write(f->bm, f->path, err, errlen) != 0)
            return -1;
    *ns = timer_wall_ns() - t0;
    return 0;
}

int prims_write(const struct prims_env *env, struct prims_table *t, char *err, size_t errlen)
{
    struct prims_write w;
    char why[256];
    /* A directory of its own under TMPDIR, as bench/run's scratch folder is. */
    const char *tmp = getenv("TMPDIR");
    char dir[4000]; /* room left in w.path for the file name */
    int len = snprintf(dir, sizeof dir, "%s/calibrate-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (len < 0 || (size_t)len >= sizeof dir) {
        snprintf(err, errlen, "write: TMPDIR: too long");
        return -1;
    }
    if (!mkdtemp(dir)) {
        snprintf(err, errlen, "write: mkdtemp %s: %s", dir, strerror(errno));
        return -1;
    }
    snprintf(w.path, sizeof w.path, "%s/primes.txt", dir);
    snprintf(w.small_path, sizeof w.small_path, "%s/small.txt", dir);
    if (primes_bitmap_map(&w.bm, PRIMS_WRITE_LIMIT, 0, why, sizeof why) != 0) {
        snprintf(err, errlen, "write: %s", why);
        rmdir(dir);
        return -1;
    }
    if (primes_bitmap_map(&w.small, PRIMS_WRITE_SMALL, 0, why, sizeof why) != 0) {
        snprintf(err, errlen, "write: %s", why);
        primes_bitmap_unmap(&w.bm);
        rmdir(dir);
        return -1;
    }
    uint64_t found = prims_sieve(&w.bm), few = prims_sieve(&w.small);
    struct prims_file small = {&w.small, w.small_path}, big = {&w.bm, w.path};
    int rc =
        prims_sample(env, t, "write", "file", "us", 1000.0, prims_write_run, &small, err, errlen,
                     "primes_write of the %llu primes up to %u over the file the last "
                     "write left in TMPDIR (temporary + rename)",
                     (unsigned long long)few, PRIMS_WRITE_SMALL);
    if (rc == 0)
        rc = prims_sample(env, t, "write", "primes", "ns", (double)found, prims_write_run, &big,
                          err, errlen,
                          "primes_write of the %llu primes up to %u over the last such file; "
                          "ns per prime (its file included)",
                          (unsigned long long)found, PRIMS_WRITE_LIMIT);
    primes_bitmap_unmap(&w.small);
    primes_bitmap_unmap(&w.bm);
    unlink(w.path);
    unlink(w.small_path);
    rmdir(dir);
    return rc;
}
