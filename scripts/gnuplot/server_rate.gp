# Open loop: p99 latency (from each session's intended start) against the offered rate,
# one line per server (log-log). Vars: data (blocks, one per server, each headed by a line
# whose second column is the server's name: rate_per_s p99_ms p50_ms), nservers.
load ARG1
set title 'Open loop: latency vs offered rate'
set xlabel 'offered sessions / s'
set ylabel 'latency (ms), p99 solid, p50 dashed'
set logscale xy
set key top left width -4
plot for [i=1:nservers] data index i-1 using 1:2 with linespoints ls i \
         title columnheader(2) noenhanced, \
     for [i=1:nservers] data index i-1 using 1:3 with lines ls i dt 2 notitle
