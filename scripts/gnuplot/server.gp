# Figure 6: server throughput and latency vs concurrent clients, parlab vs comparison servers.
# Vars: data (blocks, one per server, titles in `names`: clients sessions_per_s p50_ms p99_ms),
# nservers, names (space-separated).
load dir.'/style.gp'
set multiplot layout 1,2 title 'Mean server: closed loop, no pause'
set xlabel 'concurrent clients'
set logscale x
set key top left
set ylabel 'sessions / s'
set yrange [0:*]
plot for [i=1:nservers] data index i-1 using 1:2 with linespoints ls i title word(names, i)
set ylabel 'latency (ms), p50 solid, p99 dashed'
set logscale y
set yrange [*:*]
plot for [i=1:nservers] data index i-1 using 1:3 with linespoints ls i title word(names, i).' p50', \
     for [i=1:nservers] data index i-1 using 1:4 with linespoints ls i dt 2 title word(names, i).' p99'
unset multiplot
