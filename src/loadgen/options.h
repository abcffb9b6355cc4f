/* options.h - loadgen's command line. */
#ifndef LOADGEN_OPTIONS_H
#define LOADGEN_OPTIONS_H

#include <stdint.h>

struct options {
    const char *address; /* HOST:PORT as given */
    uint64_t clients;
    unsigned threads;  /* 0: online CPUs, at most clients */
    double duration;   /* seconds; 0 with --sessions */
    uint64_t sessions; /* 0 with --duration */
    double delay;
    double rate; /* 0: closed loop */
    double timeout;
    double warmup;
    uint64_t hold; /* 0: not a hold run */
    double hold_for;
    int64_t value_lo, value_hi;
    const char *csv;
    const char *hist; /* --hist FILE: the latency histogram, for histmerge */
    const char *label;
    int verify;
    int coalesce;
    int quiet;
};

/* Parses argv into o. Usage errors end the program with status 2; --help and --version
 * print their text and end it too. */
void options_parse(int argc, char **argv, struct options *o);

#endif
